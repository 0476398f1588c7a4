// The line model directory (issue 21): model.json + weights.bin as for a character model, and
// hcr.json with `kind: 'line'`, the charset its classes stand for, the line convention it was
// trained in, its training data, split and metrics. Saved atomically; loading checks every
// file's SHA-256 and the model's shape against the metadata.

import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { HcrError } from '../../core/errors.js';
import { LINE_FRAME_STRIDE } from '../../core/line/architectures.js';
import { LINE_HEIGHT } from '../../core/line/normalize-line.js';
import { replaceDirectoryAtomic, writeFileAtomic } from '../fs-atomic.js';
import { serializeModel } from './artifact.js';
import { MODEL_FILES } from './files.js';

/** Version of the line convention (normalizeLine); a model trained in another is refused. */
export const LINE_NORMALIZATION_VERSION = 1;

/** What hcr.json of a line model says. */
export interface LineModelMetadata {
  readonly format: 'hcr-model';
  /** Version of this file's layout (1). */
  readonly formatVersion: number;
  readonly kind: 'line';
  /** The characters of classes 1.. (class 0 is CTC's blank). */
  readonly charset: string;
  readonly architecture: string;
  readonly lineHeight: number;
  readonly frameStride: number;
  readonly normalization: { readonly line: number };
  /** How it was trained: the command, hyperparameters, steps, time, machine. */
  readonly training: Readonly<Record<string, unknown>>;
  /** Training data: sources, counts, the writer split. */
  readonly data: Readonly<Record<string, unknown>>;
  /** Figures per test set (CER, word accuracy, with and without the language model). */
  readonly metrics: Readonly<Record<string, unknown>>;
  readonly tfjsVersion: string;
  readonly createdAt: string;
  readonly files: Readonly<Record<string, { bytes: number; sha256: string }>>;
}

/** The fields a caller gives {@link saveLineModel}; the rest are filled in. */
export type LineMetadataInput = Pick<
  LineModelMetadata,
  'charset' | 'architecture' | 'training' | 'data' | 'metrics'
>;

/** A loaded line model. Dispose it when done. */
export interface LoadedLineModel {
  readonly model: tf.LayersModel;
  readonly metadata: LineModelMetadata;
  readonly dir: string;
  dispose(): void;
}

function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * Saves a line model atomically; with `optimizer`, its state too, so training can resume.
 *
 * @example
 * await saveLineModel('models/line-en', model, { charset: LINE_CHARSET, architecture: 'line-s', ... });
 */
export async function saveLineModel(
  dir: string,
  model: tf.LayersModel,
  input: LineMetadataInput,
  options: { optimizer?: tf.Optimizer; extraFiles?: Record<string, string | Uint8Array> } = {},
): Promise<LineModelMetadata> {
  const { modelJson, weights } = await serializeModel(model);
  const contents: Record<string, Uint8Array> = {
    [MODEL_FILES.topology]: new TextEncoder().encode(modelJson),
    [MODEL_FILES.weights]: weights,
  };
  for (const [name, data] of Object.entries(options.extraFiles ?? {})) {
    contents[name] = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  }
  if (options.optimizer) {
    const encoded = await tf.io.encodeWeights(await options.optimizer.getWeights());
    const data = encoded.data;
    const buffer = Array.isArray(data) ? tf.io.concatenateArrayBuffers(data) : data;
    contents[MODEL_FILES.optimizerWeights] = new Uint8Array(buffer);
    contents[MODEL_FILES.optimizerSpecs] = new TextEncoder().encode(JSON.stringify(encoded.specs));
  }
  const files: Record<string, { bytes: number; sha256: string }> = {};
  for (const [name, bytes] of Object.entries(contents)) {
    files[name] = { bytes: bytes.length, sha256: sha256(bytes) };
  }
  const metadata: LineModelMetadata = {
    format: 'hcr-model',
    formatVersion: 1,
    kind: 'line',
    ...input,
    lineHeight: LINE_HEIGHT,
    frameStride: LINE_FRAME_STRIDE,
    normalization: { line: LINE_NORMALIZATION_VERSION },
    tfjsVersion: tf.version.tfjs,
    createdAt: new Date().toISOString(),
    files,
  };
  await replaceDirectoryAtomic(dir, async (tmp) => {
    for (const [name, bytes] of Object.entries(contents)) await writeFile(join(tmp, name), bytes);
    await writeFile(join(tmp, MODEL_FILES.metadata), `${JSON.stringify(metadata, null, 2)}\n`);
  });
  return metadata;
}

/**
 * Reads and checks a line model's hcr.json.
 *
 * @throws HcrError NOT_FOUND when absent; BAD_MODEL when it is not a line model of this
 *   convention
 */
