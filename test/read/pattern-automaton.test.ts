// A pattern compiled into the automaton both decoders walk (issue 22 §1): where it puts word
// breaks (an optional item carries its space to the next, nothing before the first character),
// case folding for a model with one case, the empty reading refused, and its work budget.

import { describe, expect, it } from 'vitest';
import { MAX_PATTERN_WORK, parsePattern } from '../../src/core/read/constraints.js';
import { compilePattern, type PatternAutomaton } from '../../src/core/read/pattern-automaton.js';

const CLASSES = ['0', '1', '9', 'A', 'B', 'C'];

/** The state after `text` (a space before a character: read in 'spaced' mode), or -1. */
function walk(a: PatternAutomaton, text: string, classes = CLASSES): number {
  let state = a.start;
  let spaced = false;
  for (const ch of text) {
    if (ch === ' ') {
      spaced = true;
      continue;
    }
    state = a.next(state, classes.indexOf(ch), spaced ? 'spaced' : 'plain');
    spaced = false;
    if (state < 0) return -1;
  }
  return state;
}

const reads = (a: PatternAutomaton, text: string) => {
  const state = walk(a, text);
  return state >= 0 && a.accepts(state);
};

describe('the pattern automaton', () => {
  it('reads a mask with its word break where the pattern has it, and only there', () => {
    const a = compilePattern(parsePattern('AA 99'), CLASSES);
    expect(reads(a, 'AB 19')).toBe(true);
    expect(reads(a, 'AB19')).toBe(false);
    expect(reads(a, 'A B19')).toBe(false);
    expect(reads(a, 'AB 1')).toBe(false);
    // Nothing is read before the first character: no break is pending there.
    expect(a.next(a.start, CLASSES.indexOf('A'), 'spaced')).toBe(-1);
    // The line reader writes its spaces or not: 'any' reads both, space() takes a written one.
    const ab = walk(a, 'AB');
    const spaced = a.space(ab);
    expect(spaced).toBeGreaterThanOrEqual(0);
    expect(a.space(spaced)).toBe(-1);
    expect(a.next(spaced, CLASSES.indexOf('1'), 'plain')).toBeGreaterThanOrEqual(0);
    expect(a.next(ab, CLASSES.indexOf('1'), 'any')).toBeGreaterThanOrEqual(0);
    expect(a.space(a.start)).toBe(-1);
  });

  it('carries the space of a skipped optional item to the next character, never to the first', () => {
    const a = compilePattern(parsePattern('A \\d?B'), CLASSES);
    expect(reads(a, 'A 1B')).toBe(true);
    expect(reads(a, 'A B')).toBe(true);
    expect(reads(a, 'AB')).toBe(false);
    const lead = compilePattern(parsePattern('\\d? A'), CLASSES);
    expect(reads(lead, 'A')).toBe(true);
    expect(reads(lead, '1 A')).toBe(true);
    expect(reads(lead, '1A')).toBe(false);
  });

  it('reads every length of its repeats, and never the empty reading', () => {
    const a = compilePattern(parsePattern('[A-C]{1,3}9?'), CLASSES);
    for (const text of ['A', 'AB', 'ABC', 'ABC9', 'A9']) expect(reads(a, text), text).toBe(true);
    for (const text of ['ABCA', '9', 'A99']) expect(reads(a, text), text).toBe(false);
    expect(a.accepts(a.start)).toBe(false);
    expect(a.accepts(compilePattern(parsePattern('A?'), CLASSES).start)).toBe(false);
  });

  it("reads a class in the model's other case when the model has only one", () => {
    const a = compilePattern(parsePattern('[a-b]1'), CLASSES);
    expect([...a.itemClasses[0]!]).toEqual([0, 0, 0, 1, 1, 0]);
    // With both cases of a, [a-b] is a, not A; without b, its B.
    const some = compilePattern(parsePattern('[a-b]'), ['A', 'a', 'B']);
    expect([...some.itemClasses[0]!]).toEqual([0, 1, 1]);
  });

  it('compiles a class of 65,535 characters as one range, in positions × classes', () => {
    const pattern = parsePattern('[\u0001-\uffff]{1,2}'.repeat(6));
    expect(pattern.items.every((item) => item.chars.length === 1)).toBe(true);
    expect(pattern.positions).toBe(12);
    const a = compilePattern(pattern, CLASSES);
    expect([...a.itemClasses[0]!]).toEqual([1, 1, 1, 1, 1, 1]);
    // Every length from 6 to 12 is one state per length read: 13 states, not 64 variants.
    let state = a.start;
    for (let n = 1; n <= 12; n++) {
      state = a.next(state, 0, 'plain');
      expect(a.accepts(state), `${n} characters`).toBe(n >= 6);
    }
    expect(a.next(state, 0, 'plain')).toBe(-1);
    expect(a.states).toBe(13);
  });

  it('refuses a pattern over its work budget, naming positions × classes', () => {
    const classes = Array.from({ length: 1000 }, (_, k) => String.fromCharCode(0x4e00 + k));
    const pattern = parsePattern('.{50}'.repeat(40));
    expect(pattern.positions * classes.length).toBeGreaterThan(MAX_PATTERN_WORK);
    expect(() => compilePattern(pattern, classes)).toThrow(
      /expected at most 200000 character positions × classes, got 2000 × 1000 = 2000000/,
    );
  });
});
