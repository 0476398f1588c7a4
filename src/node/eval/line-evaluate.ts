// Evaluating a line model (issue 21 §5): test sets of whole lines — the UNIPEN words of the
// test writers (never trained on, split by writer) and font lines in held-out families by kind —
// read as a user's image is read (lines found, normalized, the line model, CTC decoding), with
// and without the language model. Reports CER (case-sensitive) and word accuracy per set, and
// keeps the worst lines for the report.

import { HcrError } from '../../core/errors.js';
import { createRandom, shuffleInPlace } from '../../core/random.js';
import { editDistance } from '../../core/read/read.js';
import { readTextByLines, type LineRecognizer } from '../../core/read/line-read.js';
import type { ReadOptions } from '../../core/read/options.js';
import type { GrayImage } from '../../core/types.js';
import { loadUnipenWords, unipenWordsSource } from '../data/lines/unipen-words.js';
import type { LineSource } from '../data/lines/types.js';
import type { LoadedLineModel } from '../model/line-artifact.js';
import { lineModelRecognizer } from '../read/line-reader.js';

/** One test line: its image (as a user would give it) and what it says. */
export interface LineTestItem {
  readonly image: GrayImage;
  readonly text: string;
}

/** A named set of test lines. */
export interface LineTestSet {
  readonly name: string;
  readonly description: string;
  readonly items: readonly LineTestItem[];
}

/** The test sets `hcr line evaluate` and `bench:read` know. */
export const LINE_TEST_SETS = Object.freeze({
  'unipen-words-test':
    'UNIPEN words and texts of the test writers (10% of writers, never trained on), letters and digits only, one ballpoint on white paper',
  'unipen-words-test-all':
    'the same writers, every label (spaces and punctuation too), one ballpoint on white paper',
  'fonts-caps-digits': 'lines of capitals and digits in the held-out handwriting font families',
  'fonts-mixed': 'mixed-case words with punctuation in the held-out handwriting font families',
  'fonts-codes': 'codes (A1B2C3, R2D2, x7k2) in the held-out handwriting font families',
} as const);

/** A name of {@link LINE_TEST_SETS}. */
export type LineTestSetName = keyof typeof LINE_TEST_SETS;

/** Items of a source drawn once with a fixed seed (the same test lines every run). */
function drawItems(
  source: LineSource,
  count: number,
  seed: number,
  keep: (text: string) => boolean,
): LineTestItem[] {
  const rand = createRandom(seed);
  const order = Array.from({ length: source.size }, (_, i) => i);
  shuffleInPlace(order, rand);
  const items: LineTestItem[] = [];
  for (const i of order) {
    if (items.length >= count) break;
    if (!keep(source.text(i))) continue;
    const { image, text } = source.sample(i, rand);
    items.push({ image, text });
  }
  return items;
}

/**
 * Builds the named test sets (each at most `limit` lines, drawn with a fixed seed).
 *
 * @throws HcrError BAD_OPTION for an unknown set (the message lists the valid ones);
 *   NOT_FOUND when the UNIPEN words file is missing
 * @example
 * const sets = await lineTestSets(['unipen-words-test'], { dataDir: defaultDataDir(), limit: 500 });
 */
export async function lineTestSets(
  names: readonly string[],
  options: { readonly dataDir: string; readonly limit: number },
): Promise<LineTestSet[]> {
  for (const name of names) {
    if (!(name in LINE_TEST_SETS)) {
      throw new HcrError(
        'BAD_OPTION',
        `line test set: expected one of ${Object.keys(LINE_TEST_SETS).join(', ')}, got ${JSON.stringify(name)}`,
      );
    }
  }
  const sets: LineTestSet[] = [];
  let words: ReturnType<typeof unipenWordsSource> | undefined;
  for (const name of names as LineTestSetName[]) {
    let items: LineTestItem[];
    if (name.startsWith('unipen-words-test')) {
      words ??= unipenWordsSource(await loadUnipenWords(options.dataDir, { parts: ['test'] }), {
        name: 'unipen-words-test',
        plain: true,
      });
      const alnum = name === 'unipen-words-test';
      items = drawItems(words, options.limit, 2026, (t) => !alnum || /^[A-Za-z0-9]+$/.test(t));
    } else {
      const { fontLineSource } = await import('../data/lines/fonts.js');
      const kind = name.slice('fonts-'.length);
      const source = await fontLineSource({
        split: 'test',
        count: options.limit,
        seed: 2026,
        kinds: [kind],
      });
      items = drawItems(source, options.limit, 2026, () => true);
    }
    sets.push({ name, description: LINE_TEST_SETS[name], items });
  }
  return sets;
}

