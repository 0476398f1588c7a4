// The model artifact (docs/DESIGN.md §5): a directory with model.json, weights.bin and hcr.json.
// Saving is atomic; loading checks that the files are there, match their recorded sizes and
// SHA-256, hold only finite weights, and agree with the metadata (label set, input shape)
// before a model is returned. Opening a directory that a crash left mid-swap (fs-atomic.ts)
// first puts the newest complete version back in place.

import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { HcrError } from '../../core/errors.js';
import type { LabelSet } from '../../core/label-sets.js';
import { IMAGE_SIZE } from '../../core/types.js';
import { recoverDirectory, replaceDirectoryAtomic, writeFileAtomic } from '../fs-atomic.js';
import { METADATA_FILE, MODEL_FILES } from './files.js';

export { METADATA_FILE } from './files.js';
const MODEL_FILE = MODEL_FILES.topology;
const WEIGHTS_FILE = MODEL_FILES.weights;
const OPTIMIZER_FILE = MODEL_FILES.optimizerWeights;
const OPTIMIZER_SPECS_FILE = MODEL_FILES.optimizerSpecs;
/** Version of the layout of hcr.json; bumped on incompatible changes. */
export const MODEL_FORMAT_VERSION = 1;

/** Provenance of one training source, as recorded in the metadata. */
export interface SourceRecord {
  readonly source: string;
  readonly files: readonly { path: string; sha256: string; bytes: number }[];
  readonly counts: { train: number; validation: number; test: number };
  readonly dropped: number;
  /** Of `dropped`, duplicates of another source's test images (absent in older models). */
  readonly droppedDuplicates?: number;
  readonly splitSeed: number | null;
  /** Seed of the validation hold-out from the training part (absent in older models). */
  readonly validationSeed?: number | null;
}

/** The machine a model was trained on, as recorded in the metadata. */
export interface MachineRecord {
  /** CPU model name, e.g. `'AMD EPYC'`. */
  readonly cpu: string;
  /** Cores available to the process. */
  readonly cores: number;
  readonly memoryGiB: number;
  /** `process.platform-process.arch`, e.g. `'linux-x64'`. */
  readonly platform: string;
  /** Node.js version, e.g. `'v20.20.2'`. */
  readonly node: string;
  /** Worker replicas that trained beside the main thread. */
  readonly workers: number;
}

/**
 * This machine, as {@link MachineRecord} (with `workers` worker replicas).
 *
 * @example
 * describeMachine(1).cores; // 2
 */
export function describeMachine(workers: number): MachineRecord {
  return {
    cpu: os.cpus()[0]?.model.trim() ?? 'unknown',
    cores: os.availableParallelism(),
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    platform: `${process.platform}-${process.arch}`,
    node: process.version,
    workers,
  };
}

/** A test set's headline figures, as recorded in the metadata. */
export interface MetricRecord {
  readonly count: number;
  readonly accuracy: number;
  readonly accuracyMerged: number;
  /** With the other case of c/C, o/O ... counted as right; only for a model with both cases. */
  readonly accuracyCaseMerged?: number;
  readonly macroF1: number;
}

/**
 * The seed of the validation hold-out when a model does not record its own (models saved
 * without a training record); `hcr train --seed` defaults to it too.
 */
export const DEFAULT_SPLIT_SEED = 42;

/**
 * How a model was trained, as recorded in hcr.json: the training options (train/config.ts,
 * every default filled in) and how the data was chosen. Every field is optional because older
 * models recorded fewer, and a run may record more (e.g. what a tuned model was adapted from):
 * those are kept as they are, of unknown type.
 */
export interface Hyperparameters {
  readonly [key: string]: unknown;
  readonly architecture?: string;
  readonly epochs?: number;
  readonly batchSize?: number;
  readonly learningRate?: number;
  readonly schedule?: string;
  readonly seed?: number;
  readonly augment?: boolean;
  /** The class-weighting power; older runs recorded a boolean (true meant power 1). */
  readonly classWeights?: number | boolean;
  readonly patience?: number;
  readonly maxMinutes?: number | null;
  readonly checkpointSeconds?: number;
  readonly dropout?: number | null;
  /** The sources the training data came from, in provenance order. */
  readonly sources?: readonly string[];
  /** Lowercase letters folded onto capitals (`--fold-case`). */
  readonly foldCase?: boolean;
  /** The share of each training part held out for validation. */
  readonly validationFraction?: number;
  /** The model the run started from (`--init`), and its weights' SHA-256. */
  readonly init?: string;
  readonly initWeightsSha256?: string | null;
}

