// A pattern (constraints.ts) compiled against a model's classes into the automaton both
// decoders walk (decode.ts for the glyph reader, ctc-decode.ts for the line reader), with a work
// budget of its own (docs/DESIGN.md §9): compiling costs the automaton's character positions ×
// the model's classes, at most MAX_PATTERN_WORK, whatever the pattern's text or its character
// classes' sizes. Its states are the sets of positions a reading may be at (a subset
// construction done lazily, as the decoder asks): each step is computed once and then looked up,
// so decoding under a pattern costs about what decoding without one does.

import { HcrError } from '../errors.js';
import { MAX_PATTERN_WORK, rangesHave } from './constraints.js';
import type { CharRanges, Pattern } from './constraints.js';

/**
 * Which positions a character may be read from: `'plain'` those with no word break pending,
 * `'spaced'` those where one is (the character starts a word; the glyph reader writes the
 * space), `'any'` both (the line reader writes its spaces or not, see
 * {@link PatternAutomaton.space}).
 */
export type PatternStepMode = 'plain' | 'spaced' | 'any';

const MODES: Readonly<Record<PatternStepMode, number>> = Object.freeze({
  plain: 0,
  spaced: 1,
  any: 2,
});

/**
 * Most positions the automaton may visit while one decoder reads one line (each step it has not
 * taken before visits its state's positions once; a step taken again is looked up).
 */
export const MAX_PATTERN_DECODE_WORK = 20_000_000;

/** A pattern compiled against a model's classes; see {@link compilePattern}. */
export interface PatternAutomaton {
  /** The state before any character. */
  readonly start: number;
  /** Per item of the pattern, which of the classes it allows (1) or not (0). */
  readonly itemClasses: readonly Uint8Array[];
  /** The state after class `k` read from `state` in `mode`; -1 when the pattern forbids it. */
  next(state: number, k: number, mode: PatternStepMode): number;
  /** The state after a written space (a word break the pattern has here); -1 when it has none. */
  space(state: number): number;
  /** Whether a reading may end in `state`. */
  accepts(state: number): boolean;
  /** States made so far (each costs at most 2 × positions + 2 numbers). */
  readonly states: number;
}

/** Whether `ranges` allow class `c`, or its other case when the classes lack `c`'s own case. */
function allowsClass(ranges: CharRanges, c: string, known: ReadonlySet<string>): boolean {
  if (rangesHave(ranges, c)) return true;
  for (const other of [c.toLowerCase(), c.toUpperCase()]) {
    if (other !== c && !known.has(other) && rangesHave(ranges, other)) return true;
  }
  return false;
}

/**
 * Compiles `pattern` against `classes` (a space class is never a pattern's character: spaces are
 * its word breaks). An item's characters match a class when they hold it, or hold its other case
 * and the classes lack that case (a model without lowercase reads `[a-z]` as its capitals).
 *
 * A position is a character slot of the pattern (item i's r-th repeat), and a state of the
 * automaton a set of (position, word break pending) pairs; a break is pending at an item with a
 * space before it, or after an optional item with one that was skipped, once something was read.
 *
 * @throws HcrError BAD_OPTION when positions × classes exceed {@link MAX_PATTERN_WORK}
 * @example
 * const a = compilePattern(parsePattern('A9'), ['0', '1', 'A', 'B']);
 * a.accepts(a.next(a.next(a.start, 2, 'plain'), 0, 'plain')); // true: 'A0'
 */
