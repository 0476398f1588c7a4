// The trainer of the line reader's language model (the `line` part of language-model.json; its
// format and scoring are language-model.ts's): the same mixture per word as the glyph reader's
// model, English words or codes, but over what a line model writes besides letters and digits
// (the punctuation of LINE_CHARSET, attached to words as writing attaches it: `end.`, `(so)`,
// `don't`, `well-known`), and with each component's prior over its words' case shapes, learned
// from the case of the word list's entries and of the handwritten labels given.

import { HcrError } from '../errors.js';
import { createRandom, type Random } from '../random.js';
import {
  CASE_SHAPES,
  countNgrams,
  drawCodes,
  type LanguageModelComponentFile,
  type LineLanguageModelFile,
  type NgramModelOptions,
} from './language-model.js';

const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const DIGITS = '0123456789';

/** The punctuation a line model writes (LINE_CHARSET's), each its own symbol. */
export const LINE_PUNCTUATION = '.,\'-!?:;()/&"';

/** Options of {@link buildLineLanguageModel}; defaults in {@link LINE_LANGUAGE_MODEL_DEFAULTS}. */
export interface LineLanguageModelOptions extends NgramModelOptions {
  /** Words with their frequency counts, in their usual case (`I`, `London`, `the`). */
  readonly words: Iterable<readonly [string, number]>;
  /**
   * Texts as people wrote them (labels of handwriting): their space-separated tokens join the
   * words, as written, and their case shapes teach the prior. Default: none.
   */
  readonly texts?: Iterable<string>;
  /**
   * Share (of `codes`) of codes drawn as any mix of letters and digits, 2-9 long, sometimes in
   * hyphenated groups: serial numbers and IDs follow no template, and a codes model that knows
   * only runs and templates pulls such a code's letters to digits and splits it at a space.
   * Default: 0.5.
   */
  readonly mixedCodes?: number;
}

/**
 * The defaults of {@link LineLanguageModelOptions}.
 *
 * @example
 * LINE_LANGUAGE_MODEL_DEFAULTS.wordOrder; // 5
 */
export const LINE_LANGUAGE_MODEL_DEFAULTS = Object.freeze({
  wordOrder: 5,
  codeOrder: 4,
  wordWeight: 0.6,
  minCount: 3,
  codes: 20000,
  mixedCodes: 0.5,
  seed: 1,
  source: 'English words',
});

/**
 * How often a word carries punctuation, and which: trailing marks, a possessive, quotes and
 * brackets around it, and compounds joined by a hyphen or a slash (the rest: none).
 */
const DECORATIONS: readonly (readonly [string, number])[] = Object.freeze([
  ['w,', 0.05],
  ['w.', 0.05],
  ['w?', 0.008],
  ['w!', 0.008],
  ['w:', 0.005],
  ['w;', 0.003],
  ["w's", 0.01],
  ['"w"', 0.004],
  ['"w', 0.002],
  ['w"', 0.002],
  ['(w)', 0.003],
  ['(w', 0.001],
  ['w)', 0.001],
  ['w-w', 0.006],
  ['w/w', 0.002],
]);

/** The fixed prior over case shapes (lower, Capitalized, UPPER, any), and its share. */
const CASE_PRIOR = Object.freeze([0.25, 0.25, 0.4, 0.1]);
const CASE_PRIOR_SHARE = 0.3;

/** Contractions, which a word list of spoken English splits at the apostrophe. */
const CONTRACTIONS = Object.freeze(
  (
    "don't it's I'm can't that's you're I'll won't didn't isn't let's what's there's he's " +
    "she's I've we're they're doesn't wasn't couldn't wouldn't haven't I'd you'll aren't " +
    "we'll shouldn't you've weren't hasn't who's o'clock"
  ).split(' '),
);

/** Codes written with separators: dates, times, phone numbers, decimals, ranges. */
const CODE_FORMATS: readonly (readonly [string, number])[] = Object.freeze([
  ['DD/DD/DDDD', 2],
  ['D/D/DD', 1],
  ['DD.DD.DDDD', 1],
  ['DD:DD', 2],
  ['D:DD', 1],
  ['DDD-DDDD', 2],
  ['DDD-DDD-DDDD', 1],
  ['D.DD', 1],
  ['DD.D', 1],
  ['DDDD-DDDD', 1],
  ['LL-DDDD', 1],
  ['D/D', 1],
  ['DDDDD-DDDD', 1],
]);

function pickWeighted(rand: Random, table: readonly (readonly [string, number])[]): string {
  const total = table.reduce((s, [, w]) => s + w, 0);
  let t = rand() * total;
  for (const [value, w] of table) {
    t -= w;
    if (t < 0) return value;
  }
  return table[table.length - 1]![0];
}

