// The character language model of reading (docs/DESIGN.md §8 "Reading is decoding"), and the one
// owner of its file (language-model.json): its format, checking, reading and writing it, and
// building it. A file holds a mixture of character n-gram components (scored by word-model.ts):
// - `words`, over the letters A-Z, trained from English words and their spoken frequencies;
// - `codes`, over the shapes of characters (L a letter, D a digit) with the character drawn
//   uniformly within its shape, trained from codes made from templates (part numbers,
//   postcodes, plates, R2D2, A1B2C3) and from plain runs of letters and of digits.
// Case is folded: the model scores `a` as `A`. That is the glyph reader's model.
// Since version 2 a file may also hold the line reader's model (`line`, built by
// line-language-model.ts): components over the letters and punctuation of a line model's
// charset, each with a prior over the case shapes of its words (lower, Capitalized, UPPER, any
// case), so that `Hello` and `HELLO` are likely and `hELLO` is not. Pure TypeScript for Node and
// the browser; the builder is here too, so that one module knows the format it writes and reads.

import { HcrError } from '../errors.js';
import { createRandom } from '../random.js';
import { CASE_SHAPES, END, START, WordModel } from './word-model.js';
import type { LanguageModelComponentFile } from './word-model.js';

export {
  CASE_SHAPES,
  WordModel,
  type LanguageModelComponentFile,
  type WordState,
} from './word-model.js';

/** The `format` field of a language-model file. */
export const LANGUAGE_MODEL_FORMAT = 'hcr-char-lm';
/** The version of the format this module writes (it reads 1 too: no line model). */
export const LANGUAGE_MODEL_VERSION = 2;
/** The file name of a language model inside its directory (e.g. models/lm-en). */
export const LANGUAGE_MODEL_FILE = 'language-model.json';

/** The line reader's model inside a file: case-sensitive components with punctuation. */
export interface LineLanguageModelFile {
  /** What it was trained from, for people. */
  readonly description: string;
  readonly components: readonly LanguageModelComponentFile[];
}

/** A language-model file (language-model.json). */
export interface LanguageModelFile {
  readonly format: typeof LANGUAGE_MODEL_FORMAT;
  readonly version: number;
  /** What it was trained from, for people. */
  readonly description: string;
  /** The glyph reader's model (case folded). */
  readonly components: readonly LanguageModelComponentFile[];
  /** The line reader's model (version 2); without it, lines are read with `components`. */
  readonly line?: LineLanguageModelFile;
}

/**
 * A loaded character language model: scores words character by character (for the beam search
 * of reading) or whole, case folded (the glyph reader's model); `line` is the line reader's.
 * Build it with {@link parseLanguageModel} or {@link buildLanguageModel}.
 *
 * @example
 * const lm = parseLanguageModel(text);
 * lm.scoreWord('DOG') > lm.scoreWord('D0G'); // true
 */
export class LanguageModel extends WordModel {
  /** The file it was made from. */
  readonly file: LanguageModelFile;
  /**
   * The line reader's model: case-sensitive, with punctuation (the file's `line`), or this
   * model itself for a file without one.
   */
  readonly line: WordModel;

  constructor(file: LanguageModelFile) {
    validateLanguageModel(file);
    super(file.components);
    this.file = file;
    this.line = file.line ? new WordModel(file.line.components) : this;
  }
}

