// Warm start: a new run begins from the weights of a saved model instead of a random
// initialization (fine-tuning on more data, or continuing a shipped model with a new
// source). The model must have the same architecture and label set as the run.

import type * as tf from '@tensorflow/tfjs';
import { HcrError } from '../../core/errors.js';
import type { LabelSet } from '../../core/label-sets.js';
import { loadModel } from '../model/artifact.js';
import { MODEL_FILES } from '../model/files.js';

/** What the run started from, as recorded with its hyperparameters. */
export interface InitRecord {
  /** The model directory given to `--init`. */
  readonly init: string;
  /** SHA-256 of that model's weights.bin. */
  readonly initWeightsSha256: string | null;
}

/**
 * Copies the weights of the model in `dir` into `model`.
 *
 * @throws HcrError BAD_MODEL when its architecture, label set or weight shapes differ from the run's
 * @example
 * const record = await initFromModel(model, 'models/alnum36', labelSet, 'large');
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
    const classes = loaded.labelSet.classes.join('');
    if (classes !== labelSet.classes.join('')) {
      throw new HcrError(
        'BAD_MODEL',
        `--init ${dir}: expected label set ${labelSet.name}, got ${loaded.labelSet.name}`,
      );
    }
    const source = loaded.model.getWeights();
    const target = model.getWeights();
    if (source.length !== target.length) {
      throw new HcrError(
        'BAD_MODEL',
        `--init ${dir}: expected ${target.length} weight tensors, got ${source.length}`,
      );
    }
    source.forEach((w, i) => {
      const want = target[i]!.shape.join('x');
      if (w.shape.join('x') !== want) {
        throw new HcrError(
          'BAD_MODEL',
          `--init ${dir}: weight ${i} (${model.weights[i]?.name ?? '?'}) expected shape ${want}, got ${w.shape.join('x')}`,
        );
      }
    });
    model.setWeights(source);
    return {
      init: dir,
      initWeightsSha256: loaded.metadata.files[MODEL_FILES.weights]?.sha256 ?? null,
    };
  } finally {
    loaded.dispose();
  }
}