export async function readLineMetadata(dir: string): Promise<LineModelMetadata> {
  const path = join(dir, MODEL_FILES.metadata);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new HcrError('NOT_FOUND', `${path}: no line model here (${(error as Error).message})`, {
      cause: error,
    });
  }
  let metadata: LineModelMetadata;
  try {
    metadata = JSON.parse(text) as LineModelMetadata;
  } catch (error) {
    throw new HcrError('BAD_MODEL', `${path}: not valid JSON (${(error as Error).message})`);
  }
  if (metadata.kind !== 'line') {
    throw new HcrError(
      'BAD_MODEL',
      `${path}: expected kind "line", got ${JSON.stringify(metadata.kind)}`,
    );
  }
  if (
    metadata.lineHeight !== LINE_HEIGHT ||
    metadata.normalization?.line !== LINE_NORMALIZATION_VERSION
  ) {
    throw new HcrError(
      'BAD_MODEL',
      `${path}: expected line height ${LINE_HEIGHT} and line convention ${LINE_NORMALIZATION_VERSION}, got ${metadata.lineHeight} and ${metadata.normalization?.line}`,
    );
  }
  return metadata;
}

async function readChecked(
  dir: string,
  name: string,
  metadata: LineModelMetadata,
): Promise<Buffer> {
  const expected = metadata.files[name];
  const path = join(dir, name);
  if (!expected)
    throw new HcrError('BAD_MODEL', `${join(dir, MODEL_FILES.metadata)}: lists no ${name}`);
  const data = await readFile(path).catch((error: Error) => {
    throw new HcrError('BAD_MODEL', `${path}: cannot read (${error.message})`);
  });
  if (sha256(data) !== expected.sha256) {
    throw new HcrError(
      'BAD_MODEL',
      `${path}: SHA-256 differs from the one in hcr.json (altered or truncated)`,
    );
  }
  return data;
}

/**
 * Loads a line model directory, refusing altered files or a model whose outputs do not match
 * its charset.
 *
 * @example
 * const { model, metadata } = await loadLineModel('models/line-en');
 */
export async function loadLineModel(dir: string): Promise<LoadedLineModel> {
  const metadata = await readLineMetadata(dir);
  const modelJson = JSON.parse(
    (await readChecked(dir, MODEL_FILES.topology, metadata)).toString('utf8'),
  ) as tf.io.ModelJSON;
  const weights = await readChecked(dir, MODEL_FILES.weights, metadata);
  const weightSpecs = modelJson.weightsManifest.flatMap((group) => group.weights);
  const model = await tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: modelJson.modelTopology,
      weightSpecs,
      weightData: weights.buffer.slice(
        weights.byteOffset,
        weights.byteOffset + weights.length,
      ) as ArrayBuffer,
    }),
  );
  const classes = model.outputs[0]?.shape.at(-1);
  if (classes !== metadata.charset.length + 1) {
    model.dispose();
    throw new HcrError(
      'BAD_MODEL',
      `${dir}: expected ${metadata.charset.length + 1} outputs (charset + blank), model has ${classes}`,
    );
  }
  return { model, metadata, dir, dispose: () => model.dispose() };
}

/** Restores the optimizer state saved beside a line model, if any. */
export async function loadLineOptimizerState(
  dir: string,
  metadata: LineModelMetadata,
  optimizer: tf.Optimizer,
): Promise<boolean> {
  if (!metadata.files[MODEL_FILES.optimizerWeights]) return false;
  const specs = JSON.parse(
    (await readChecked(dir, MODEL_FILES.optimizerSpecs, metadata)).toString('utf8'),
  ) as tf.io.WeightsManifestEntry[];
  const data = await readChecked(dir, MODEL_FILES.optimizerWeights, metadata);
  const tensors = tf.io.decodeWeights(
    data.buffer.slice(data.byteOffset, data.byteOffset + data.length) as ArrayBuffer,
    specs,
  );
  await optimizer.setWeights(
    specs.map((spec) => ({ name: spec.name, tensor: tensors[spec.name]! })),
  );
  return true;
}

/**
 * Records evaluation figures in a line model's hcr.json (`metrics`), keeping everything else.
 * Only `hcr line evaluate --record` calls it: an evaluation never rewrites a model unasked.
 *
 * @example
 * await recordLineMetrics('models/line-en', results);
 */
export async function recordLineMetrics(
  dir: string,
  results: readonly {
    name: string;
    lines: number;
    greedy: object;
    languageModel: object;
    msPerLineP50: number;
  }[],
): Promise<LineModelMetadata> {
  const metadata = await readLineMetadata(dir);
  const metrics: Record<string, unknown> = { ...metadata.metrics };
  for (const r of results) {
    metrics[r.name] = {
      lines: r.lines,
      greedy: r.greedy,
      languageModel: r.languageModel,
      msPerLineP50: Math.round(r.msPerLineP50 * 10) / 10,
    };
  }
  const updated: LineModelMetadata = { ...metadata, metrics };
  await writeFileAtomic(join(dir, MODEL_FILES.metadata), `${JSON.stringify(updated, null, 2)}\n`);
  return updated;
}
