// The reading options a person sets (`hcr read`'s flags, POST /api/read's fields) as core's
// ReadOptions: only the request's own fields reach the reader, and the charset, pattern and
// lexicon are checked against the model's classes, the lexicon parsed once.

import { describe, expect, it } from 'vitest';
import { LABEL_SETS } from '../../src/core/label-sets.js';
import {
  READ_REQUEST_OPTIONS,
  prepareReadOptions,
  readRequestOptions,
} from '../../src/node/read/options.js';

const classes = LABEL_SETS.alnum36.classes;

describe('readRequestOptions', () => {
  it('keeps the fields a request sets, and nothing else', () => {
    const query = {
      top: 5,
      context: false,
      pattern: 'AA99',
      charset: undefined,
      lexicon: 'LONDON',
      // Not reading options of a request: a query string may carry them all the same.
      maxPixels: 1,
      lexiconName: 'secret',
    };
    expect(readRequestOptions(query)).toEqual({
      top: 5,
      context: false,
      pattern: 'AA99',
      lexicon: 'LONDON',
    });
  });

  it('names every field of a request', () => {
    expect([...READ_REQUEST_OPTIONS].sort()).toEqual(
      [
        'alternatives',
        'charset',
        'context',
        'contextScope',
        'decoder',
        'keepSpacing',
        'lexicon',
        'lmWeight',
        'pattern',
        'top',
      ].sort(),
    );
  });
});

describe('prepareReadOptions', () => {
  it('parses the lexicon once, and leaves options without one as they are', () => {
    const prepared = prepareReadOptions({ lexicon: 'LONDON\nPARIS', top: 2 }, classes);
    expect(prepared.top).toBe(2);
    expect(typeof prepared.lexicon).toBe('object');
    const options = { pattern: 'AA99' };
    expect(prepareReadOptions(options, classes)).toBe(options);
  });

  it('refuses what the model cannot read, naming where', () => {
    expect(() => prepareReadOptions({ lexicon: 'L@NDON' }, classes)).toThrow(
      /lexicon: line 1, column 2: '@'/,
    );
    expect(() => prepareReadOptions({ charset: 'digits', pattern: 'AA9' }, classes)).toThrow(
      /pattern 'AA9', position 1/,
    );
    expect(() => prepareReadOptions({ decoder: 'rules', charset: 'digits' }, classes)).toThrow(
      /need the 'language-model' decoder/,
    );
  });
});
