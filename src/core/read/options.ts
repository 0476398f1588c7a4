// Options of reading a line of handwriting (segmentation, choice of cuts, spaces, context),
// with their defaults in one frozen object and the one function that validates them.

import { optionChecker, quoteChoices } from '../check-option.js';
import { HcrError } from '../errors.js';
import type { ClassPair } from '../metrics.js';
import { LOOKALIKE_PAIRS } from '../metrics.js';
import { POLARITIES, type Polarity } from '../normalize-options.js';
import type { ContextScope } from './context.js';
import { parsePattern } from './constraints.js';
import { CTC_DECODE_DEFAULTS } from './ctc-decode.js';
import type { Lexicon, Pattern } from './constraints.js';
import type { LanguageModel } from './language-model.js';

/**
 * How a line is decoded: `'language-model'` searches the segmentations × the classifier's
 * probabilities × the character language model (decode.ts); `'rules'` keeps the classifier's
 * best cover and settles look-alikes by each word's kind (context.ts, the reader before the
 * language model).
 */
export type Decoder = 'language-model' | 'rules';

/**
 * The look-alike pairs the line context decides between: {@link LOOKALIKE_PAIRS} (O/0, I/1, S/5,
 * Z/2) plus B/8 and G/6, and for a model with lowercase their lowercase kin (o/0, l/1, s/5, z/2,
 * b/6, g/9, q/9) and l/I. Inside a run of letters the letter is preferred, inside a run of
 * digits the digit; pairs whose classes a model lacks are left out (`lookalikePartners`).
 *
 * @example
 * READ_LOOKALIKES.length; // 14
 */
export const READ_LOOKALIKES: readonly ClassPair[] = Object.freeze(
  [
    ...LOOKALIKE_PAIRS,
    ['B', '8'],
    ['G', '6'],
    ['o', '0'],
    ['l', '1'],
    ['s', '5'],
    ['z', '2'],
    ['b', '6'],
    ['g', '9'],
    ['q', '9'],
    ['l', 'I'],
  ].map((pair) => Object.freeze(pair) as ClassPair),
);

