// Sample images per data source for the report's sample grids: a few random images of every
// class, taken from each source's training part as the data plan built it (already normalized:
// what the model trained on), or from its test set for a test-only source.

import { createRandom } from '../../core/random.js';
import { IMAGE_PIXELS, type Dataset } from '../../core/types.js';
import type { DataPlan } from '../data/plan.js';
import { DATA_SOURCES, FOLDER_SOURCE_PREFIX } from '../data/sources/index.js';

/** Random images of each class of one source. */
export interface SourceSample {
  readonly source: string;
  /** Which part of the source the images come from. */
  readonly part: 'training' | 'test';
  /** The images of that part (indices below point into it). */
  readonly dataset: Dataset;
  /** Classes present in the part, in label-set order, with their image count and picks. */
  readonly classes: readonly { label: string; count: number; indices: number[] }[];
}

/** A source without sample images, and why. */
export interface MissingSample {
  readonly source: string;
  readonly reason: string;
}

/**
 * Up to `perClass` random images of every class (seeded, so the same report shows the same
 * images) from each source of a data plan. A source's training images are the slice of
 * `plan.train` it contributed (planData gathers sources in provenance order); a test-only
 * source uses its test set.
 *
 * @example
 * const { samples } = pickSourceSamples(plan, 6, 1);
 * samples[0].classes[0].indices.length; // 6
 */
export function pickSourceSamples(
  plan: DataPlan,
  perClass: number,
  seed: number,
): { samples: SourceSample[]; missing: MissingSample[] } {
  const samples: SourceSample[] = [];
  const missing: MissingSample[] = [];
  const trainTotal = plan.provenance.reduce((sum, p) => sum + p.counts.train, 0);
  // Slices are only meaningful if the training set is exactly the sources back to back.
  const slicesValid = trainTotal === plan.train.labels.length;
  let offset = 0;
  for (const p of plan.provenance) {
    const start = offset;
    offset += p.counts.train;
    let dataset: Dataset | undefined;
    let part: SourceSample['part'] = 'training';
    if (p.counts.train > 0 && slicesValid) {
      const end = start + p.counts.train;
      dataset = {
        name: p.source,
        images: plan.train.images.subarray(start * IMAGE_PIXELS, end * IMAGE_PIXELS),
        labels: plan.train.labels.subarray(start, end),
        labelSet: plan.labelSet,
      };
    } else {
      const testName = p.source.startsWith(FOLDER_SOURCE_PREFIX)
        ? undefined
        : (DATA_SOURCES as Record<string, { testName: string | undefined }>)[p.source]?.testName;
      dataset = plan.tests.find((t) => t.name === testName);
      part = 'test';
    }
    if (!dataset || dataset.labels.length === 0) {
      missing.push({
        source: p.source,
        reason: `no image of ${p.source} maps into label set ${plan.labelSet.name}`,
      });
      continue;
    }
    samples.push({
      source: p.source,
      part,
      dataset,
      classes: pickPerClass(dataset, perClass, seed),
    });
  }
  return { samples, missing };
}

function pickPerClass(
  dataset: Dataset,
  perClass: number,
  seed: number,
): { label: string; count: number; indices: number[] }[] {
  const byClass = dataset.labelSet.classes.map(() => [] as number[]);
  dataset.labels.forEach((y, i) => byClass[y]?.push(i));
  const rand = createRandom(seed);
  return byClass.flatMap((indices, c) => {
    if (indices.length === 0) return [];
    // A partial Fisher-Yates shuffle: the first `take` entries become a random sample.
    const take = Math.min(perClass, indices.length);
    for (let k = 0; k < take; k++) {
      const j = k + Math.floor(rand() * (indices.length - k));
      [indices[k], indices[j]] = [indices[j]!, indices[k]!];
    }
    return [
      {
        label: dataset.labelSet.classes[c]!,
        count: indices.length,
        indices: indices.slice(0, take),
      },
    ];
  });
}
