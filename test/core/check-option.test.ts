// The option check that normalizeToMnist's and read's option resolvers share.

import { describe, expect, it } from 'vitest';

import { optionChecker, quoteChoices } from '../../src/core/check-option.js';
import { HcrError } from '../../src/core/errors.js';

describe('optionChecker', () => {
  it('passes a good value and names where, the option, the expectation and the value', () => {
    const check = optionChecker('read');
    expect(() => check(true, 'top', 'an integer >= 1', 3)).not.toThrow();
    expect(() => check(false, 'top', 'an integer >= 1', 0)).toThrow(
      /^read: expected top an integer >= 1, got 0$/,
    );
    try {
      check(false, 'top', 'an integer >= 1', 0);
    } catch (error) {
      expect(error).toBeInstanceOf(HcrError);
      expect((error as HcrError).code).toBe('BAD_OPTION');
    }
  });

  it('checks a range, ends included, and refuses NaN', () => {
    const check = optionChecker('normalizeToMnist');
    expect(() => check.range('noiseThreshold', 0, 0, 1)).not.toThrow();
    expect(() => check.range('noiseThreshold', 1, 0, 1)).not.toThrow();
    expect(() => check.range('noiseThreshold', 1.5, 0, 1)).toThrow(
      /^normalizeToMnist: expected noiseThreshold in 0-1, got 1.5$/,
    );
    expect(() => check.range('noiseThreshold', Number.NaN, 0, 1)).toThrow(/got NaN/);
  });
});

describe('quoteChoices', () => {
  it('quotes the choices and puts the last after "or"', () => {
    expect(quoteChoices(['auto', 'dark-on-light', 'light-on-dark'])).toBe(
      "'auto', 'dark-on-light' or 'light-on-dark'",
    );
    expect(quoteChoices(['lookalikes', 'all'])).toBe("'lookalikes' or 'all'");
    expect(quoteChoices(['one'])).toBe("'one'");
  });
});
