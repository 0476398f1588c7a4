// Tests of ink documents: InkML and JSON told apart by their first character, one budget on
// their length, clear errors for neither; and a drawing of several lines rendered at one scale.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { HcrError } from '../../../src/core/errors.js';
import { parseInk, renderInkPage } from '../../../src/core/ink/document.js';
import { resolveInkLimits } from '../../../src/core/ink/limits.js';
import type { InkStroke } from '../../../src/core/ink/types.js';

const fixture = (name: string): string =>
  readFileSync(new URL(`../../fixtures/ink/${name}`, import.meta.url), 'utf8');

describe('parseInk', () => {
  it('reads InkML and JSON alike, a byte-order mark and white space aside', () => {
    const fromXml = parseInk(fixture('unipen-hello.inkml'));
    expect(parseInk(`\uFEFF\n ${fixture('unipen-hello.json')}`)).toEqual(fromXml);
  });

  it('says what it expected for text that is neither, or too long', () => {
    expect(() => parseInk('hello', undefined, 'a.txt')).toThrow(
      /^a\.txt: expected InkML \(<ink>\.\.\.\) or JSON strokes, got text that is neither/,
    );
    expect(() => parseInk('  ')).toThrow(/got nothing/);
    expect(() => parseInk('x'.repeat(50), resolveInkLimits({ maxInkmlChars: 10 }))).toThrow(
      HcrError,
    );
    expect(() => parseInk('[1]')).toThrow(/stroke 0: expected a list of points/);
  });
});

describe('renderInkPage', () => {
  /** A "word" of three strokes `height` tall, at `top`. */
  const word = (top: number, height: number): InkStroke[] =>
    [0, 20, 40].map((x) => [
      { x, y: top },
      { x: x + 10, y: top + height },
    ]);

  it('brings the median line to 64 px, however many lines', () => {
    const image = renderInkPage([...word(0, 10), ...word(40, 10), ...word(80, 12)]);
    expect(image.scale).toBeCloseTo(6.4, 5);
    expect(image.height).toBeGreaterThan(92 * 6.4);
  });

  it('renders one line as renderInk does', () => {
    const image = renderInkPage(word(0, 10));
    expect(image.scale).toBeCloseTo(6.4, 5);
  });
});
