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

/** Longest pattern accepted, in characters. */
export const MAX_PATTERN_LENGTH = 200;
/** Most readings of different lengths one pattern may allow (`{m,n}` and `?` multiply them). */
export const MAX_PATTERN_VARIANTS = 64;
/** Most lexicon entries, and longest entry. */
export const MAX_LEXICON_ENTRIES = 100_000;
export const MAX_LEXICON_ENTRY_LENGTH = 100;

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

/** One character position of a pattern: the characters allowed there. */
export interface PatternSlot {
  /** The characters allowed (before they are matched against the model's classes). */
  readonly chars: string;
  /** Where it is in the pattern's source (0-based), for messages. */
  readonly at: number;
  /** True when a space comes before it (a word starts). */
  readonly spaceBefore: boolean;
}

/** A parsed pattern: every sequence of character positions it allows (one per length). */
export interface Pattern {
  /** The pattern as given. */
  readonly source: string;
  /** The readings it allows, each a list of slots; at most {@link MAX_PATTERN_VARIANTS}. */
  readonly variants: readonly (readonly PatternSlot[])[];
}

function patternError(source: string, at: number, what: string): HcrError {
  return new HcrError(
    'BAD_OPTION',
    `pattern '${source}', position ${at + 1}: ${what}\n  ${source}\n  ${' '.repeat(at)}^`,
  );
}

/** One item of a pattern before expansion: a set of characters repeated min..max times. */
interface PatternItem {
  chars: string;
  at: number;
  min: number;
  max: number;
  spaceBefore: boolean;
}

const REGEX_SYNTAX = /[[\]\\{}().*+?|^$]/;

/**
 * Parses a pattern. Two forms:
 * - a mask, when it holds no regex syntax: `A` a letter, `9` a digit, `#` a letter or digit,
 *   a space a word break, any other character itself (`AA99 9AA`, `99-AAA`);
 * - a small regex subset: literal characters, `.` (any), `\d`, `\w` (a letter or digit), `\s`
 *   or a space (a word break), classes `[A-Z0-9]` and `[^...]`, and quantifiers `?`, `{n}`,
 *   `{m,n}` (no `*`, `+`, groups or alternatives: a field has a bounded length).
 *
 * @throws HcrError BAD_OPTION naming the position that is wrong, with a caret under it
 * @example
 * parsePattern('AA99 9AA').variants[0].length; // 7
 * parsePattern('[A-Z]{2}\\d{2} \\d[A-Z]{2}').variants[0][4].spaceBefore; // true
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
  // Expand the optional repeats into every length they allow; a space carried by an item
  // repeated 0 times moves to the next character.
  let variants: { slots: PatternSlot[]; space: boolean }[] = [{ slots: [], space: false }];
  for (const item of items) {
    const next: typeof variants = [];
    for (const v of variants) {
      for (let n = item.min; n <= item.max; n++) {
        const space = v.space || item.spaceBefore;
        const slots = Array.from({ length: n }, (_, k) => ({
          chars: item.chars,
          at: item.at,
          spaceBefore: k === 0 && space && v.slots.length > 0,
        }));
        next.push({ slots: [...v.slots, ...slots], space: n === 0 && space });
      }
    }
    if (next.length > MAX_PATTERN_VARIANTS) {
      throw patternError(
        source,
        item.at,
        `expected at most ${MAX_PATTERN_VARIANTS} lengths of reading, the repeats up to here allow ${next.length}`,
      );
    }
    variants = next;
  }
  const fixed = variants.map((v) => v.slots).filter((v) => v.length > 0);
  if (fixed.length === 0) throw patternError(source, 0, 'expected a pattern that reads something');
  return { source, variants: fixed };
}

function parseMask(source: string): PatternItem[] {
  const items: PatternItem[] = [];
  let space = false;
  [...source].forEach((ch, at) => {
    if (ch === ' ') {
      space = true;
      return;
    }
    const chars = ch === 'A' ? LETTERS : ch === '9' ? DIGITS : ch === '#' ? DIGITS + LETTERS : ch;
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
  const escape = (at: number): string => {
    const e = source[at];
    if (e === undefined) return fail(at - 1, 'expected a character after \\');
    if (e === 'd') return DIGITS;
    if (e === 'w') return DIGITS + LETTERS;
    if (/[A-Za-z0-9]/.test(e))
      return fail(at - 1, `unknown escape \\${e} (expected \\d, \\w or \\s)`);
    return e;
  };
  while (i < source.length) {
    const ch = source[i]!;
    const start = i;
    let chars: string;
    if (ch === ' ' || (ch === '\\' && source[i + 1] === 's')) {
      space = true;
      i += ch === ' ' ? 1 : 2;
      continue;
    }
    if (ch === '[') {
      let j = i + 1;
      const negate = source[j] === '^';
      if (negate) j++;
      let set = '';
      while (j < source.length && source[j] !== ']') {
        let c = source[j]!;
        if (c === '\\') {
          set += escape(j + 1);
          j += 2;
          continue;
        }
        if (source[j + 1] === '-' && source[j + 2] !== undefined && source[j + 2] !== ']') {
          const to = source[j + 2]!;
          if (to.charCodeAt(0) < c.charCodeAt(0)) fail(j, `range ${c}-${to} is backwards`);
          for (let k = c.charCodeAt(0); k <= to.charCodeAt(0); k++) set += String.fromCharCode(k);
          j += 3;
          continue;
        }
        if (c === '[') fail(j, "expected ']' to close the class, got '['");
        c = source[j]!;
        set += c;
        j++;
      }
      if (j >= source.length) fail(i, "expected ']' to close this class");
      if (set.length === 0) fail(i, 'expected at least one character in the class');
      chars = negate ? [...(DIGITS + LETTERS)].filter((c) => !set.includes(c)).join('') : set;
      i = j + 1;
    } else if (ch === '\\') {
      chars = escape(i + 1);
      i += 2;
    } else if (ch === '.') {
      chars = DIGITS + LETTERS;
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
      chars = ch;
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