function validateComponents(
  components: unknown,
  where: string,
  fail: (what: string) => never,
): void {
  if (!Array.isArray(components) || components.length === 0) {
    fail(`${where}: expected a non-empty list of components`);
  }
  let weights = 0;
  (components as LanguageModelComponentFile[]).forEach((c, i) => {
    const at = `${where}[${i}]`;
    if (typeof c.name !== 'string') fail(`${at}.name: expected a string`);
    if (!(c.weight > 0 && c.weight <= 1)) fail(`${at}.weight: expected in (0, 1], got ${c.weight}`);
    weights += c.weight;
    if (!Number.isInteger(c.order) || c.order < 1 || c.order > 8) {
      fail(`${at}.order: expected an integer 1-8, got ${c.order}`);
    }
    if (typeof c.symbols !== 'string' || c.symbols.length === 0) {
      fail(`${at}.symbols: expected a non-empty string`);
    }
    if (c.symbols.includes(START) || c.symbols.includes(END)) {
      fail(`${at}.symbols: expected no '${START}' or '${END}' (word start and end)`);
    }
    if (!Array.isArray(c.emits) || c.emits.length !== c.symbols.length) {
      fail(`${at}.emits: expected ${c.symbols.length} strings, one per symbol`);
    }
    if (c.cases !== undefined) {
      const ok =
        Array.isArray(c.cases) &&
        c.cases.length === CASE_SHAPES.length &&
        c.cases.every((w) => typeof w === 'number' && w > 0) &&
        Math.abs(c.cases.reduce((a, b) => a + b, 0) - 1) < 1e-6;
      if (!ok) {
        fail(
          `${at}.cases: expected ${CASE_SHAPES.length} positive priors (${CASE_SHAPES.join(', ')}) summing to 1, got ${JSON.stringify(c.cases)}`,
        );
      }
    }
    if (typeof c.counts !== 'object' || c.counts === null) fail(`${at}.counts: expected an object`);
    for (const [context, entry] of Object.entries(c.counts)) {
      const ok =
        Array.isArray(entry) &&
        typeof entry[0] === 'string' &&
        Array.isArray(entry[1]) &&
        entry[1].length === entry[0].length &&
        entry[1].every((v) => typeof v === 'number' && v > 0);
      if (!ok) fail(`${at}.counts['${context}']: expected [symbols, positive counts, one each]`);
    }
  });
  if (Math.abs(weights - 1) > 1e-6) {
    fail(`${where}: expected component weights summing to 1, got ${weights}`);
  }
}

/**
 * Checks a language-model file's structure; throws naming the field that is wrong.
 *
 * @throws HcrError BAD_MODEL naming the field, what was expected and what arrived
 */
export function validateLanguageModel(file: unknown): asserts file is LanguageModelFile {
  const fail = (what: string): never => {
    throw new HcrError('BAD_MODEL', `language model: ${what}`);
  };
  const f = file as Partial<LanguageModelFile> | null;
  if (typeof f !== 'object' || f === null) fail('expected a JSON object');
  if (f!.format !== LANGUAGE_MODEL_FORMAT) {
    fail(`expected format '${LANGUAGE_MODEL_FORMAT}', got ${JSON.stringify(f!.format)}`);
  }
  if (f!.version !== 1 && f!.version !== LANGUAGE_MODEL_VERSION) {
    fail(`expected version 1 or ${LANGUAGE_MODEL_VERSION}, got ${JSON.stringify(f!.version)}`);
  }
  validateComponents(f!.components, 'components', fail);
  if (f!.line !== undefined) {
    if (f!.version === 1) fail('line: expected version 2 for a line model, got version 1');
    if (typeof f!.line !== 'object' || f!.line === null) fail('line: expected an object');
    validateComponents(f!.line!.components, 'line.components', fail);
  }
}

/**
 * Reads a language model from the text of its file.
 *
 * @throws HcrError BAD_MODEL for text that is not JSON or not a language model (names the field)
 * @example
 * const lm = parseLanguageModel(await readFile('models/lm-en/language-model.json', 'utf8'));
 */
export function parseLanguageModel(text: string): LanguageModel {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new HcrError('BAD_MODEL', `language model: not JSON (${(error as Error).message})`);
  }
  return new LanguageModel(json as LanguageModelFile);
}

/**
 * The text of a language-model file: JSON, one component per line group, compact.
 *
 * @example
 * await writeFile(path, serializeLanguageModel(buildLanguageModel({ words })));
 */
export function serializeLanguageModel(model: LanguageModel | LanguageModelFile): string {
  const file = model instanceof LanguageModel ? model.file : model;
  return JSON.stringify(file) + '\n';
}
/**
 * The n-gram settings of both builders: {@link buildLanguageModel} (the glyph reader's model)
 * and `buildLineLanguageModel` (the line reader's, line-language-model.ts).
 */
