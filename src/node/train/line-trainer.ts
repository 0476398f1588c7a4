// Training a line model (issue 21): lines from LineSources are rendered, brought to the line
// convention, grouped by width into batches (little padding), and trained with CTC on the
// replica pool (both cores). Validation reads a fixed set of lines greedily and keeps the best
// model by character error rate; a checkpoint with the optimizer's state is written every few
// minutes so that `--resume` continues a run, and `--init` starts from another line model.

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import {
  DEFAULT_LINE_ARCHITECTURE,
  getLineArchitecture,
  lineFrames,
  transferLineWeights,
} from '../../core/line/architectures.js';
import { encodeLineText, LINE_CHARSET, minCtcFrames } from '../../core/line/charset.js';
import { normalizeLine, LINE_HEIGHT, type LineImage } from '../../core/line/normalize-line.js';
import { createRandom, shuffleInPlace, type Random } from '../../core/random.js';
import { editDistance } from '../../core/read/read.js';
import { ReplicaPool } from '../engine/replicas.js';
import { writeFileAtomic } from '../fs-atomic.js';
import {
  loadLineModel,
  loadLineOptimizerState,
  saveLineModel,
  type LineMetadataInput,
} from '../model/line-artifact.js';
import type { LineSource } from '../data/lines/types.js';

/** Options of {@link trainLineModel}; defaults in {@link LINE_TRAIN_DEFAULTS}. */
export interface LineTrainOptions {
  /** Where the best model (by validation CER) is saved. */
  readonly out: string;
  /**
   * Line architecture. Default: the `init` model's, else `'line-s'`. With `init` of another
   * architecture, the new network takes the init model's weights where it extends it
   * (transferLineWeights: line-s into line-sc).
   */
  readonly arch?: string;
  /** Lines per step. Default 32. */
  readonly batchSize?: number;
  /** Peak learning rate of Adam. Default 0.001. */
  readonly lr?: number;
  /** Passes over the training sources. Default 10. */
  readonly epochs?: number;
  /** Stop after this many minutes (0: no limit). Default 0. */
  readonly maxMinutes?: number;
  /** Validation every this many steps. Default 400. */
  readonly evalEvery?: number;
  /** Checkpoint every this many minutes. Default 10. */
  readonly checkpointMinutes?: number;
  /** Continue from the checkpoint of `out`. Default false. */
  readonly resume?: boolean;
  /** Start from this line model's weights. */
  readonly init?: string;
  /** Seed of the order and the pens. Default 1. */
  readonly seed?: number;
  /** Worker threads besides the main one. Default: one per extra core. */
  readonly workers?: number;
  /** The command line that started the run, for the card. */
  readonly command?: string;
}

/** The defaults of {@link LineTrainOptions}. */
export const LINE_TRAIN_DEFAULTS = Object.freeze({
  batchSize: 32,
  lr: 0.001,
  epochs: 10,
  maxMinutes: 0,
  evalEvery: 400,
  checkpointMinutes: 10,
  resume: false,
  seed: 1,
});

/** A training progress event. */
export type LineTrainEvent =
  | {
      phase: 'step';
      step: number;
      epoch: number;
      loss: number;
      linesPerSecond: number;
      lr: number;
      /** Share of each batch the main thread computes (it renders too). */
      mainShare: number;
    }
  | { phase: 'validation'; step: number; cer: number; wordAccuracy: number; best: boolean }
  | { phase: 'checkpoint'; step: number }
  | { phase: 'done'; step: number; bestCer: number; minutes: number };

/** A training source with its weight in the mix (the share of each epoch's items it gives). */
export interface WeightedLineSource {
  readonly source: LineSource;
  /** Items drawn from it per epoch; default its size. */
  readonly perEpoch?: number;
}

interface Prepared {
  readonly line: LineImage;
  readonly labels: Int32Array;
  readonly text: string;
}

/** Renders and normalizes item `i`; null when its text cannot fit the line's frames. */
function prepare(source: LineSource, i: number, rand: Random): Prepared | null {
  const sample = source.sample(i, rand);
  const labels = encodeLineText(sample.text);
  if (!labels) return null;
  const line = normalizeLine(sample.image);
  if (line.empty || lineFrames(line.width) < minCtcFrames(labels)) return null;
  return { line, labels, text: sample.text };
}