/** Contents of hcr.json. */
export interface ModelMetadata {
  readonly format: 'hcr-model';
  readonly formatVersion: number;
  readonly labelSet: { readonly name: string; readonly classes: readonly string[] };
  readonly normalization: { readonly version: number };
  readonly architecture: { readonly name: string; readonly options: Record<string, unknown> };
  readonly training: {
    readonly hyperparameters: Hyperparameters;
    readonly data: readonly SourceRecord[];
    readonly splitSeed: number;
    readonly epochs: number;
    readonly bestEpoch: number;
    readonly durationSeconds: number;
    readonly backend: string;
    /** What the model was trained on (absent in older models). */
    readonly machine?: MachineRecord;
  } | null;
  readonly metrics: Readonly<Record<string, MetricRecord>>;
  readonly tfjsVersion: string;
  readonly createdAt: string;
  /** Size and SHA-256 of every other file in the directory, checked on load. */
  readonly files: Readonly<Record<string, { bytes: number; sha256: string }>>;
}

/** What {@link saveModel} needs besides the model. */
export type MetadataInput = Omit<
  ModelMetadata,
  'format' | 'formatVersion' | 'files' | 'tfjsVersion' | 'createdAt'
> & {
  readonly createdAt?: string;
};

/** A loaded model with its metadata. Dispose it when done. */
export interface LoadedModel {
  readonly model: tf.LayersModel;
  readonly metadata: ModelMetadata;
  readonly labelSet: LabelSet;
  readonly dir: string;
  dispose(): void;
}

function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The bytes of `data` as an ArrayBuffer of their own (what tfjs's weight decoders take). */
function ownArrayBuffer(data: Uint8Array): ArrayBuffer {
  return data.buffer.slice(data.byteOffset, data.byteOffset + data.length) as ArrayBuffer;
}

function weightBytes(data: tf.io.WeightData | undefined): Uint8Array {
  if (data === undefined) return new Uint8Array(0);
  const buffer = Array.isArray(data) ? tf.io.concatenateArrayBuffers(data) : data;
  return new Uint8Array(buffer);
}

/** Serializes a model to model.json + weights.bin bytes (no file is written). */
export async function serializeModel(
  model: tf.LayersModel,
): Promise<{ modelJson: string; weights: Uint8Array }> {
  let result: { modelJson: string; weights: Uint8Array } | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weights = weightBytes(artifacts.weightData);
      const modelJson: tf.io.ModelJSON = {
        modelTopology: artifacts.modelTopology as object,
        format: 'layers-model',
        generatedBy: artifacts.generatedBy,
        convertedBy: null,
        weightsManifest: [{ paths: [WEIGHTS_FILE], weights: artifacts.weightSpecs ?? [] }],
      };
      result = { modelJson: JSON.stringify(modelJson), weights };
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    }),
  );
  if (!result) throw new HcrError('ENGINE', 'model.save produced no artifacts');
  return result;
}

/**
 * Saves `model` with its metadata to `dir`, atomically: a crash never leaves half a model.
 * `extraFiles` (e.g. history.json) are written into the same directory and recorded too;
 * `optimizer` adds the optimizer's state so that training can resume from this directory.
 *
 * @example
 * await saveModel('runs/default', model, { labelSet, normalization: { version: 1 }, ... });
 */
export async function saveModel(
  dir: string,
  model: tf.LayersModel,
  input: MetadataInput,
  options: { extraFiles?: Record<string, string | Uint8Array>; optimizer?: tf.Optimizer } = {},
): Promise<ModelMetadata> {
  const { modelJson, weights } = await serializeModel(model);
  const contents: Record<string, string | Uint8Array> = {
    [MODEL_FILE]: modelJson,
    [WEIGHTS_FILE]: weights,
    ...options.extraFiles,
  };
  if (options.optimizer) {
    const state = await options.optimizer.getWeights();
    const encoded = await tf.io.encodeWeights(state);
    contents[OPTIMIZER_FILE] = new Uint8Array(weightBytes(encoded.data));
    contents[OPTIMIZER_SPECS_FILE] = JSON.stringify(encoded.specs);
  }
  const files: Record<string, { bytes: number; sha256: string }> = {};
  for (const [name, data] of Object.entries(contents)) {
    const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
    contents[name] = bytes;
    files[name] = { bytes: bytes.length, sha256: sha256(bytes) };
  }
  const metadata: ModelMetadata = {
    format: 'hcr-model',
    formatVersion: MODEL_FORMAT_VERSION,
    ...input,
    tfjsVersion: tf.version.tfjs,
    createdAt: input.createdAt ?? new Date().toISOString(),
    files,
  };
  await replaceDirectoryAtomic(dir, async (tmp) => {
    for (const [name, data] of Object.entries(contents)) {
      await writeFileAtomic(join(tmp, name), data);
    }
    await writeFileAtomic(join(tmp, METADATA_FILE), `${JSON.stringify(metadata, null, 2)}\n`);
  });
  return metadata;
}