export interface NgramModelOptions {
  /** n of the words model. Default: 4 (the line reader's: 5). */
  readonly wordOrder?: number;
  /** n of the codes model. Default: 4. */
  readonly codeOrder?: number;
  /** Prior of a word being a word (English) rather than a code. Default: 0.5 (the line reader's: 0.6). */
  readonly wordWeight?: number;
  /** n-grams (beyond bigrams) seen with less total weight than this are dropped. Default: 3. */
  readonly minCount?: number;
  /** Codes drawn. Default: 20000. */
  readonly codes?: number;
  /** Seed of the codes (and of the line reader's punctuation attached to words). Default: 1. */
  readonly seed?: number;
  /** What the words (and texts) are, for the file's description. Default: 'English words'. */
  readonly source?: string;
}

/** Options of {@link buildLanguageModel}; defaults in {@link LANGUAGE_MODEL_BUILD_DEFAULTS}. */
export interface LanguageModelBuildOptions extends NgramModelOptions {
  /** Words with their frequency counts (any case; words with other than letters are skipped). */
  readonly words: Iterable<readonly [string, number]>;
  /** The line reader's model (line-language-model.ts builds it); none: lines use this one. */
  readonly line?: LineLanguageModelFile;
}

/**
 * The defaults of {@link LanguageModelBuildOptions}.
 *
 * @example
 * LANGUAGE_MODEL_BUILD_DEFAULTS.wordOrder; // 4
 */
export const LANGUAGE_MODEL_BUILD_DEFAULTS = Object.freeze({
  wordOrder: 4,
  codeOrder: 4,
  wordWeight: 0.5,
  minCount: 3,
  codes: 20000,
  seed: 1,
  source: 'English words',
});

/**
 * Templates of mixed codes: `L` a letter, `D` a digit, with how often each is drawn. Part
 * numbers, UK and Canadian postcodes, number plates, droid names (R2D2, C3PO), alternating
 * codes (A1B2C3), serials.
 */
export const CODE_TEMPLATES: readonly (readonly [string, number])[] = Object.freeze([
  ['LD', 1],
  ['LLD', 1],
  ['LDD', 2],
  ['LLDD', 2],
  ['LLLDD', 1],
  ['LDDD', 2],
  ['LLDDD', 1],
  ['LLLDDD', 1],
  ['LLDDDD', 1],
  ['LLLDDDD', 1],
  ['DL', 1],
  ['DDL', 1],
  ['DLL', 1],
  ['DDLL', 1],
  ['DDDL', 1],
  ['DDDLL', 1],
  ['DDDLLL', 1],
  ['DDDDLL', 1],
  ['DLLL', 1],
  ['DLD', 1],
  ['LDL', 1],
  ['LDLD', 2],
  ['DLDL', 1],
  ['LDLDLD', 2],
  ['DLDLDL', 1],
  ['LDLL', 1],
  ['LLDL', 1],
  ['LDDL', 1],
  ['LLDLL', 1],
  ['LLDDLL', 1],
  ['LLDDLLL', 1],
  ['LDDLLL', 1],
  ['DLLD', 1],
  ['LLLDL', 1],
]);

/** Shares of the codes: one run of a kind (numbers, initials), two runs, a mixed template. */
const CODE_MIX = Object.freeze({ oneRun: 0.7, twoRuns: 0.15 });

/**
 * `count` codes drawn from a seed: runs of letters (L) or digits (D), two runs, or a template
 * of {@link CODE_TEMPLATES}; as shapes (`LLDD`), the characters being the component's business.
 *
 * @example
 * drawCodes(3, 1); // e.g. ['DDDD', 'LDLD', 'LL']
 */
export function drawCodes(count: number, seed: number): string[] {
  const rand = createRandom(seed);
  const total = CODE_TEMPLATES.reduce((s, [, w]) => s + w, 0);
  const run = (kind: string, max: number) => kind.repeat(1 + Math.floor(rand() * max));
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const r = rand();
    const first = rand() < 0.5 ? 'L' : 'D';
    const second = first === 'L' ? 'D' : 'L';
    if (r < CODE_MIX.oneRun) {
      out.push(run(first, 12));
      continue;
    }
    if (r < CODE_MIX.oneRun + CODE_MIX.twoRuns) {
      out.push(run(first, 6) + run(second, 6));
      continue;
    }
    let t = rand() * total;
    let template = CODE_TEMPLATES[0]![0];
    for (const [name, w] of CODE_TEMPLATES) {
      t -= w;
      if (t < 0) {
        template = name;
        break;
      }
    }
    out.push(template);
  }
  return out;
}

