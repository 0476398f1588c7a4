// Scoring words with the character language model of reading (docs/DESIGN.md §8 "Reading is
// decoding"): a mixture of character n-gram components, each with Witten-Bell interpolation over
// the counts of its file (language-model.ts owns the file). The mixture is taken per word (a word
// is English or a code, not half of each), so the prefix probability of a word is the weighted
// sum of the components' prefix probabilities. A component without case priors folds case (the
// glyph reader's model scores `a` as `A`); one with them weighs each case shape of its words
// (the line reader's model: `Hello` and `HELLO` likely, `hELLO` not).

/** Word start, as the first symbol of every context. */
export const START = '^';
/** Word end, the symbol predicted after the last character. */
export const END = '$';
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