/** Pads lines to one width (a multiple of 4) as floats in [0, 1]. */
function toBatch(items: readonly Prepared[]) {
  const width = Math.ceil(Math.max(...items.map((p) => p.line.width)) / 4) * 4;
  const images = new Float32Array(items.length * LINE_HEIGHT * width);
  items.forEach((p, n) => {
    const { data, width: w } = p.line;
    const base = n * LINE_HEIGHT * width;
    for (let y = 0; y < LINE_HEIGHT; y++) {
      for (let x = 0; x < w; x++) images[base + y * width + x] = data[y * w + x]! / 255;
    }
  });
  return {
    images,
    width,
    labels: items.map((p) => p.labels),
    frames: items.map((p) => lineFrames(p.line.width)),
  };
}

/**
 * Greedy (best-path) reading of each line's logits: the class of highest score per frame,
 * repeats merged, blanks dropped.
 */
export function greedyTexts(
  logits: Float32Array,
  n: number,
  frames: readonly number[],
  classes: number,
): string[] {
  const T = logits.length / (n * classes);
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    let text = '';
    let prev = -1;
    for (let t = 0; t < Math.min(frames[i]!, T); t++) {
      const row = (i * T + t) * classes;
      let best = 0;
      for (let c = 1; c < classes; c++) if (logits[row + c]! > logits[row + best]!) best = c;
      if (best !== prev && best !== 0) text += LINE_CHARSET[best - 1];
      prev = best;
    }
    out.push(text);
  }
  return out;
}

/** Character error rate and word accuracy of greedy readings of prepared lines. */
export function measureLines(
  model: tf.LayersModel,
  lines: readonly Prepared[],
): { cer: number; wordAccuracy: number; readings: string[] } {
  const order = lines.map((_, i) => i).sort((a, b) => lines[a]!.line.width - lines[b]!.line.width);
  const readings: string[] = new Array(lines.length);
  for (let k = 0; k < order.length; k += 32) {
    const idx = order.slice(k, k + 32);
    const batch = toBatch(idx.map((i) => lines[i]!));
    const logits = tf.tidy(() => {
      const x = tf.tensor4d(batch.images, [idx.length, LINE_HEIGHT, batch.width, 1]);
      return model.predict(x) as tf.Tensor;
    });
    const classes = logits.shape.at(-1)!;
    const texts = greedyTexts(logits.dataSync() as Float32Array, idx.length, batch.frames, classes);
    logits.dispose();
    idx.forEach((i, j) => (readings[i] = texts[j]!));
  }
  let errors = 0;
  let chars = 0;
  let words = 0;
  lines.forEach((p, i) => {
    errors += editDistance(readings[i]!, p.text);
    chars += p.text.length;
    if (readings[i] === p.text) words++;
  });
  return {
    cer: errors / Math.max(chars, 1),
    wordAccuracy: words / Math.max(lines.length, 1),
    readings,
  };
}

/** Renders `count` items of a source once, with a fixed seed (a validation or test set). */
export function fixedLines(source: LineSource, count: number, seed: number): Prepared[] {
  const rand = createRandom(seed);
  const picks = Array.from({ length: source.size }, (_, i) => i);
  shuffleInPlace(picks, rand);
  const out: Prepared[] = [];
  for (const i of picks) {
    if (out.length >= count) break;
    const p = prepare(source, i, rand);
    if (p) out.push(p);
  }
  return out;
}

interface TrainState {
  step: number;
  epoch: number;
  position: number;
  minutes: number;
  bestCer: number;
}

/** A run that a line model continued from (`--init`): its command, steps and minutes. */
export interface EarlierRun {
  readonly command: string | null;
  readonly steps: number;
  readonly minutes: number;
}

/** The earlier runs a training record lists (none when it lists none). */
export function earlierOf(training: Readonly<Record<string, unknown>>): EarlierRun[] {
  return Array.isArray(training.earlier) ? (training.earlier as EarlierRun[]) : [];
}

/**
 * The runs behind a model, oldest first: the ones its training record lists, then its own.
 *
 * @example
 * earlierRuns({ command: 'hcr line train --out a', steps: 6500, minutes: 82.3 });
 * // [{ command: 'hcr line train --out a', steps: 6500, minutes: 82.3 }]
 */