async function readChecked(dir: string, name: string, metadata: ModelMetadata): Promise<Buffer> {
  const expected = metadata.files[name];
  const path = join(dir, name);
  let data: Buffer;
  try {
    data = await readFile(path);
  } catch {
    throw new HcrError('BAD_MODEL', `${dir}: missing ${name} (listed in ${METADATA_FILE})`);
  }
  if (expected) {
    if (data.length !== expected.bytes) {
      throw new HcrError(
        'BAD_MODEL',
        `${path}: expected ${expected.bytes} bytes (per ${METADATA_FILE}), found ${data.length}`,
      );
    }
    const actual = sha256(data);
    if (actual !== expected.sha256) {
      throw new HcrError(
        'BAD_MODEL',
        `${path}: SHA-256 ${actual} does not match ${expected.sha256} recorded in ${METADATA_FILE}`,
      );
    }
  }
  return data;
}

/**
 * True when `dir` exists, after completing a save that a crash interrupted between its two
 * renames (the complete new version, or else the previous one, is put in place). A save in
 * progress in another process is waited for, briefly.
 */
async function directoryPresent(dir: string): Promise<boolean> {
  for (let attempt = 0; attempt < 40; attempt++) {
    try {
      await stat(dir);
      return true;
    } catch {
      // Missing: maybe mid-swap. Recovery is best effort (the folder may be read-only).
    }
    const report = await recoverDirectory(dir).catch(() => null);
    if (report?.restored) return true;
    if (!report?.busy) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}

/**
 * Throws `BAD_MODEL` naming the first weight tensor that holds a NaN or an infinity: such a
 * model (a diverged run, a damaged file with a matching checksum) would answer garbage with
 * confidence.
 */
function assertFiniteWeights(
  path: string,
  specs: readonly tf.io.WeightsManifestEntry[],
  weights: Uint8Array,
): void {
  let offset = 0;
  for (const spec of specs) {
    const count = spec.shape.reduce((a, b) => a * b, 1);
    if (spec.dtype === undefined || spec.dtype === 'float32') {
      const view = new DataView(weights.buffer, weights.byteOffset + offset, count * 4);
      let bad = 0;
      let first = 0;
      for (let i = 0; i < count; i++) {
        const v = view.getFloat32(i * 4, true);
        if (!Number.isFinite(v)) {
          if (bad === 0) first = v;
          bad++;
        }
      }
      if (bad > 0) {
        throw new HcrError(
          'BAD_MODEL',
          `${path}: tensor ${spec.name} [${spec.shape.join(',')}] has ${bad} non-finite value(s) of ${count} (first: ${first}); expected finite weights (did training diverge?)`,
        );
      }
    }
    offset += count * 4;
  }
}

/** Reads and validates hcr.json of a model directory. */
export async function readMetadata(dir: string): Promise<ModelMetadata> {
  const path = join(dir, METADATA_FILE);
  if (!(await directoryPresent(dir))) {
    throw new HcrError('NOT_FOUND', `${dir}: no such model directory`);
  }
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new HcrError(
      'BAD_MODEL',
      `${dir}: not an hcr model directory (missing ${METADATA_FILE})`,
    );
  }
  let metadata: ModelMetadata;
  try {
    metadata = JSON.parse(text) as ModelMetadata;
  } catch (error) {
    throw new HcrError('BAD_MODEL', `${path}: not valid JSON (${(error as Error).message})`);
  }
  if ((metadata as { kind?: unknown }).kind === 'line') {
    throw new HcrError(
      'BAD_MODEL',
      `${path}: expected a character model, got a line model (kind "line"): read lines with it (hcr read --line-model)`,
    );
  }
  if (metadata.format !== 'hcr-model' || typeof metadata.formatVersion !== 'number') {
    throw new HcrError(
      'BAD_MODEL',
      `${path}: expected "format": "hcr-model" with a numeric "formatVersion", got ${JSON.stringify(metadata.format)} and ${JSON.stringify(metadata.formatVersion)}`,
    );
  }
  if (metadata.formatVersion > MODEL_FORMAT_VERSION) {
    throw new HcrError(
      'BAD_MODEL',
      `${path}: format version ${metadata.formatVersion} is newer than this hcr reads (${MODEL_FORMAT_VERSION}); upgrade hcr`,
    );
  }
  if (!Array.isArray(metadata.labelSet?.classes) || metadata.labelSet.classes.length < 2) {
    throw new HcrError('BAD_MODEL', `${path}: labelSet.classes must list at least 2 classes`);
  }
  if (!metadata.files?.[MODEL_FILE] || !metadata.files[WEIGHTS_FILE]) {
    throw new HcrError('BAD_MODEL', `${path}: files must record ${MODEL_FILE} and ${WEIGHTS_FILE}`);
  }
  return metadata;
}

