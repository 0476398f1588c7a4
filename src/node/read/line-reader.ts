// Reading with a line model in Node: a loaded line model (line-artifact.ts) as core's
// LineRecognizer (one forward pass per normalized line, no tensors left behind), where the
// shipped line model lives (models/line-en), and a line model loaded once per process (a server
// worker's), for `hcr read`, the server's POST /api/read and the benchmark.

import { access } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { HcrError } from '../../core/errors.js';
import type { LineImage } from '../../core/line/normalize-line.js';
import { lineModelInput, type LineRecognizer } from '../../core/read/line-read.js';
import { loadLineModel, readLineMetadata, type LoadedLineModel } from '../model/line-artifact.js';
import { MODEL_FILES } from '../model/files.js';
import { packagePath } from '../package-root.js';

/** The shipped line model's directory. */
export const DEFAULT_LINE_MODEL_DIR = packagePath('models', 'line-en');

/**
 * The logits of one normalized line: `floor(line.width / frameStride)` frames of the model's
 * classes, row-major.
 *
 * @throws HcrError BAD_MODEL when the model's output is not [1, 1, frames, classes]
 * @example
 * const logits = lineLogits(loaded, normalizeLine(gray));
 */
export function lineLogits(loaded: LoadedLineModel, line: LineImage): Float32Array {
  const { frameStride, charset } = loaded.metadata;
  const { input, width, frames } = lineModelInput(line, frameStride);
  const classes = charset.length + 1;
  const out = tf.tidy(() => {
    const x = tf.tensor4d(input, [1, line.height, width, 1]);
    return loaded.model.predict(x) as tf.Tensor;
  });
  try {
    const [batch, rows, got, c] = out.shape;
    if (batch !== 1 || rows !== 1 || c !== classes || got === undefined || got < frames) {
      throw new HcrError(
        'BAD_MODEL',
        `${loaded.dir}: expected logits [1, 1, ${Math.floor(width / frameStride)}, ${classes}] for a line ${width} columns wide, got [${out.shape.join(', ')}]`,
      );
    }
    return (out.dataSync() as Float32Array).slice(0, frames * classes);
  } finally {
    out.dispose();
  }
}

/**
 * A loaded line model as core's {@link LineRecognizer}.
 *
 * @example
 * const result = await readTextByLines(gray, lineModelRecognizer(loaded), options);
 */
export function lineModelRecognizer(loaded: LoadedLineModel): LineRecognizer {
  return {
    charset: loaded.metadata.charset,
    frameStride: loaded.metadata.frameStride,
    recognize: (line) => lineLogits(loaded, line),
  };
}

/**
 * True when `dir` holds a line model (its hcr.json says `kind: 'line'`).
 *
 * @example
 * await isLineModelDir('models/line-en'); // true once shipped
 */
export async function isLineModelDir(dir: string): Promise<boolean> {
  try {
    await access(join(dir, MODEL_FILES.metadata));
    await readLineMetadata(dir);
    return true;
  } catch {
    return false;
  }
}

const loadedByDir = new Map<string, Promise<LoadedLineModel>>();
let loadedWeights = 0;

/**
 * Weight tensors of the line models {@link lineModelOnce} has loaded in this process: a server
 * worker loads one on its first line read, and its tensor count rises by this much without a leak.
 */
export function lineModelWeightTensors(): number {
  return loadedWeights;
}

/**
 * The line model of a directory, loaded once per process (a server worker keeps it for every
 * request); a load that fails is tried again by the next call.
 *
 * @throws HcrError NOT_FOUND / BAD_MODEL as loadLineModel
 * @example
 * const line = await lineModelOnce('models/line-en');
 */
export function lineModelOnce(dir: string): Promise<LoadedLineModel> {
  let loading = loadedByDir.get(dir);
  if (!loading) {
    loading = loadLineModel(dir).then(
      (line) => {
        loadedWeights += line.model.weights.length;
        return line;
      },
      (error: unknown) => {
        loadedByDir.delete(dir);
        throw error;
      },
    );
    loadedByDir.set(dir, loading);
  }
  return loading;
}
