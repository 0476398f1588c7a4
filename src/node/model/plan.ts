// The data a saved model is tested on: the plan of data/plan.ts made with the model's own
// label set, case folding, validation share and split seed (from its hcr.json), so that
// `hcr evaluate`, `hcr report`, `hcr card` and the benchmarks all test a model on the same sets.

import type { LabelSet } from '../../core/label-sets.js';
import { planData, type DataPlan, type PlanProgress } from '../data/plan.js';
import { DEFAULT_SPLIT_SEED, type LoadedModel } from './artifact.js';

/** How a model's data was planned, as far as it decides the test (and validation) sets. */
export interface ModelPlanOptions {
  readonly labelSet: LabelSet;
  readonly foldCase: boolean;
  /** The model's validation share; absent when not recorded (planData's default applies). */
  readonly validationFraction?: number;
  readonly seed: number;
}

/**
 * The plan options a model records: its label set, `foldCase`, validation share and split
 * seed ({@link DEFAULT_SPLIT_SEED} when it records no training).
 *
 * @example
 * modelPlanOptions(loaded); // { labelSet, foldCase: false, validationFraction: 0.1, seed: 42 }
 */
export function modelPlanOptions(
  model: Pick<LoadedModel, 'metadata' | 'labelSet'>,
): ModelPlanOptions {
  const training = model.metadata.training;
  const h = training?.hyperparameters;
  return {
    labelSet: model.labelSet,
    foldCase: h?.foldCase === true,
    ...(typeof h?.validationFraction === 'number'
      ? { validationFraction: h.validationFraction }
      : {}),
    seed: training?.splitSeed ?? DEFAULT_SPLIT_SEED,
  };
}

/** Options of {@link planTestsFor}; `dataDir` and `cacheDir` are required. */
export interface TestPlanOptions {
  readonly dataDir: string;
  readonly cacheDir: string;
  /** Sources to test on, by name. Default: every source present (as planData). */
  readonly sources?: readonly string[];
  readonly onProgress?: (progress: PlanProgress) => void;
}

/**
 * Plans the data of `model` as it was planned for its training ({@link modelPlanOptions}):
 * `plan.tests` are the sets to test it on.
 *
 * @example
 * const { tests } = await planTestsFor(loaded, { dataDir, cacheDir });
 */
export async function planTestsFor(
  model: Pick<LoadedModel, 'metadata' | 'labelSet'>,
  options: TestPlanOptions,
): Promise<DataPlan> {
  return planData({
    dataDir: options.dataDir,
    cacheDir: options.cacheDir,
    ...(options.sources ? { sources: options.sources } : {}),
    ...modelPlanOptions(model),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
}