/**
 * Loads a model directory, refusing one whose files are missing, altered or inconsistent.
 *
 * @example
 * const { model, labelSet } = await loadModel('models/alnum36');
 */
export async function loadModel(dir: string): Promise<LoadedModel> {
  const metadata = await readMetadata(dir);
  const modelJsonBytes = await readChecked(dir, MODEL_FILE, metadata);
  const weights = await readChecked(dir, WEIGHTS_FILE, metadata);
  let modelJson: tf.io.ModelJSON;
  try {
    modelJson = JSON.parse(modelJsonBytes.toString('utf8')) as tf.io.ModelJSON;
  } catch (error) {
    throw new HcrError(
      'BAD_MODEL',
      `${join(dir, MODEL_FILE)}: not valid JSON (${(error as Error).message})`,
    );
  }
  const weightSpecs = modelJson.weightsManifest.flatMap((group) => group.weights);
  const expectedBytes = weightSpecs.reduce(
    (sum, spec) => sum + spec.shape.reduce((a, b) => a * b, 1) * 4,
    0,
  );
  if (expectedBytes !== weights.length) {
    throw new HcrError(
      'BAD_MODEL',
      `${join(dir, WEIGHTS_FILE)}: model.json describes ${expectedBytes} bytes of weights, file has ${weights.length}`,
    );
  }
  assertFiniteWeights(join(dir, WEIGHTS_FILE), weightSpecs, weights);
  const weightData = ownArrayBuffer(weights);
  const model = await tf.loadLayersModel(
    tf.io.fromMemory({ modelTopology: modelJson.modelTopology, weightSpecs, weightData }),
  );
  const inputShape = model.inputs[0]?.shape ?? [];
  const outputs = model.outputs[0]?.shape.at(-1);
  const classes = metadata.labelSet.classes;
  if (inputShape.join() !== [null, IMAGE_SIZE, IMAGE_SIZE, 1].join()) {
    model.dispose();
    throw new HcrError(
      'BAD_MODEL',
      `${dir}: expected input shape [null,28,28,1], model has [${inputShape.join()}]`,
    );
  }
  if (outputs !== classes.length) {
    model.dispose();
    throw new HcrError(
      'BAD_MODEL',
      `${dir}: ${METADATA_FILE} lists ${classes.length} classes (${metadata.labelSet.name}) but the model has ${outputs} outputs`,
    );
  }
  const labelSet: LabelSet = { name: metadata.labelSet.name, classes: [...classes] };
  return { model, metadata, labelSet, dir, dispose: () => model.dispose() };
}

/** Restores optimizer state saved with {@link saveModel}'s `optimizer` option, if present. */
export async function loadOptimizerState(
  dir: string,
  metadata: ModelMetadata,
  optimizer: tf.Optimizer,
): Promise<boolean> {
  if (!metadata.files[OPTIMIZER_FILE]) return false;
  const specs = JSON.parse(
    (await readChecked(dir, OPTIMIZER_SPECS_FILE, metadata)).toString('utf8'),
  ) as tf.io.WeightsManifestEntry[];
  const data = await readChecked(dir, OPTIMIZER_FILE, metadata);
  const tensors = tf.io.decodeWeights(ownArrayBuffer(data), specs);
  await optimizer.setWeights(
    specs.map((spec) => ({ name: spec.name, tensor: tensors[spec.name]! })),
  );
  return true;
}