/** Options of reading an image of handwriting; every field is optional, see {@link READ_DEFAULTS}. */
export interface ReadOptions {
  /**
   * Use the line as context: the language model (or the rules, see `decoder`). False reads with
   * the classifier (and the constraints) alone. Default: true.
   */
  readonly context?: boolean;
  /** How the context is applied. Default: `'language-model'`. */
  readonly decoder?: Decoder;
  /**
   * The character language model (loaded by the caller: `models/lm-en` in Node, fetched by the
   * page). Without one, the `'language-model'` decoder searches with the classifier alone.
   */
  readonly languageModel?: LanguageModel;
  /**
   * Weight of the language model against the classifier (1: the two count alike). Tuned on dev
   * lines built from validation images (`npm run bench:read -- --dev --lm-weights ...`), never on test lines. Default: 0.5.
   * The line reader, given none, uses its own: CTC_DECODE_DEFAULTS.lmWeight (tuned with
   * `npm run bench:decode-lines` on the validation writers).
   */
  readonly lmWeight?: number;
  /**
   * The line reader's bonus per character written, against the language model's cost (see
   * ctc-decode.ts). Default: CTC_DECODE_DEFAULTS.insertionBonus (2).
   */
  readonly insertionBonus?: number;
  /**
   * How much of its look-alike partners' probability (see `lookalikes`) a label borrows in the
   * search: 1 pools them (the glyph says "O or 0" and the line decides which), 0 keeps the
   * classifier's own split, which a single 28x28 glyph cannot know (and which leans to the
   * class its training data held more of). Tuned with `lmWeight`. Default: 0.25.
   */
  readonly lookalikeShare?: number;
  /**
   * Weight of the line's guides (baseline, x-height, cap height) and of the words' case model in
   * deciding case, for a classifier with both cases (0 leaves case to the glyph alone; see
   * case.ts). Default: 1.
   */
  readonly caseWeight?: number;
  /** Hypotheses kept per position by the search. Default: 24. */
  readonly beamWidth?: number;
  /** Readings returned per line, best first (`alternatives` of each line when > 1). Default: 1. */
  readonly alternatives?: number;
  /**
   * Characters a reading may use: `digits`, `letters`, `alnum`, or the characters themselves
   * (`0123456789ABCDEF`). Default: `'alnum'`.
   */
  readonly charset?: string;
  /**
   * The shape of every line: a mask (`AA99 9AA`: A a letter, 9 a digit, # either) or a small
   * regex (`[A-Z]{2}\d{2} \d[A-Z]{2}`); see `parsePattern`. Default: `''` (none).
   */
  readonly pattern?: string;
  /**
   * Entries a line may be, one a line (text), or a parsed lexicon: the nearest entry wins and
   * the reading stays beside it. Default: none.
   */
  readonly lexicon?: string | Lexicon;
  /** The lexicon's name in messages (its file name). Default: `'lexicon'`. */
  readonly lexiconName?: string;
  /**
   * Keep every wide gap as a space (`D O G` reads `D O G`); by default a gap is a space only
   * when it is wide against the line's own letter spacing, so `D O G` reads `DOG`. Default: false.
   */
  readonly keepSpacing?: boolean;
  /**
   * A gap is a word break when it is at least this many times the line's typical gap between
   * letters (their lower quartile) as well as `spaceGap` character heights. Default: 2.
   */
  readonly spaceRatio?: number;
  /**
   * What the context may change: `'lookalikes'` only swaps a label for its look-alike partner
   * (O -> 0 in a number); `'all'` gives any character of the wrong kind its run's kind's most
   * probable class (T read as 7 in a word becomes a letter). Default: `'lookalikes'`.
   */
  readonly contextScope?: ContextScope;
  /** The pairs the context decides between. Default: {@link READ_LOOKALIKES}. */
  readonly lookalikes?: readonly ClassPair[];
  /** How many ranked classes to keep per character. Default: 3. */
  readonly top?: number;
  /**
   * A gap between two characters of at least this fraction of the line's character height is a
   * space. Default: 0.6.
   */
  readonly spaceGap?: number;
  /**
   * Ink below this fraction of the brightest ink does not belong to a character (after the
   * paper is removed), 0-1. Default: 0.25.
   */
  readonly inkThreshold?: number;
  /** A character-like component is at least this many pixels tall. Default: 8. */
  readonly minCharHeight?: number;
  /**
   * A component whose longer side is under this fraction of the line's character height is a
   * speck: it joins the character above or below it, or is dropped. Default: 0.3.
   */
  readonly speckSize?: number;
  /** Largest line slant searched for, in degrees either way. Default: 8. */
  readonly maxSlant?: number;
  /** Largest image accepted, in pixels (width x height). Default: 40,000,000. */
  readonly maxPixels?: number;
  /** Which way round ink and paper are (see `normalizeToMnist`). Default: `'auto'`. */
  readonly polarity?: Polarity;
}

/**
 * The defaults of {@link ReadOptions}, in one place for docs, `--help` and tests.
 *
 * @example
 * READ_DEFAULTS.spaceGap; // 0.6
 */
export const READ_DEFAULTS = Object.freeze({
  context: true,
  decoder: 'language-model' as Decoder,
  lmWeight: 0.5,
  insertionBonus: CTC_DECODE_DEFAULTS.insertionBonus,
  lookalikeShare: 0.25,
  caseWeight: 1,
  beamWidth: 24,
  alternatives: 1,
  charset: 'alnum',
  pattern: '',
  lexiconName: 'lexicon',
  keepSpacing: false,
  spaceRatio: 2,
  contextScope: 'lookalikes' as ContextScope,
  lookalikes: READ_LOOKALIKES,
  top: 3,
  spaceGap: 0.6,
  inkThreshold: 0.25,
  minCharHeight: 8,
  speckSize: 0.3,
  maxSlant: 8,
  maxPixels: 40_000_000,
  polarity: 'auto' as Polarity,
}) satisfies Readonly<Required<Omit<ReadOptions, 'languageModel' | 'lexicon'>>>;

/**
 * {@link ReadOptions} with every default filled in and the pattern parsed (the language model
 * and the lexicon stay optional: they have no default).
 */
