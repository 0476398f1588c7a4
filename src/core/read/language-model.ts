// The character language model of reading (docs/DESIGN.md §8 "Reading is decoding"), and the one
// owner of its file (language-model.json): a word is scored by a mixture of character n-gram
// models, each with Witten-Bell interpolation over the counts stored in the file:
// - `words`, over the letters A-Z, trained from English words and their spoken frequencies;
// - `codes`, over the shapes of characters (L a letter, D a digit) with the character drawn
//   uniformly within its shape, trained from codes made from templates (part numbers,
//   postcodes, plates, R2D2, A1B2C3) and from plain runs of letters and of digits.
// The mixture is taken per word (a word is English or a code, not half of each), so the
// prefix probability of a word is the weighted sum of the components' prefix probabilities.
// Case is folded: the model scores `a` as `A`. That is the glyph reader's model.
// Since version 2 a file may also hold the line reader's model (`line`, built by
// line-language-model.ts): components over the letters and punctuation of a line model's
// charset, each with a prior over the case shapes of its words (lower, Capitalized, UPPER, any
// case), so that `Hello` and `HELLO` are likely and `hELLO` is not. Pure TypeScript for Node and
// the browser; the builder is here too, so that one module knows the format it writes and reads.

import { HcrError } from '../errors.js';
import { createRandom } from '../random.js';

/** The `format` field of a language-model file. */
export const LANGUAGE_MODEL_FORMAT = 'hcr-char-lm';
/** The version of the format this module writes (it reads 1 too: no line model). */
export const LANGUAGE_MODEL_VERSION = 2;
/** The file name of a language model inside its directory (e.g. models/lm-en). */
export const LANGUAGE_MODEL_FILE = 'language-model.json';

/** Word start, as the first symbol of every context. */
const START = '^';
/** Word end, the symbol predicted after the last character. */
const END = '$';
/** Probability of a character no component can emit (a symbol outside every alphabet). */
const FLOOR = 1e-7;

/**
 * The case shapes of a word, in the order of a component's `cases`: all lowercase,
 * Capitalized (first letter upper, the others lower), all UPPER, and any case (each letter
 * either, at 1/2).
 */
export const CASE_SHAPES = Object.freeze(['lower', 'capitalized', 'upper', 'any'] as const);

/** One component as stored: an n-gram model over `symbols`, each emitting some characters. */
export interface LanguageModelComponentFile {
  /** `words` or `codes` (any name; shown in explanations). */
  readonly name: string;
  /** Prior of a word being of this kind; the weights of a file sum to 1. */
  readonly weight: number;
  /** n of the n-gram (contexts hold up to n - 1 symbols, `^` included). */
  readonly order: number;
  /** One character per symbol. */
  readonly symbols: string;
  /** The characters each symbol stands for, drawn uniformly (same order as `symbols`). */
  readonly emits: readonly string[];
  /** Context -> [symbols that followed it (`$` = word end), their counts]. */
  readonly counts: Readonly<Record<string, readonly [string, readonly number[]]>>;
  /**
   * Priors of the {@link CASE_SHAPES} of its words, summing to 1. Absent: case is folded (`a`
   * scores as `A`).
   */
  readonly cases?: readonly number[];
}

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

/** Where a word stands in the model: the word so far and each component's log-probability. */
export interface WordState {
  /** The characters of the word so far, case folded. */
  readonly word: string;
  /**
   * Per component (and per case shape, for a case-sensitive model: component-major):
   * log(weight) + log P(word so far).
   */
  readonly logs: Float64Array;
  /** Per component: its context (the last order-1 symbols, `^` first). */
  readonly contexts: readonly string[];
  /** Letters in the word so far (a case-sensitive model's Capitalized shape needs it). */
  readonly letters?: number;
}

interface Component {
  readonly name: string;
  readonly logWeight: number;
  readonly order: number;
  /** Character (case folded) -> [symbol, log(1 / characters the symbol emits)]. */
  readonly symbolOf: Map<string, readonly [string, number]>;
  readonly symbols: string;
  readonly counts: Map<string, Map<string, number>>;
  /** log of each case shape's prior; absent: case folded. */
  readonly logCases: Float64Array | undefined;
  /** Context -> probability of each symbol (and `$`), filled on first use. */
  readonly cache: Map<string, Map<string, number>>;
}

