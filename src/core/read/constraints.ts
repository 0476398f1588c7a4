// What a form reader knows about a field before reading it, as constraints of the search of
// reading (decode.ts): the characters it may hold (charset), its shape (a pattern such as
// `AA99 9AA` or a small regex `[A-Z]{2}\d{2} \d[A-Z]{2}`), or the list of entries it holds
// (a lexicon). Each is parsed and checked once here; a mistake is an HcrError BAD_OPTION that
// names the position that is wrong.

import { HcrError } from '../errors.js';

const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const DIGITS = '0123456789';

/**
 * The named charsets: any other value of the charset option is the characters themselves.
 *
 * @example
 * Object.keys(CHARSETS); // ['digits', 'letters', 'alnum']
 */
export const CHARSETS: Readonly<Record<string, string>> = Object.freeze({
  digits: DIGITS,
  letters: LETTERS,
  alnum: DIGITS + LETTERS,
});

/**
 * The classes a charset allows, among `classes` (a label set without lowercase reads `a` in
 * a charset as its `A`).
 *
 * @throws HcrError BAD_OPTION when the charset allows none of the classes, naming what it holds
 * @example
 * charsetClasses('digits', ['0', '1', 'A']); // Set { '0', '1' }
 */
export function charsetClasses(charset: string, classes: readonly string[]): Set<string> {
  const chars = Object.prototype.hasOwnProperty.call(CHARSETS, charset)
    ? CHARSETS[charset]!
    : charset;
  const known = new Set(classes);
  const allowed = new Set<string>();
  for (const ch of chars) {
    if (known.has(ch)) allowed.add(ch);
    else if (known.has(ch.toUpperCase())) allowed.add(ch.toUpperCase());
    else if (known.has(ch.toLowerCase())) allowed.add(ch.toLowerCase());
  }
  if (allowed.size === 0) {
    throw new HcrError(
      'BAD_OPTION',
      `charset: expected ${Object.keys(CHARSETS).join(', ')} or characters the model reads ` +
        `(${classes.join('')}), got '${charset}'`,
    );
  }
  return allowed;
}

/** Longest pattern accepted, in characters. */
export const MAX_PATTERN_LENGTH = 200;
/**
 * Most work a pattern may cost to compile against a model (pattern-automaton.ts): its
 * automaton's character positions × the model's classes. A pattern is bounded by what it costs,
 * not by its text: `[\u0001-\uffff]` is one range, `\d{50}` is 50 positions.
 */
export const MAX_PATTERN_WORK = 200_000;
/** Most entries of a lexicon, and its longest entry. */
export const MAX_LEXICON_ENTRIES = 100_000;
export const MAX_LEXICON_ENTRY_LENGTH = 100;

/**
 * A set of characters as sorted, disjoint, non-adjacent ranges of UTF-16 code units, each
 * `[first, last]` inclusive: `[A-Z0-9]` is `[[48, 57], [65, 90]]`, and `[\u0001-\uffff]` one
 * range, never a list of 65,535 characters.
 */
export type CharRanges = readonly (readonly [number, number])[];

/** `ranges` sorted and merged into a {@link CharRanges}. */
function mergeRanges(ranges: readonly (readonly [number, number])[]): CharRanges {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  for (const [first, last] of sorted) {
    const top = out[out.length - 1];
    if (top && first <= top[1] + 1) top[1] = Math.max(top[1], last);
    else out.push([first, last]);
  }
  return out;
}

/**
 * The ranges of the characters of `chars`.
 *
 * @example
 * charRanges('0123456789'); // [[48, 57]]
 */
export function charRanges(chars: string): CharRanges {
  return mergeRanges(Array.from(chars, (ch) => [ch.charCodeAt(0), ch.charCodeAt(0)] as const));
}

/**
 * Whether `ranges` hold the character `ch` (one UTF-16 code unit; a longer string never).
 *
 * @example
 * rangesHave(charRanges('0123456789'), '7'); // true
 */