export type ResolvedReadOptions = Readonly<
  Required<Omit<ReadOptions, 'languageModel' | 'lexicon'>> & {
    languageModel?: LanguageModel;
    lexicon?: string | Lexicon;
    /** The pattern parsed; absent when `pattern` is empty. */
    parsedPattern?: Pattern;
  }
>;

/**
 * Fills in the defaults of {@link ReadOptions} and checks every value once.
 *
 * @throws HcrError BAD_OPTION naming the option, what was expected and what arrived
 * @example
 * resolveReadOptions({ context: false }).top; // 3
 */
export function resolveReadOptions(options: ReadOptions = {}): ResolvedReadOptions {
  const o: Required<Omit<ReadOptions, 'languageModel' | 'lexicon'>> & {
    languageModel?: LanguageModel;
    lexicon?: string | Lexicon;
    parsedPattern?: Pattern;
  } = { ...READ_DEFAULTS };
  for (const [key, value] of Object.entries(options)) {
    if (value !== undefined) (o as Record<string, unknown>)[key] = value;
  }
  const check = optionChecker('read');
  check(typeof o.context === 'boolean', 'context', 'true or false', o.context);
  check(
    o.contextScope === 'lookalikes' || o.contextScope === 'all',
    'contextScope',
    "'lookalikes' or 'all'",
    o.contextScope,
  );
  check(Number.isInteger(o.top) && o.top >= 1, 'top', 'an integer >= 1', o.top);
  check(
    o.decoder === 'language-model' || o.decoder === 'rules',
    'decoder',
    "'language-model' or 'rules'",
    o.decoder,
  );
  check.range('lmWeight', o.lmWeight, 0, 10);
  check.range('insertionBonus', o.insertionBonus, 0, 10);
  check.range('lookalikeShare', o.lookalikeShare, 0, 1);
  check.range('caseWeight', o.caseWeight, 0, 5);
  check(
    Number.isInteger(o.beamWidth) && o.beamWidth >= 1 && o.beamWidth <= 1000,
    'beamWidth',
    'an integer 1-1000',
    o.beamWidth,
  );
  check(
    Number.isInteger(o.alternatives) && o.alternatives >= 1 && o.alternatives <= 100,
    'alternatives',
    'an integer 1-100',
    o.alternatives,
  );
  check(typeof o.charset === 'string' && o.charset.length > 0, 'charset', 'a charset', o.charset);
  check(typeof o.pattern === 'string', 'pattern', 'a string', o.pattern);
  check(typeof o.keepSpacing === 'boolean', 'keepSpacing', 'true or false', o.keepSpacing);
  check(o.spaceRatio >= 1, 'spaceRatio', '>= 1', o.spaceRatio);
  const constrained = o.pattern !== '' || o.lexicon !== undefined || o.charset !== 'alnum';
  if (o.decoder === 'rules' && o.context && constrained) {
    throw new HcrError(
      'BAD_OPTION',
      "read: charset, pattern and lexicon need the 'language-model' decoder, got decoder 'rules'",
    );
  }
  if (o.pattern !== '') o.parsedPattern = parsePattern(o.pattern);
  check(o.spaceGap > 0, 'spaceGap', '> 0', o.spaceGap);
  check(o.inkThreshold > 0 && o.inkThreshold < 1, 'inkThreshold', 'in (0, 1)', o.inkThreshold);
  check(
    Number.isInteger(o.minCharHeight) && o.minCharHeight >= 1,
    'minCharHeight',
    'an integer >= 1',
    o.minCharHeight,
  );
  check(o.speckSize >= 0 && o.speckSize < 1, 'speckSize', 'in [0, 1)', o.speckSize);
  check(o.maxSlant >= 0 && o.maxSlant <= 30, 'maxSlant', 'in 0-30 degrees', o.maxSlant);
  check(o.maxPixels > 0, 'maxPixels', '> 0', o.maxPixels);
  check(POLARITIES.includes(o.polarity), 'polarity', quoteChoices(POLARITIES), o.polarity);
  check(
    Array.isArray(o.lookalikes) &&
      o.lookalikes.every(
        (p) => Array.isArray(p) && p.length === 2 && p.every((c) => typeof c === 'string'),
      ),
    'lookalikes',
    'a list of pairs of classes',
    JSON.stringify(o.lookalikes),
  );
  return Object.freeze(o);
}