function logSumExp(values: Float64Array): number {
  let max = -Infinity;
  for (const v of values) if (v > max) max = v;
  if (max === -Infinity) return -Infinity;
  let sum = 0;
  for (const v of values) sum += Math.exp(v - max);
  return max + Math.log(sum);
}

const LOG_HALF = Math.log(0.5);

/**
 * log of the factor a case shape gives `char` when `letters` letters came before it in the word:
 * 0 (allowed), -Infinity (not this shape) or log 1/2 (any case).
 */
function caseFactor(shape: number, char: string, letters: number): number {
  const upper = char.toUpperCase();
  const lower = char.toLowerCase();
  if (upper === lower) return 0;
  const isUpper = char === upper;
  switch (shape) {
    case 0:
      return isUpper ? -Infinity : 0;
    case 1:
      return isUpper === (letters === 0) ? 0 : -Infinity;
    case 2:
      return isUpper ? 0 : -Infinity;
    default:
      return LOG_HALF;
  }
}

/**
 * A mixture of character n-gram components scoring one word at a time: the glyph reader's
 * model (case folded) or the line reader's (case-sensitive, with punctuation). A
 * {@link LanguageModel} is one, and holds the other as `line`.
 *
 * @example
 * const lm = parseLanguageModel(text);
 * lm.line.scoreWord('Hello') > lm.line.scoreWord('hELLO'); // true
 */
export class WordModel {
  readonly #components: Component[];
  /** Per component: where its entries start in a state's `logs`, and how many (case shapes). */
  readonly #offsets: number[];
  readonly #sizes: number[];
  /** True when the components score case (their files have `cases`). */
  readonly caseSensitive: boolean;