export function rangesHave(ranges: CharRanges, ch: string): boolean {
  if (ch.length !== 1) return false;
  const code = ch.charCodeAt(0);
  let lo = 0;
  let hi = ranges.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const [first, last] = ranges[mid]!;
    if (code < first) hi = mid - 1;
    else if (code > last) lo = mid + 1;
    else return true;
  }
  return false;
}

/** The characters of `universe` not in `removed`. */
function subtractRanges(universe: CharRanges, removed: CharRanges): CharRanges {
  const out: [number, number][] = [];
  for (const [first, last] of universe) {
    let from = first;
    for (const [a, b] of removed) {
      if (b < from || a > last) continue;
      if (a > from) out.push([from, a - 1]);
      from = Math.max(from, b + 1);
    }
    if (from <= last) out.push([from, last]);
  }
  return out;
}

const DIGIT_RANGES = charRanges(DIGITS);
const LETTER_RANGES = charRanges(LETTERS);
const ALNUM_RANGES = charRanges(DIGITS + LETTERS);

/**
 * One item of a pattern: a set of characters, repeated `min` to `max` times.
 */
export interface PatternItem {
  /** The characters allowed (before they are matched against a model's classes). */
  readonly chars: CharRanges;
  /** Where it is in the pattern's source (0-based), for messages. */
  readonly at: number;
  readonly min: number;
  readonly max: number;
  /** True when a space comes before it (a word starts), unless nothing was read before it. */
  readonly spaceBefore: boolean;
}

/**
 * A parsed pattern: its items in order. pattern-automaton.ts compiles it against a model's
 * classes into the automaton the decoders walk.
 */
export interface Pattern {
  /** The pattern as given. */
  readonly source: string;
  readonly items: readonly PatternItem[];
  /** Character positions of its automaton: the sum of the items' `max`. */
  readonly positions: number;
  /** Fewest and most characters a reading has (spaces aside). */
  readonly minLength: number;
  readonly maxLength: number;
}

/**
 * The error of a pattern, naming the position (0-based `at`) with a caret under it.
 *
 * @example
 * throw patternError('AB{2', 2, "expected '}' to close this repeat");
 */
export function patternError(source: string, at: number, what: string): HcrError {
  return new HcrError(
    'BAD_OPTION',
    `pattern '${source}', position ${at + 1}: ${what}\n  ${source}\n  ${' '.repeat(at)}^`,
  );
}

const REGEX_SYNTAX = /[[\]\\{}().*+?|^$]/;

/**
 * Parses a pattern, in time linear in its text (at most {@link MAX_PATTERN_LENGTH} characters).
 * Two forms:
 * - a mask, when it holds no regex syntax: `A` a letter, `9` a digit, `#` a letter or digit,
 *   a space a word break, any other character itself (`AA99 9AA`, `99-AAA`);
 * - a small regex subset: literal characters, `.` (any), `\d`, `\w` (a letter or digit), `\s`
 *   or a space (a word break), classes `[A-Z0-9]` and `[^...]` (kept as ranges), and quantifiers
 *   `?`, `{n}`, `{m,n}` (no `*`, `+`, groups or alternatives: a field has a bounded length).
 *
 * @throws HcrError BAD_OPTION naming the position that is wrong, with a caret under it
 * @example
 * parsePattern('AA99 9AA').items.length; // 7
 * parsePattern('[A-Z]{2}\\d{2} \\d[A-Z]{2}').items[2].spaceBefore; // true
 */
export function parsePattern(source: string): Pattern {
  if (source.length === 0) throw patternError(source, 0, 'expected a pattern, got nothing');
  if (source.length > MAX_PATTERN_LENGTH) {
    throw patternError(
      source,
      MAX_PATTERN_LENGTH,
      `expected at most ${MAX_PATTERN_LENGTH} characters`,
    );
  }
  const items = REGEX_SYNTAX.test(source) ? parseRegex(source) : parseMask(source);
  if (items.length === 0) throw patternError(source, 0, 'expected at least one character');
  return {
    source,
    items,
    positions: items.reduce((n, item) => n + item.max, 0),
    minLength: items.reduce((n, item) => n + item.min, 0),
    maxLength: items.reduce((n, item) => n + item.max, 0),
  };
}