export function compilePattern(pattern: Pattern, classes: readonly string[]): PatternAutomaton {
  const C = classes.length;
  const S = pattern.positions;
  const work = S * C;
  if (work > MAX_PATTERN_WORK) {
    throw new HcrError(
      'BAD_OPTION',
      `pattern '${pattern.source}': expected at most ${MAX_PATTERN_WORK} character positions × ` +
        `classes, got ${S} × ${C} = ${work}; give fewer or shorter repeats`,
    );
  }
  const known = new Set(classes);
  const items = pattern.items;
  const itemClasses = items.map((item) => {
    const row = new Uint8Array(C);
    classes.forEach((c, k) => {
      if (c !== ' ' && allowsClass(item.chars, c, known)) row[k] = 1;
    });
    return row;
  });
  // Position j belongs to item itemOf[j], as its repeat[j]-th repeat (0-based).
  const itemOf = new Int32Array(S);
  const repeat = new Int32Array(S);
  const itemStart = new Int32Array(items.length + 1);
  let j = 0;
  items.forEach((item, i) => {
    itemStart[i] = j;
    for (let r = 0; r < item.max; r++, j++) {
      itemOf[j] = i;
      repeat[j] = r;
    }
  });
  itemStart[items.length] = S;
  const END = 2 * S;

  /**
   * Adds position `pos` with a break pending or not, and every position reachable by skipping
   * optional repeats, to `out` (a state is id = 2 * position + pending). Before anything is read
   * (`started` false) no break is pending, and the end is not reached: a reading reads something.
   */
  const close = (pos: number, pending: boolean, started: boolean, out: Set<number>): void => {
    for (;;) {
      if (pos === S) {
        if (started) out.add(END);
        return;
      }
      const id = 2 * pos + (pending ? 1 : 0);
      // What follows a state is the same each time: once added, the rest of its chain is too.
      if (out.has(id)) return;
      out.add(id);
      const i = itemOf[pos]!;
      if (repeat[pos]! < items[i]!.min) return;
      const after = items[i + 1];
      pending = (pending || (after?.spaceBefore ?? false)) && started;
      pos = itemStart[i + 1]!;
    }
  };

  // Each new step visits the positions of a state: bounded in all, whatever the decoder asks.
  let spent = 0;
  const spend = (positions: number): void => {
    spent += positions + 1;
    if (spent > MAX_PATTERN_DECODE_WORK) {
      throw new HcrError(
        'BAD_OPTION',
        `pattern '${pattern.source}': expected at most ${MAX_PATTERN_DECODE_WORK} steps of its ` +
          `automaton to read a line, needed more; give fewer optional repeats`,
      );
    }
  };
  const sets: Int32Array[] = [];
  const ids = new Map<string, number>();
  const steps: Map<number, number>[] = [];
  const intern = (out: Set<number>): number => {
    if (out.size === 0) return -1;
    const sorted = Int32Array.from(out).sort();
    const key = sorted.join(',');
    let id = ids.get(key);
    if (id === undefined) {
      id = sets.length;
      sets.push(sorted);
      steps.push(new Map());
      ids.set(key, id);
    }
    return id;
  };
  const initial = new Set<number>();
  close(0, false, false, initial);
  const start = intern(initial);

  const next = (state: number, k: number, mode: PatternStepMode): number => {
    const key = MODES[mode] * C + k;
    const cached = steps[state]!.get(key);
    if (cached !== undefined) return cached;
    const out = new Set<number>();
    spend(sets[state]!.length);
    for (const id of sets[state]!) {
      if (id === END) continue;
      const pending = (id & 1) === 1;
      if ((mode === 'plain' && pending) || (mode === 'spaced' && !pending)) continue;
      const pos = id >> 1;
      const i = itemOf[pos]!;
      if (itemClasses[i]![k] !== 1) continue;
      const to = pos + 1;
      // Past the item's last repeat, the next item's space comes before its first character.
      const entering = to === itemStart[i + 1];
      close(to, entering && (items[i + 1]?.spaceBefore ?? false), true, out);
    }
    const result = intern(out);
    steps[state]!.set(key, result);
    return result;
  };

  const space = (state: number): number => {
    const key = 3 * C;
    const cached = steps[state]!.get(key);
    if (cached !== undefined) return cached;
    const out = new Set<number>();
    spend(sets[state]!.length);
    for (const id of sets[state]!) {
      if (id !== END && (id & 1) === 1) close(id >> 1, false, true, out);
    }
    const result = intern(out);
    steps[state]!.set(key, result);
    return result;
  };

  return {
    start,
    itemClasses,
    next,
    space,
    accepts: (state) => sets[state]![sets[state]!.length - 1] === END,
    get states() {
      return sets.length;
    },
  };
}
