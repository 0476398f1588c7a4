// planTestsFor: a saved model is tested on the sets its own hcr.json implies (label set,
// foldCase, validation share, split seed), whoever asks: hcr evaluate, hcr report and the
// benchmarks all call it, so a model trained with --fold-case is never tested on other sets.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LABEL_SETS, type LabelSet } from '../../src/core/label-sets.js';
import { planData } from '../../src/node/data/plan.js';
import {
  DEFAULT_SPLIT_SEED,
  type Hyperparameters,
  type ModelMetadata,
} from '../../src/node/model/artifact.js';
import { modelPlanOptions, planTestsFor } from '../../src/node/model/plan.js';
import { TRAIN_DEFAULTS } from '../../src/node/train/config.js';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '../fixtures/sources');

function model(
  labelSet: LabelSet,
  training: { hyperparameters: Hyperparameters; splitSeed: number } | null,
): { metadata: ModelMetadata; labelSet: LabelSet } {
  const metadata = {
    labelSet: { name: labelSet.name, classes: labelSet.classes },
    training: training && { ...training, data: [], epochs: 1, bestEpoch: 1 },
  } as unknown as ModelMetadata;
  return { metadata, labelSet };
}

let cacheDir: string;
beforeAll(async () => {
  cacheDir = await mkdtemp(join(tmpdir(), 'hcr-plan-'));
});
afterAll(async () => {
  await rm(cacheDir, { recursive: true, force: true });
});

describe('modelPlanOptions', () => {
  it("reads the model's foldCase, validation share and split seed", () => {
    const options = modelPlanOptions(
      model(LABEL_SETS.alnum36, {
        hyperparameters: { foldCase: true, validationFraction: 0.2 },
        splitSeed: 7,
      }),
    );
    expect(options).toEqual({
      labelSet: LABEL_SETS.alnum36,
      foldCase: true,
      validationFraction: 0.2,
      seed: 7,
    });
  });

  it('falls back to no folding and the default seed (the one hcr train uses) without a training record', () => {
    expect(DEFAULT_SPLIT_SEED).toBe(TRAIN_DEFAULTS.seed);
    expect(modelPlanOptions(model(LABEL_SETS.digits, null))).toEqual({
      labelSet: LABEL_SETS.digits,
      foldCase: false,
      seed: DEFAULT_SPLIT_SEED,
    });
  });
});

describe('planTestsFor', () => {
  it('plans the test sets a --fold-case model was trained beside, not the unfolded ones', async () => {
    const folded = model(LABEL_SETS.alnum36, {
      hyperparameters: { foldCase: true },
      splitSeed: 3,
    });
    const plain = model(LABEL_SETS.alnum36, { hyperparameters: {}, splitSeed: 3 });
    const dirs = { dataDir: FIXTURES, cacheDir };
    const count = (p: { tests: readonly { labels: Uint8Array }[] }) =>
      p.tests.reduce((n, t) => n + t.labels.length, 0);
    const ofFolded = await planTestsFor(folded, dirs);
    const ofPlain = await planTestsFor(plain, dirs);
    const byHand = await planData({
      ...dirs,
      labelSet: LABEL_SETS.alnum36,
      foldCase: true,
      seed: 3,
    });
    expect(ofFolded.tests.map((t) => [t.name, t.labels.length])).toEqual(
      byHand.tests.map((t) => [t.name, t.labels.length]),
    );
    // Folding maps the lowercase letters in, so the folded model's sets hold more images.
    expect(count(ofFolded)).toBeGreaterThan(count(ofPlain));
  });
});