const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const DIGITS = '0123456789';

/**
 * Counts of one n-gram model over weighted sequences of symbols (each framed by `^` and `$`),
 * in the file's form: n-grams beyond bigrams under `minCount` dropped, counts rounded.
 *
 * @example
 * countNgrams([['AB', 2]], 2, 1)['A']; // ['B', [2]]
 */
export function countNgrams(
  sequences: Iterable<readonly [string, number]>,
  order: number,
  minCount: number,
): Record<string, [string, number[]]> {
  const counts = new Map<string, Map<string, number>>();
  for (const [sequence, weight] of sequences) {
    const s = START + sequence + END;
    for (let i = 1; i < s.length; i++) {
      for (let k = 0; k < order && k <= i; k++) {
        const context = s.slice(i - k, i);
        const next = s[i]!;
        const row = counts.get(context) ?? new Map<string, number>();
        row.set(next, (row.get(next) ?? 0) + weight);
        counts.set(context, row);
      }
    }
  }
  const out: Record<string, [string, number[]]> = {};
  for (const context of [...counts.keys()].sort()) {
    const row = counts.get(context)!;
    const kept = [...row]
      .filter(([, v]) => context.length < 2 || v >= minCount)
      .sort(([a], [b]) => (a < b ? -1 : 1));
    if (kept.length === 0) continue;
    out[context] = [kept.map(([s]) => s).join(''), kept.map(([, v]) => Math.max(1, Math.round(v)))];
  }
  return out;
}

/**
 * Trains the language model: the `words` component from English words weighted by
 * 1 + log2(count) (common words count more, rare ones still count), the `codes` component
 * from drawn codes (runs of a kind, two runs, {@link CODE_TEMPLATES}). Deterministic for its options.
 *
 * @example
 * const lm = buildLanguageModel({ words: [['DOG', 100], ['CAT', 80]] });
 * lm.kindOf('DOG'); // 'words'
 */
export function buildLanguageModel(options: LanguageModelBuildOptions): LanguageModel {
  const o = { ...LANGUAGE_MODEL_BUILD_DEFAULTS, ...options };
  const words = new Map<string, number>();
  for (const [raw, count] of o.words) {
    const word = raw.toUpperCase();
    if (!/^[A-Z]+$/.test(word) || !(count > 0)) continue;
    words.set(word, (words.get(word) ?? 0) + count);
  }
  if (words.size === 0) throw new HcrError('BAD_DATA', 'language model: no words of letters A-Z');
  const weighted = [...words].map(([w, c]) => [w, 1 + Math.log2(1 + c)] as const);
  const codeWeight = Math.max(1, weighted.reduce((s, [, w]) => s + w, 0) / Math.max(1, o.codes));
  const codes = drawCodes(o.codes, o.seed).map((c) => [c, codeWeight] as const);
  const file: LanguageModelFile = {
    format: LANGUAGE_MODEL_FORMAT,
    version: LANGUAGE_MODEL_VERSION,
    description:
      `${o.source} (${words.size} words, order ${o.wordOrder}, pruned below ${o.minCount}) ` +
      `and ${o.codes} codes (runs of letters L and digits D and ${CODE_TEMPLATES.length} mixed templates, order ${o.codeOrder})`,
    components: [
      {
        name: 'words',
        weight: o.wordWeight,
        order: o.wordOrder,
        symbols: LETTERS,
        emits: [...LETTERS],
        counts: countNgrams(weighted, o.wordOrder, o.minCount),
      },
      {
        name: 'codes',
        weight: 1 - o.wordWeight,
        order: o.codeOrder,
        symbols: 'DL',
        emits: [DIGITS, LETTERS],
        counts: countNgrams(codes, o.codeOrder, 1),
      },
    ],
    ...(options.line ? { line: options.line } : {}),
  };
  return new LanguageModel(file);
}
