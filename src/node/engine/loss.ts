// The training objectives, in one place for the main thread and the replica workers: sparse
// categorical cross-entropy of the softmax outputs, optionally weighted per sample, and the
// number of correct answers in the batch; and CTC for line models (core's op, line/ctc-loss.ts).

import * as tf from '@tensorflow/tfjs';
import { ctcLoss, type CtcTargets } from '../../core/line/ctc-loss.js';

export { ctcLoss, type CtcTargets };

/**
 * Sparse categorical cross-entropy of softmax outputs, optionally weighted per sample, written
 * the way tfjs-layers computes it (clip, log, one-hot) so every op has a gradient on every backend.
 *
 * @example
 * const loss = crossEntropy(model.apply(x) as tf.Tensor, labels, null); // a scalar
 */
export function crossEntropy(
  probs: tf.Tensor,
  labels: tf.Tensor1D,
  weights: tf.Tensor1D | null,
): tf.Scalar {
  const numClasses = probs.shape[1]!;
  const clipped = tf.clipByValue(probs, 1e-7, 1 - 1e-7);
  const nll = tf.neg(tf.sum(tf.mul(tf.oneHot(labels, numClasses), tf.log(clipped)), -1));
  return (weights ? tf.mean(tf.mul(nll, weights)) : tf.mean(nll)) as tf.Scalar;
}

/** Loss and gradients of one batch (or one slice of a batch). The caller disposes the tensors. */
export interface BatchGradients {
  /** Mean loss over the slice. */
  readonly loss: tf.Scalar;
  /** How many of the slice's images the model classified correctly. */
  readonly correct: tf.Scalar;
  /** One gradient per variable, in the order of the variables passed in. */
  readonly grads: tf.Tensor[];
}

/**
 * Runs the model in training mode on one batch and returns the loss, the number of correct
 * answers and the gradient of the loss for each variable.
 *
 * @example
 * const { loss, correct, grads } = batchGradients(model, vars, x, y, null);
 */
export function batchGradients(
  model: tf.LayersModel,
  variables: readonly tf.Variable[],
  x: tf.Tensor4D,
  labels: tf.Tensor1D,
  weights: tf.Tensor1D | null,
): BatchGradients {
  let correct: tf.Scalar | undefined;
  const { value, grads } = tf.variableGrads(() => {
    const probs = model.apply(x, { training: true }) as tf.Tensor;
    correct = tf.keep(
      tf.sum(tf.cast(tf.equal(tf.argMax(probs, -1), labels), 'float32')),
    ) as tf.Scalar;
    return crossEntropy(probs, labels, weights);
  }, variables as tf.Variable[]);
  return {
    loss: value,
    correct: correct ?? tf.scalar(0),
    grads: variables.map((v) => grads[v.name]!),
  };
}

/**
 * The CTC loss of a batch of lines and the gradient of each variable.
 *
 * @example
 * const { loss, grads } = lineBatchGradients(model, vars, x, targets);
 */
export function lineBatchGradients(
  model: tf.LayersModel,
  variables: readonly tf.Variable[],
  x: tf.Tensor4D,
  targets: CtcTargets,
): BatchGradients {
  const { value, grads } = tf.variableGrads(
    () => ctcLoss(model.apply(x, { training: true }) as tf.Tensor, targets),
    variables as tf.Variable[],
  );
  return { loss: value, correct: tf.scalar(0), grads: variables.map((v) => grads[v.name]!) };
}