/**
 * The prior over the case shapes of codes (lower, Capitalized, UPPER, any): mostly capitals, but
 * lowercase (`x7k2`) and mixed (`W26b`) codes are common enough not to be read as capitals.
 */
const CODE_CASES = Object.freeze([0.25, 0.05, 0.5, 0.2]);

/** Hyphens between a mixed code's characters, per gap. */
const MIXED_CODE_HYPHEN = 0.08;

/** A code's shape as any mix of letters (L) and digits (D), 2-9 long, sometimes hyphenated. */
function mixedCodeShape(rand: Random): string {
  const n = 2 + Math.floor(rand() * 8);
  let shape = '';
  for (let k = 0; k < n; k++) {
    shape += rand() < 0.5 ? 'D' : 'L';
    if (k > 0 && k < n - 1 && rand() < MIXED_CODE_HYPHEN) shape += '-';
  }
  return shape;
}

/** The index into CASE_SHAPES of a token's case shape; -1 when it has no letter. */
export function caseShapeOf(token: string): number {
  const letters = [...token].filter((ch) => ch.toUpperCase() !== ch.toLowerCase());
  if (letters.length === 0) return -1;
  const upper = letters.map((ch) => ch === ch.toUpperCase());
  if (upper.every((u) => !u)) return 0;
  if (upper[0] && upper.slice(1).every((u) => !u)) return 1;
  if (upper.every((u) => u)) return 2;
  return 3;
}

/** Shares of the case shapes among weighted tokens, each at least `floor`, summing to 1. */
function caseShares(tokens: Iterable<readonly [string, number]>, floor = 0.01): number[] {
  const counts = CASE_SHAPES.map(() => 0);
  for (const [token, w] of tokens) {
    const s = caseShapeOf(token);
    if (s >= 0) counts[s]! += w;
  }
  const total = counts.reduce((a, b) => a + b, 0);
  const shares = counts.map((c) => (total > 0 ? c / total : 1 / counts.length));
  const floored = shares.map((s) => Math.max(floor, s));
  const sum = floored.reduce((a, b) => a + b, 0);
  return floored.map((s) => s / sum);
}

const WORD_SYMBOLS = LETTERS + LINE_PUNCTUATION;
const isWordToken = (token: string) =>
  [...token].every((ch) => WORD_SYMBOLS.includes(ch.toUpperCase()));
const CODE_SYMBOLS = 'DL' + LINE_PUNCTUATION;
/** A token as a code's shape (`R2-D2` -> `LD-LD`), or undefined when it is not one. */
function codeShape(token: string): string | undefined {
  let shape = '';
  for (const ch of token) {
    if (DIGITS.includes(ch)) shape += 'D';
    else if (LETTERS.includes(ch.toUpperCase())) shape += 'L';
    else if (LINE_PUNCTUATION.includes(ch)) shape += ch;
    else return undefined;
  }
  return shape;
}

/**
 * Trains the line reader's language model: `words` over the letters and punctuation (case
 * folded in the n-gram, with a prior over case shapes), from the word list (punctuation
 * attached to a share of each word's weight, as writing attaches it), contractions and the
 * texts' tokens; and `codes` over digits, letters and punctuation, from the glyph model's codes
 * plus dates, times, phone numbers and decimals. Deterministic for its options.
 *
 * @throws HcrError BAD_DATA when there is no word of letters
 * @example
 * const line = buildLineLanguageModel({ words: [['the', 100], ['London', 20]] });
 * new WordModel(line.components).scoreWord('London') > new WordModel(line.components).scoreWord('lONDON'); // true
 */
