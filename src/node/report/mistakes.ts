// The mistakes of a test set as the report shows them: the most confident mistakes the
// evaluation kept, as a grid of images, and the most confused pairs with examples of each.

import type { TopLevelSpec } from 'vega-lite';
import { pct } from '../../core/format.js';
import { confusionKind, type EvaluationResult } from '../../core/metrics.js';
import type { TestSetErrors } from '../model/evaluation.js';
import {
  confusedPairsSpec,
  imageDataUrls,
  worstErrorsSpec,
  type ConfusedPairExamples,
  type ErrorExample,
} from './image-grids.js';
import type { ReportModelInput } from './input.js';

/** How many mistakes the report shows. */
export interface MistakeOptions {
  /** Images in the most-confident-mistakes grid. */
  readonly errorsShown: number;
  /** Confused pairs shown. */
  readonly pairsShown: number;
  /** Examples per confused pair. */
  readonly examplesPerPair: number;
}

/** The most confident mistakes of a set ('all': of every set), most confident first. */
function mistakePool(
  model: ReportModelInput,
  key: string,
):
  | { testSet: string; index: number; true: number; predicted: number; probability: number }[]
  | null {
  const errors = model.evaluation.report.errors;
  if (!errors) return null;
  const entries: [string, TestSetErrors][] =
    key === 'all' ? Object.entries(errors) : errors[key] ? [[key, errors[key]]] : [];
  if (entries.length === 0) return null;
  return entries
    .flatMap(([testSet, e]) =>
      e.index.map((index, k) => ({
        testSet,
        index,
        true: e.true[k]!,
        predicted: e.predicted[k]!,
        probability: e.probability[k]!,
      })),
    )
    .sort((a, b) => b.probability - a.probability);
}

/** A note on a confused pair for readers, from {@link confusionKind}. */
function pairNote(trueLabel: string, predicted: string): string | undefined {
  const kind = confusionKind(trueLabel, predicted);
  if (kind === 'lookalike') return 'look-alike pair';
  if (kind === 'confusable') return 'often confused shapes';
  if (kind === 'case') return 'the same letter in the other case';
  return undefined;
}

/**
 * The most-confident-mistakes grid and the confused-pairs plot of one test set ('all': every
 * set pooled), or why they cannot be drawn.
 *
 * @example
 * const plots = await mistakePlots(model, set, { errorsShown: 40, pairsShown: 8, examplesPerPair: 8 });
 * if ('missing' in plots) missing.push({ plot: 'Mistakes', reason: plots.missing });
 */
export async function mistakePlots(
  model: ReportModelInput,
  set: { key: string; title: string; result: EvaluationResult },
  options: MistakeOptions,
): Promise<{ errors: TopLevelSpec; pairs: TopLevelSpec } | { missing: string }> {
  const pool = mistakePool(model, set.key);
  if (pool === null) {
    return {
      missing: `the evaluation of ${model.dir} kept no misclassified images of ${set.title}`,
    };
  }
  const correct = set.result.perClass.reduce((sum, k) => sum + k.correct, 0);
  if (pool.length === 0) {
    return {
      missing: `no image of ${set.title} is misclassified (accuracy ${pct(set.result.accuracy)})`,
    };
  }
  const classes = set.result.classes;
  const testsByName = new Map(model.tests.map((t) => [t.name, t] as const));
  const toExamples = async (entries: typeof pool): Promise<ErrorExample[]> => {
    const urls = await Promise.all(
      entries.map(async (e) => (await imageDataUrls(testsByName.get(e.testSet)!, [e.index]))[0]!),
    );
    return entries.map((e, k) => ({
      url: urls[k]!,
      trueLabel: classes[e.true] ?? String(e.true),
      predictedLabel: classes[e.predicted] ?? String(e.predicted),
      probability: e.probability,
      testSet: e.testSet,
      index: e.index,
    }));
  };
  const errors = worstErrorsSpec({
    testSet: set.title,
    examples: await toExamples(pool.slice(0, options.errorsShown)),
    total: set.result.count - correct,
    count: set.result.count,
  });
  const pairs: ConfusedPairExamples[] = [];
  for (const pair of set.result.mostConfused.slice(0, options.pairsShown)) {
    const t = classes.indexOf(pair.true);
    const p = classes.indexOf(pair.predicted);
    pairs.push({
      trueLabel: pair.true,
      predictedLabel: pair.predicted,
      count: pair.count,
      share: pair.share,
      note: pairNote(pair.true, pair.predicted),
      examples: await toExamples(
        pool.filter((e) => e.true === t && e.predicted === p).slice(0, options.examplesPerPair),
      ),
    });
  }
  return { errors, pairs: confusedPairsSpec({ testSet: set.title, pairs }) };
}