/** Figures of one decoder on one set. */
export interface LineScores {
  /** Character error rate: edit distance / characters of the truth (case-sensitive). */
  readonly cer: number;
  /** Lines read exactly right. */
  readonly wordAccuracy: number;
  /** Characters read right, as a share: 1 - CER, floored at 0. */
  readonly charAccuracy: number;
}

/** One line's readings, for the report. */
export interface LineOutcome {
  readonly index: number;
  readonly truth: string;
  readonly greedy: string;
  readonly withLm: string;
  /** Edit distance of the reading with the language model. */
  readonly errors: number;
}

/** The evaluation of one set. */
export interface LineSetEvaluation {
  readonly name: string;
  readonly description: string;
  readonly lines: number;
  readonly characters: number;
  readonly greedy: LineScores;
  readonly languageModel: LineScores;
  /** Milliseconds per line, reading with the language model (p50). */
  readonly msPerLineP50: number;
  /** The lines read worst with the language model, worst first. */
  readonly worst: readonly LineOutcome[];
}

function scores(errors: number, characters: number, exact: number, lines: number): LineScores {
  const cer = errors / Math.max(characters, 1);
  return { cer, wordAccuracy: exact / Math.max(lines, 1), charAccuracy: Math.max(0, 1 - cer) };
}

/**
 * Reads every line of each set twice, without and with the language model, and scores them.
 *
 * @param options - read options for both passes (charset, beam, LM weight...); the language
 *   model must be given (the caller loads it) for the second pass
 * @example
 * const results = await evaluateLineModel(loaded, sets, { languageModel: lm });
 */
export async function evaluateLineModel(
  loaded: LoadedLineModel,
  sets: readonly LineTestSet[],
  options: ReadOptions,
  onLine: (set: string, done: number, total: number) => void = () => {},
  worstCount = 24,
): Promise<LineSetEvaluation[]> {
  const recognizer = lineModelRecognizer(loaded);
  const results: LineSetEvaluation[] = [];
  for (const set of sets) {
    let greedyErrors = 0;
    let lmErrors = 0;
    let greedyExact = 0;
    let lmExact = 0;
    let characters = 0;
    const times: number[] = [];
    const outcomes: LineOutcome[] = [];
    for (const [index, item] of set.items.entries()) {
      // The timed reading with the language model runs the model; the reading without it
      // finds the same lines, so it replays their logits instead of running the model again.
      const logits: (Float32Array | Promise<Float32Array>)[] = [];
      const recording: LineRecognizer = {
        ...recognizer,
        recognize: (line) => {
          const out = recognizer.recognize(line);
          logits.push(out);
          return out;
        },
      };
      const t0 = performance.now();
      const read = await readTextByLines(item.image, recording, { ...options, context: true });
      times.push(performance.now() - t0);
      let replayed = 0;
      const replaying: LineRecognizer = {
        ...recognizer,
        recognize: (line) => logits[replayed++] ?? recognizer.recognize(line),
      };
      const plain = await readTextByLines(item.image, replaying, { ...options, context: false });
      const g = plain.text.replace(/\n/g, ' ');
      const l = read.text.replace(/\n/g, ' ');
      const ge = editDistance(g, item.text);
      const le = editDistance(l, item.text);
      greedyErrors += ge;
      lmErrors += le;
      if (g === item.text) greedyExact++;
      if (l === item.text) lmExact++;
      characters += item.text.length;
      outcomes.push({ index, truth: item.text, greedy: g, withLm: l, errors: le });
      onLine(set.name, index + 1, set.items.length);
    }
    times.sort((a, b) => a - b);
    outcomes.sort(
      (a, b) => b.errors / Math.max(b.truth.length, 1) - a.errors / Math.max(a.truth.length, 1),
    );
    results.push({
      name: set.name,
      description: set.description,
      lines: set.items.length,
      characters,
      greedy: scores(greedyErrors, characters, greedyExact, set.items.length),
      languageModel: scores(lmErrors, characters, lmExact, set.items.length),
      msPerLineP50: times[times.length >> 1] ?? 0,
      worst: outcomes.slice(0, worstCount),
    });
  }
  return results;
}