  constructor(components: readonly LanguageModelComponentFile[]) {
    this.#components = components.map((c) => {
      const symbolOf = new Map<string, readonly [string, number]>();
      [...c.symbols].forEach((s, i) => {
        const chars = [...new Set([...c.emits[i]!].map((ch) => ch.toUpperCase()))];
        for (const ch of chars) symbolOf.set(ch, [s, -Math.log(chars.length)]);
      });
      const counts = new Map<string, Map<string, number>>();
      for (const [context, [next, values]] of Object.entries(c.counts)) {
        counts.set(context, new Map([...next].map((s, i) => [s, values[i]!])));
      }
      return {
        name: c.name,
        logWeight: Math.log(c.weight),
        order: c.order,
        symbolOf,
        symbols: c.symbols,
        counts,
        logCases: c.cases ? Float64Array.from(c.cases, (w) => Math.log(w)) : undefined,
        cache: new Map(),
      };
    });
    this.#sizes = this.#components.map((c) => c.logCases?.length ?? 1);
    this.#offsets = [];
    let offset = 0;
    for (const size of this.#sizes) {
      this.#offsets.push(offset);
      offset += size;
    }
    this.caseSensitive = this.#components.some((c) => c.logCases !== undefined);
  }

  /** The components' names, in file order. */
  get componentNames(): string[] {
    return this.#components.map((c) => c.name);
  }

  /** The state at the start of a word. */
  wordStart(): WordState {
    const logs = new Float64Array(this.#sizes.reduce((a, b) => a + b, 0));
    this.#components.forEach((c, j) => {
      for (let s = 0; s < this.#sizes[j]!; s++) {
        logs[this.#offsets[j]! + s] = c.logWeight + (c.logCases ? c.logCases[s]! : 0);
      }
    });
    return { word: '', logs, contexts: this.#components.map(() => START), letters: 0 };
  }

  /**
   * Appends `char` to the word of `state`: the new state, and log P(char | word so far) under
   * the mixture (natural log).
   *
   * @example
   * const { state, logProb } = lm.extend(lm.wordStart(), 'Q');
   */
  extend(state: WordState, char: string): { state: WordState; logProb: number } {
    const folded = char.toUpperCase();
    const letters = state.letters ?? 0;
    const logs = new Float64Array(state.logs.length);
    const contexts: string[] = [];
    this.#components.forEach((c, j) => {
      const context = state.contexts[j]!;
      const symbol = c.symbolOf.get(folded);
      let step: number;
      if (symbol === undefined) {
        step = Math.log(FLOOR);
        contexts.push((context + '?').slice(-(c.order - 1)));
      } else {
        const p = this.#distribution(c, context).get(symbol[0]) ?? 0;
        step = Math.log(Math.max(p, FLOOR)) + symbol[1];
        contexts.push((context + symbol[0]).slice(-(c.order - 1)));
      }
      const at = this.#offsets[j]!;
      for (let s = 0; s < this.#sizes[j]!; s++) {
        const cased = c.logCases ? caseFactor(s, char, letters) : 0;
        logs[at + s] = state.logs[at + s]! + step + cased;
      }
    });
    const logProb = logSumExp(logs) - logSumExp(state.logs);
    const isLetter = folded !== char.toLowerCase();
    return {
      state: { word: state.word + folded, logs, contexts, letters: letters + (isLetter ? 1 : 0) },
      logProb,
    };
  }

  /** log P(the word ends here | word so far) under the mixture. */
  end(state: WordState): number {
    const logs = new Float64Array(state.logs.length);
    this.#components.forEach((c, j) => {
      const p = this.#distribution(c, state.contexts[j]!).get(END) ?? 0;
      const at = this.#offsets[j]!;
      for (let s = 0; s < this.#sizes[j]!; s++) {
        logs[at + s] = state.logs[at + s]! + Math.log(Math.max(p, FLOOR));
      }
    });
    return logSumExp(logs) - logSumExp(state.logs);
  }

  /**
   * log P(word) of a whole word (its characters, then its end), natural log.
   *
   * @example
   * lm.scoreWord('HELLO'); // about -12
   */
  scoreWord(word: string): number {
    let state = this.wordStart();
    let total = 0;
    for (const ch of word) {
      const next = this.extend(state, ch);
      total += next.logProb;
      state = next.state;
    }
    return total + this.end(state);
  }

  /**
   * Which component backs `word` most (its posterior under the mixture), e.g. `words` for DOG
   * and `codes` for A1B2C3.
   */
  kindOf(word: string): string {
    let state = this.wordStart();
    for (const ch of word) state = this.extend(state, ch).state;
    let best = 0;
    let bestLog = -Infinity;
    this.#components.forEach((_, j) => {
      const v = logSumExp(
        state.logs.subarray(this.#offsets[j]!, this.#offsets[j]! + this.#sizes[j]!),
      );
      if (v > bestLog) {
        bestLog = v;
        best = j;
      }
    });
    return this.#components[best]!.name;
  }

  /** Witten-Bell interpolated P(symbol | context) for every symbol and `$`. */
  #distribution(c: Component, context: string): Map<string, number> {
    const cached = c.cache.get(context);
    if (cached) return cached;
    const lower: Map<string, number> =
      context.length === 0 ? this.#uniform(c) : this.#distribution(c, context.slice(1));
    const seen = c.counts.get(context);
    let out: Map<string, number>;
    if (!seen) {
      out = lower;
    } else {
      let total = 0;
      for (const v of seen.values()) total += v;
      const types = seen.size;
      out = new Map();
      for (const [s, p] of lower) out.set(s, ((seen.get(s) ?? 0) + types * p) / (total + types));
    }
    c.cache.set(context, out);
    return out;
  }

  #uniform(c: Component): Map<string, number> {
    const all = [...c.symbols, END];
    return new Map(all.map((s) => [s, 1 / all.length]));
  }
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

/** Options of {@link buildLanguageModel}; defaults in {@link LANGUAGE_MODEL_BUILD_DEFAULTS}. */
export interface LanguageModelBuildOptions {
  /** Words with their frequency counts (any case; words with other than letters are skipped). */
  readonly words: Iterable<readonly [string, number]>;
  /** n of the words model. Default: 4. */
  readonly wordOrder?: number;
  /** n of the codes model. Default: 4. */
  readonly codeOrder?: number;
  /** Prior of a word being English rather than a code. Default: 0.5. */
  readonly wordWeight?: number;
  /** n-grams (beyond bigrams) seen with less total weight than this are dropped. Default: 3. */
  readonly minCount?: number;
  /** Codes made from the templates. Default: 20000. */
  readonly codes?: number;
  /** Seed of the codes. Default: 1. */
  readonly seed?: number;
  /** What the words are, for the file's description. Default: 'English words'. */
  readonly source?: string;
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