export function earlierRuns(training: Readonly<Record<string, unknown>>): EarlierRun[] {
  return [
    ...earlierOf(training),
    {
      command: typeof training.command === 'string' ? training.command : null,
      steps: Number(training.steps ?? 0),
      minutes: Number(training.minutes ?? 0),
    },
  ];
}

/**
 * Trains a line model on the sources and saves the best one (by validation CER) to `out`.
 *
 * @example
 * await trainLineModel([{ source: train }], validation, { out: 'runs/line' }, console.log);
 */
export async function trainLineModel(
  sources: readonly WeightedLineSource[],
  validation: LineSource,
  options: LineTrainOptions,
  metadata: Pick<LineMetadataInput, 'data'>,
  onEvent: (event: LineTrainEvent) => void = () => {},
): Promise<{ bestCer: number; steps: number }> {
  const o = { ...LINE_TRAIN_DEFAULTS, ...options };
  let arch = o.arch ?? DEFAULT_LINE_ARCHITECTURE;
  const checkpointDir = `${o.out}.checkpoint`;
  const statePath = join(checkpointDir, 'line-train-state.json');
  const classes = LINE_CHARSET.length + 1;
  let model: tf.LayersModel;
  let state: TrainState = { step: 0, epoch: 0, position: 0, minutes: 0, bestCer: Infinity };
  const optimizer = tf.train.adam(o.lr);
  // The runs the --init model came from, oldest first, so its card can give every command.
  let earlier: EarlierRun[] = [];
  if (o.resume) {
    const loaded = await loadLineModel(checkpointDir);
    model = loaded.model;
    arch = loaded.metadata.architecture;
    earlier = earlierOf(loaded.metadata.training);
    await loadLineOptimizerState(checkpointDir, loaded.metadata, optimizer);
    state = JSON.parse(await readFile(statePath, 'utf8')) as TrainState;
  } else if (o.init) {
    const start = await loadLineModel(o.init);
    earlier = earlierRuns(start.metadata.training);
    arch = o.arch ?? start.metadata.architecture;
    if (arch === start.metadata.architecture) {
      model = start.model;
    } else {
      model = getLineArchitecture(arch).build(classes);
      transferLineWeights(start.model, model);
      start.model.dispose();
    }
  } else {
    model = getLineArchitecture(arch).build(classes);
  }
  const pool = await ReplicaPool.start(model, {
    ...(o.workers === undefined ? {} : { workers: o.workers }),
  });
  const valLines = fixedLines(validation, 600, 99);
  const perEpoch = sources.reduce((a, s) => a + (s.perEpoch ?? s.source.size), 0);
  const stepsPerEpoch = Math.ceil(perEpoch / o.batchSize);
  const totalSteps = stepsPerEpoch * o.epochs;
  const started = Date.now() - state.minutes * 60_000;
  let lastCheckpoint = Date.now();
  const input = (): LineMetadataInput => ({
    charset: LINE_CHARSET,
    architecture: arch,
    training: {
      command: o.command ?? null,
      batchSize: o.batchSize,
      lr: o.lr,
      schedule:
        'linear warm-up 500 steps, cosine to 5% over the planned epochs or the time budget, whichever ends first',
      epochs: o.epochs,
      steps: state.step,
      minutes: Math.round(state.minutes * 10) / 10,
      workers: pool.workers,
      init: o.init ?? null,
      ...(earlier.length > 0 ? { earlier } : {}),
    },
    data: metadata.data,
    metrics: { validation: { cer: state.bestCer, lines: valLines.length, decoder: 'greedy' } },
  });
  const saveCheckpoint = async () => {
    await saveLineModel(checkpointDir, model, input(), { optimizer });
    await writeFileAtomic(statePath, JSON.stringify(state));
    onEvent({ phase: 'checkpoint', step: state.step });
  };
  try {
    const deadline = o.maxMinutes > 0 ? started + o.maxMinutes * 60_000 : Infinity;
    let stop = false;
    while (state.epoch < o.epochs && !stop) {
      // The epoch's items: every source's share, in an order fixed by the seed and the epoch.
      const rand = createRandom(o.seed * 7919 + state.epoch);
      const items: [LineSource, number][] = [];
      for (const { source, perEpoch: share } of sources) {
        const n = Math.min(share ?? source.size, source.size);
        const all = Array.from({ length: source.size }, (_, i) => i);
        shuffleInPlace(all, rand);
        for (let i = 0; i < n; i++) items.push([source, all[i]!]);
      }
      shuffleInPlace(items, rand);
      const chunk = o.batchSize * 8;
      // Lines are rendered a batch at a time alongside each step (the workers compute
      // meanwhile); a chunk of them is grouped by width into batches (little padding).
      const renderer = (position: number) => {
        const chunkRand = createRandom(o.seed * 104729 + state.epoch * 1_000_003 + position);
        const todo = items.slice(position, position + chunk);
        const done: Prepared[] = [];
        return {
          step(count: number): void {
            for (const [source, i] of todo.splice(0, count)) {
              const p = prepare(source, i, chunkRand);
              if (p) done.push(p);
            }
          },
          batches(): Prepared[][] {
            this.step(todo.length);
            done.sort((a, b) => a.line.width - b.line.width);
            const out: Prepared[][] = [];
            for (let k = 0; k < done.length; k += o.batchSize)
              out.push(done.slice(k, k + o.batchSize));
            shuffleInPlace(out, chunkRand);
            return out;
          },
        };
      };
      let next = renderer(state.position);
      let mainShare = 0.35;
      while (state.position < items.length && !stop) {
        const batches = next.batches();
        state.position += chunk;
        next = renderer(state.position);
        const perStep = Math.ceil(chunk / Math.max(batches.length, 1));
        for (const batch of batches) {
          const t0 = performance.now();
          // Through the planned epochs or the time budget, whichever ends first: a run cut by
          // --max-minutes still anneals its learning rate before it stops.
          const progress = Math.max(
            state.step / Math.max(totalSteps, 1),
            o.maxMinutes > 0 ? (Date.now() - started) / (o.maxMinutes * 60_000) : 0,
          );
          const warm = Math.min(1, (state.step + 1) / 500);
          const lr =
            o.lr * warm * (0.05 + 0.95 * 0.5 * (1 + Math.cos(Math.PI * Math.min(progress, 1))));
          (optimizer as unknown as { learningRate: number }).learningRate = lr;
          const { loss, waitedMs } = await pool.lineTrainStep(
            optimizer,
            toBatch(batch),
            mainShare,
            () => next.step(perStep),
          );
          // Balance the split: the main thread also renders, so its share follows whether it
          // waited for the workers or they for it.
          mainShare = Math.min(
            0.6,
            Math.max(0.1, mainShare + ((waitedMs ?? 0) > 5 ? 0.01 : -0.01)),
          );
          state.step++;
          onEvent({
            phase: 'step',
            step: state.step,
            epoch: state.epoch,
            loss,
            linesPerSecond: (batch.length * 1000) / (performance.now() - t0),
            lr,
            mainShare,
          });
          if (state.step % o.evalEvery === 0) {
            const { cer, wordAccuracy } = measureLines(model, valLines);
            const best = cer < state.bestCer;
            state.minutes = (Date.now() - started) / 60_000;
            if (best) {
              state.bestCer = cer;
              await saveLineModel(o.out, model, input());
            }
            onEvent({ phase: 'validation', step: state.step, cer, wordAccuracy, best });
          }
          if (Date.now() - lastCheckpoint > o.checkpointMinutes * 60_000) {
            state.minutes = (Date.now() - started) / 60_000;
            await saveCheckpoint();
            lastCheckpoint = Date.now();
          }
          if (Date.now() > deadline) {
            stop = true;
            break;
          }
        }
      }
      if (!stop) {
        state.epoch++;
        state.position = 0;
      }
    }
    state.minutes = (Date.now() - started) / 60_000;
    const { cer } = measureLines(model, valLines);
    if (cer < state.bestCer) {
      state.bestCer = cer;
      await saveLineModel(o.out, model, input());
    }
    await saveCheckpoint();
    onEvent({ phase: 'done', step: state.step, bestCer: state.bestCer, minutes: state.minutes });
    return { bestCer: state.bestCer, steps: state.step };
  } finally {
    await pool.close();
    model.dispose();
  }
}