export function buildLineLanguageModel(options: LineLanguageModelOptions): LineLanguageModelFile {
  const o = { ...LINE_LANGUAGE_MODEL_DEFAULTS, ...options };
  const rand = createRandom(o.seed);
  const listCase: [string, number][] = [];
  const folded = new Map<string, number>();
  const add = (token: string, weight: number) => {
    const key = token.toUpperCase();
    folded.set(key, (folded.get(key) ?? 0) + weight);
  };
  for (const [word, count] of o.words) {
    if (!(count > 0) || !/^[A-Za-z]+$/.test(word)) continue;
    const weight = 1 + Math.log2(1 + count);
    listCase.push([word, weight]);
    add(word, weight);
  }
  if (folded.size === 0) throw new HcrError('BAD_DATA', 'line language model: no words of letters');
  const plain = [...folded];
  // Punctuation: a share of each word's weight goes to its commonest decorations (a comma and
  // a full stop) and to one other drawn from the rest.
  const decorated = new Map<string, number>();
  const put = (token: string, weight: number) =>
    decorated.set(token, (decorated.get(token) ?? 0) + weight);
  const rate = DECORATIONS.reduce((s, [, w]) => s + w, 0);
  const [first, second, ...rare] = DECORATIONS;
  const rareRate = rare.reduce((s, [, w]) => s + w, 0);
  for (const [word, weight] of plain) {
    put(word, weight * (1 - rate));
    for (const [form, share] of [first!, second!]) put(form.replace('w', word), weight * share);
    const form = pickWeighted(rand, rare);
    const other = plain[Math.floor(rand() * plain.length)]![0];
    put(form.replace('w', word).replace('w', other), weight * rareRate);
  }
  const common = plain.reduce((m, [, w]) => Math.max(m, w), 0);
  for (const c of CONTRACTIONS) {
    decorated.set(c.toUpperCase(), (decorated.get(c.toUpperCase()) ?? 0) + 0.8 * common);
  }
  for (const [mark, share] of [
    ['&', 0.3],
    ['-', 0.3],
    ['/', 0.1],
  ] as const) {
    decorated.set(mark, (decorated.get(mark) ?? 0) + share * common);
  }
  // The texts' tokens as written, counted like the word list's words (those with digits as
  // codes).
  const textTokens = new Map<string, number>();
  const textCodes = new Map<string, number>();
  let texts = 0;
  for (const text of o.texts ?? []) {
    texts++;
    for (const token of text.split(' ')) {
      if (token.length === 0) continue;
      if (isWordToken(token)) textTokens.set(token, (textTokens.get(token) ?? 0) + 1);
      else {
        const shape = codeShape(token);
        if (shape !== undefined) textCodes.set(shape, (textCodes.get(shape) ?? 0) + 1);
      }
    }
  }
  const textFolded = new Map<string, number>();
  for (const [token, count] of textTokens) {
    const key = token.toUpperCase();
    textFolded.set(key, (textFolded.get(key) ?? 0) + count);
  }
  for (const [token, count] of textFolded) {
    decorated.set(token, (decorated.get(token) ?? 0) + 1 + Math.log2(1 + count));
  }
  const listShares = caseShares(listCase);
  const textShares = textTokens.size > 0 ? caseShares(textTokens) : listShares;
  // The labels and the word list are mostly lowercase, but forms and codes are written in
  // capitals: a fixed prior keeps every shape likely enough.
  const wordCases = listShares.map(
    (s, i) =>
      (1 - CASE_PRIOR_SHARE) * ((s + textShares[i]!) / 2) + CASE_PRIOR_SHARE * CASE_PRIOR[i]!,
  );

  const codeRand = createRandom(o.seed + 1);
  const codes = drawCodes(o.codes, o.seed);
  const formats = Math.round(o.codes * 0.15);
  for (let i = 0; i < formats; i++) codes.push(pickWeighted(codeRand, CODE_FORMATS));
  const mixed = Math.round(o.codes * o.mixedCodes);
  for (let i = 0; i < mixed; i++) codes.push(mixedCodeShape(codeRand));
  const codeWeight = Math.max(
    1,
    [...decorated.values()].reduce((s, w) => s + w, 0) / Math.max(1, codes.length),
  );
  const codeSequences = codes.map((code) => {
    const r = codeRand();
    const tail = r < 0.05 ? ',' : r < 0.1 ? '.' : '';
    return [code + tail, codeWeight] as const;
  });
  for (const [shape, count] of textCodes) {
    codeSequences.push([shape, codeWeight * (1 + Math.log2(1 + count))]);
  }
  const punctuation = [...LINE_PUNCTUATION];
  const components: LanguageModelComponentFile[] = [
    {
      name: 'words',
      weight: o.wordWeight,
      order: o.wordOrder,
      symbols: WORD_SYMBOLS,
      emits: [...WORD_SYMBOLS],
      counts: countNgrams(decorated, o.wordOrder, o.minCount),
      cases: wordCases,
    },
    {
      name: 'codes',
      weight: 1 - o.wordWeight,
      order: o.codeOrder,
      symbols: CODE_SYMBOLS,
      emits: [DIGITS, LETTERS, ...punctuation],
      counts: countNgrams(codeSequences, o.codeOrder, 1),
      cases: [...CODE_CASES],
    },
  ];
  const round = (x: number) => Math.round(x * 1000) / 1000;
  return {
    description:
      `${o.source} (${folded.size} words with punctuation attached to ${round(rate * 100)}% of their weight, ` +
      `${CONTRACTIONS.length} contractions${texts > 0 ? `, ${textFolded.size} distinct words and ${textCodes.size} code shapes of ${texts} texts` : ''}; ` +
      `order ${o.wordOrder}, pruned below ${o.minCount}; case shapes ${wordCases.map(round).join('/')}) ` +
      `and ${codes.length} codes (order ${o.codeOrder}, with dates, times, phone numbers, decimals and ${mixed} mixed codes)`,
    components,
  };
}
