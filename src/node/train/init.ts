// Warm start: a new run begins from the weights of a saved model instead of a random
// initialization (fine-tuning on more data, or continuing a shipped model with a new
// source). The model must have the same architecture. When its label set differs (a 36-class
// model starting a 62-class one), every layer but the classifier is copied, and the
// classifier's column of each class both label sets hold is copied too: the features and the
// known classes carry over, and only the new classes start from the run's random weights.

import * as tf from '@tensorflow/tfjs';
import { HcrError } from '../../core/errors.js';
import type { LabelSet } from '../../core/label-sets.js';
import { type LoadedModel, loadModel } from '../model/artifact.js';
import { MODEL_FILES } from '../model/files.js';

/** What the run started from, as recorded with its hyperparameters. */
export interface InitRecord {
  /** The model directory given to `--init`. */
  readonly init: string;
  /** SHA-256 of that model's weights.bin. */
  readonly initWeightsSha256: string | null;
  /** Classes of the run the model did not have (their classifier weights start random). */
  readonly newClasses: readonly string[];
}

/**
 * Copies the weights of the model in `dir` into `model`. With another label set, the
 * classifier (the last kernel and bias) is copied class by class, matched by character.
 *
 * @throws HcrError BAD_MODEL when its architecture or weight shapes differ from the run's, or
 *   when the two label sets share no class
 * @example
 * const record = await initFromModel(model, 'models/alnum36', labelSet, 'large');
 * record.newClasses; // [] for the same label set; 'a'..'z' from alnum36 into byclass62
 */
export async function initFromModel(
  model: tf.LayersModel,
  dir: string,
  labelSet: LabelSet,
  architecture: string,
): Promise<InitRecord> {
  const loaded = await loadModel(dir);
  try {
    const theirs = loaded.metadata.architecture.name;
    if (theirs !== architecture) {
      throw new HcrError(
        'BAD_MODEL',
        `--init ${dir}: expected a model of architecture ${architecture}, got ${theirs}`,
      );
    }
    const source = loaded.model.getWeights();
    const target = model.getWeights();
    if (source.length !== target.length || source.length < 2) {
      throw new HcrError(
        'BAD_MODEL',
        `--init ${dir}: expected ${target.length} weight tensors, got ${source.length}`,
      );
    }
    const sourceClasses = loaded.labelSet.classes;
    const sameClasses = sourceClasses.join('') === labelSet.classes.join('');
    // The classifier is the last kernel [features, classes] and its bias [classes].
    const head = source.length - 2;
    source.forEach((w, i) => {
      if (!sameClasses && i >= head) return;
      const want = target[i]!.shape.join('x');
      if (w.shape.join('x') !== want) {
        throw new HcrError(
          'BAD_MODEL',
          `--init ${dir}: weight ${i} (${model.weights[i]?.name ?? '?'}) expected shape ${want}, got ${w.shape.join('x')}`,
        );
      }
    });
    if (sameClasses) {
      model.setWeights(source);
      return { init: dir, initWeightsSha256: sha256Of(loaded), newClasses: [] };
    }

    const sourceIndex = new Map(sourceClasses.map((c, i) => [c, i]));
    const shared = labelSet.classes.filter((c) => sourceIndex.has(c));
    if (shared.length === 0) {
      throw new HcrError(
        'BAD_MODEL',
        `--init ${dir}: its label set ${loaded.labelSet.name} shares no class with ${labelSet.name}`,
      );
    }
    const [kernel, bias] = [source[head]!, source[head + 1]!];
    const [runKernel, runBias] = [target[head]!, target[head + 1]!];
    const features = runKernel.shape[0]!;
    if (kernel.shape.length !== 2 || kernel.shape[0] !== features || bias.shape.length !== 1) {
      throw new HcrError(
        'BAD_MODEL',
        `--init ${dir}: expected a classifier kernel of ${features} x classes and a bias, got ${kernel.shape.join('x')} and ${bias.shape.join('x')}`,
      );
    }
    const k = kernel.dataSync();
    const b = bias.dataSync();
    const newK = Float32Array.from(runKernel.dataSync());
    const newB = Float32Array.from(runBias.dataSync());
    const from = sourceClasses.length;
    const to = labelSet.classes.length;
    const newClasses: string[] = [];
    labelSet.classes.forEach((c, j) => {
      const i = sourceIndex.get(c);
      if (i === undefined) {
        newClasses.push(c);
        return;
      }
      for (let f = 0; f < features; f++) newK[f * to + j] = k[f * from + i]!;
      newB[j] = b[i]!;
    });
    const weights = [
      ...source.slice(0, head),
      tf.tensor2d(newK, [features, to]),
      tf.tensor1d(newB),
    ];
    model.setWeights(weights);
    weights.slice(head).forEach((w) => w.dispose());
    return { init: dir, initWeightsSha256: sha256Of(loaded), newClasses };
  } finally {
    loaded.dispose();
  }
}

function sha256Of(loaded: LoadedModel): string | null {
  return loaded.metadata.files[MODEL_FILES.weights]?.sha256 ?? null;
}