function parseMask(source: string): PatternItem[] {
  const items: PatternItem[] = [];
  let space = false;
  [...source].forEach((ch, at) => {
    if (ch === ' ') {
      space = true;
      return;
    }
    const chars =
      ch === 'A'
        ? LETTER_RANGES
        : ch === '9'
          ? DIGIT_RANGES
          : ch === '#'
            ? ALNUM_RANGES
            : charRanges(ch);
    items.push({ chars, at, min: 1, max: 1, spaceBefore: space });
    space = false;
  });
  return items;
}

function parseRegex(source: string): PatternItem[] {
  const items: PatternItem[] = [];
  let space = false;
  let i = 0;
  const fail = (at: number, what: string): never => {
    throw patternError(source, at, what);
  };
  const escape = (at: number): CharRanges => {
    const e = source[at];
    if (e === undefined) return fail(at - 1, 'expected a character after \\');
    if (e === 'd') return DIGIT_RANGES;
    if (e === 'w') return ALNUM_RANGES;
    if (/[A-Za-z0-9]/.test(e))
      return fail(at - 1, `unknown escape \\${e} (expected \\d, \\w or \\s)`);
    return charRanges(e);
  };
  while (i < source.length) {
    const ch = source[i]!;
    const start = i;
    let chars: CharRanges;
    if (ch === ' ' || (ch === '\\' && source[i + 1] === 's')) {
      space = true;
      i += ch === ' ' ? 1 : 2;
      continue;
    }
    if (ch === '[') {
      let j = i + 1;
      const negate = source[j] === '^';
      if (negate) j++;
      const set: (readonly [number, number])[] = [];
      while (j < source.length && source[j] !== ']') {
        const c = source[j]!;
        if (c === '\\') {
          set.push(...escape(j + 1));
          j += 2;
          continue;
        }
        if (source[j + 1] === '-' && source[j + 2] !== undefined && source[j + 2] !== ']') {
          const to = source[j + 2]!;
          if (to.charCodeAt(0) < c.charCodeAt(0)) fail(j, `range ${c}-${to} is backwards`);
          set.push([c.charCodeAt(0), to.charCodeAt(0)]);
          j += 3;
          continue;
        }
        if (c === '[') fail(j, "expected ']' to close the class, got '['");
        set.push([c.charCodeAt(0), c.charCodeAt(0)]);
        j++;
      }
      if (j >= source.length) fail(i, "expected ']' to close this class");
      if (set.length === 0) fail(i, 'expected at least one character in the class');
      // A negated class means the letters and digits it does not name.
      chars = negate ? subtractRanges(ALNUM_RANGES, mergeRanges(set)) : mergeRanges(set);
      if (chars.length === 0) fail(i, 'expected a class that allows a letter or digit');
      i = j + 1;
    } else if (ch === '\\') {
      chars = escape(i + 1);
      i += 2;
    } else if (ch === '.') {
      chars = ALNUM_RANGES;
      i++;
    } else if ('*+'.includes(ch)) {
      return fail(i, `'${ch}' is not supported: give a bounded repeat such as {1,8}`);
    } else if ('(|)'.includes(ch)) {
      return fail(i, `'${ch}' is not supported: groups and alternatives are not part of patterns`);
    } else if ('^$'.includes(ch)) {
      return fail(i, `'${ch}' is not needed: a pattern always matches the whole line`);
    } else if ('?{}]'.includes(ch)) {
      return fail(i, `'${ch}' has nothing to repeat or close here`);
    } else {
      chars = charRanges(ch);
      i++;
    }
    let min = 1;
    let max = 1;
    if (source[i] === '?') {
      min = 0;
      i++;
    } else if (source[i] === '{') {
      const close = source.indexOf('}', i);
      if (close < 0) fail(i, "expected '}' to close this repeat");
      const body = source.slice(i + 1, close);
      const m = /^(\d+)(?:,(\d+))?$/.exec(body);
      if (!m) fail(i + 1, `expected {n} or {m,n} with numbers, got {${body}}`);
      min = Number(m![1]);
      max = m![2] === undefined ? min : Number(m![2]);
      if (max < min) fail(i + 1, `expected m <= n in {m,n}, got {${body}}`);
      if (max === 0) fail(i + 1, 'expected a repeat of at least 1');
      if (max > 50) fail(i + 1, `expected at most 50 repeats, got ${max}`);
      i = close + 1;
    }
    if (source[i] === '?' || source[i] === '{') {
      fail(i, `a second repeat after the one at position ${start + 1}'s item`);
    }
    items.push({ chars, at: start, min, max, spaceBefore: space });
    space = false;
  }
  return items;
}

/** A parsed lexicon: its entries, and a trie of them for the search. */
export interface Lexicon {
  /** The entries as given (trimmed), in file order, without duplicates. */
  readonly entries: readonly string[];
  /** The trie over the entries' characters without spaces. */
  readonly root: LexiconNode;
}

/** A node of a lexicon's trie. */
export interface LexiconNode {
  readonly children: Map<string, LexiconNode>;
  /** The entry that ends here (its index in `entries`), if any. */
  entry?: number;
}

/**
 * Parses a lexicon: one entry a line (trimmed; blank lines skipped; spaces inside an entry are
 * kept). Each entry must be made of characters of `classes` (or of their other case when the
 * classes have only one), or of spaces.
 *
 * @param name - the lexicon's name in messages (a file name)
 * @throws HcrError BAD_OPTION naming the line and column of a character the model cannot read,
 *   an empty lexicon, or too many or too long entries
 * @example
 * parseLexicon('LONDON\nPARIS', ['A', ..., 'Z']).entries; // ['LONDON', 'PARIS']
 */
export function parseLexicon(text: string, classes: readonly string[], name = 'lexicon'): Lexicon {
  const known = new Set(classes);
  const entries: string[] = [];
  const seen = new Set<string>();
  const root: LexiconNode = { children: new Map() };
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, n) => {
    const lead = raw.length - raw.trimStart().length;
    const entry = raw.trim();
    if (entry.length === 0 || seen.has(entry)) return;
    if (entry.length > MAX_LEXICON_ENTRY_LENGTH) {
      throw new HcrError(
        'BAD_OPTION',
        `${name}: line ${n + 1}: expected an entry of at most ${MAX_LEXICON_ENTRY_LENGTH} characters, got ${entry.length}`,
      );
    }
    let node = root;
    [...entry].forEach((ch, k) => {
      if (ch === ' ') return;
      const label = known.has(ch)
        ? ch
        : known.has(ch.toUpperCase())
          ? ch.toUpperCase()
          : known.has(ch.toLowerCase())
            ? ch.toLowerCase()
            : undefined;
      if (label === undefined) {
        throw new HcrError(
          'BAD_OPTION',
          `${name}: line ${n + 1}, column ${lead + k + 1}: '${ch}' is not a character the model ` +
            `reads (${classes.join('')})`,
        );
      }
      let child = node.children.get(label);
      if (!child) {
        child = { children: new Map() };
        node.children.set(label, child);
      }
      node = child;
    });
    seen.add(entry);
    node.entry ??= entries.length;
    entries.push(entry);
    if (entries.length > MAX_LEXICON_ENTRIES) {
      throw new HcrError(
        'BAD_OPTION',
        `${name}: line ${n + 1}: expected at most ${MAX_LEXICON_ENTRIES} entries`,
      );
    }
  });
  if (entries.length === 0) {
    throw new HcrError('BAD_OPTION', `${name}: expected at least one entry (one a line), got none`);
  }
  return { entries, root };
}
