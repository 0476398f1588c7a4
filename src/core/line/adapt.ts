// Adapting a line model to one writer (docs/DESIGN.md §8, "A model can be adapted to one
// writer"): the writer's words, kept as ink with the text they say, are rendered exactly as the
// page reads ink (renderInk, then normalizeLine), a share is held out to measure the gain, and
// the model's last layers are trained on the rest with CTC (core's op, ctc-loss.ts) at a small
// learning rate, each word seen many times under small random changes of slant, width and pen.
// Batch norm and dropout stay in inference mode (a batch of a few words would ruin the
// statistics). Shared by the page's adaptation worker and Node's measurement of the recipe
// (bench/adapt-lines.ts), so the recipe chosen in Node is the one the page runs.

import * as tf from '@tensorflow/tfjs';
import { RENDER_INK_DEFAULTS, renderInk } from '../ink/render.js';
import type { InkStroke } from '../ink/types.js';
import { createRandom, shuffleInPlace, uniform, type Random } from '../random.js';
import { ctcFramesFromLogits } from '../read/ctc-align.js';
import { ctcBeamSearch, ctcGreedy, type CharacterLanguageModel } from '../read/ctc-decode.js';
import { MIN_LINE_MODEL_WIDTH, lineModelInput } from '../read/line-read.js';
import { editDistance } from '../read/read.js';
import { tuneLearningRate } from '../tune.js';
import { LINE_FRAME_STRIDE, lineFrames } from './architectures.js';
import { LINE_CHARSET, encodeLineText, minCtcFrames } from './charset.js';
import { ctcLoss } from './ctc-loss.js';
import { LINE_HEIGHT, normalizeLine, type LineImage } from './normalize-line.js';

/** One word (or line) of a writer: its ink and what it says. */
export interface InkLineSample {
  readonly strokes: readonly InkStroke[];
  readonly text: string;
}

/**
 * Which layers an adaptation trains: `logits` the 1x1 classifier; `head` the layers after the
 * last pooling (the height-wide convolution, the context convolution and the classifier);
 * `all` every convolution and batch norm's scale and offset.
 */
export type LineAdaptLayers = 'logits' | 'head' | 'all';

/** Options of {@link adaptLineModel}; every field optional, defaults in {@link LINE_ADAPT_DEFAULTS}. */
export interface LineAdaptOptions {
  /** Training steps. Default: LINE_ADAPT_DEFAULTS.steps. */
  readonly steps?: number;
  /** Words per step. Default: LINE_ADAPT_DEFAULTS.batchSize. */
  readonly batchSize?: number;
  /** Peak learning rate of Adam (warm-up, then cosine). Default: LINE_ADAPT_DEFAULTS.learningRate. */
  readonly learningRate?: number;
  /** The layers trained. Default: LINE_ADAPT_DEFAULTS.layers. */
  readonly layers?: LineAdaptLayers;
  /** Render each presentation with small random changes. Default: true. */
  readonly augment?: boolean;
  /** Share of the samples held out to measure the gain. Default: LINE_ADAPT_DEFAULTS.heldOut. */
  readonly heldOut?: number;
  /** Seed of the hold-out, the order and the changes. Default: LINE_ADAPT_DEFAULTS.seed. */
  readonly seed?: number;
}

/**
 * The recipe, chosen with bench/adapt-lines.ts on validation writers (never the test writers):
 * see docs/WEB.md, "Teaching the line model your words", for the figures behind each value.
 */
export const LINE_ADAPT_DEFAULTS = Object.freeze({
  steps: 90,
  batchSize: 8,
  learningRate: 0.0002,
  layers: 'head' as LineAdaptLayers,
  augment: true,
  heldOut: 0.2,
  seed: 7,
});

/** Fewest samples the page adapts on: two to train, one held out. */
export const MIN_LINE_ADAPT_SAMPLES = 3;

/** The options with their defaults. */
export function resolveLineAdaptOptions(
  options: LineAdaptOptions = {},
): Readonly<Required<LineAdaptOptions>> {
  const defined = Object.fromEntries(
    Object.entries(options).filter(([, v]) => v !== undefined),
  ) as LineAdaptOptions;
  return Object.freeze({ ...LINE_ADAPT_DEFAULTS, ...defined });
}

/**
 * The samples split: `share` of them held out at random with `seed` (rounded down, at least one
 * of three or more; none of one or two), indices in order.
 *
 * @example
 * holdOutLines(30, 0.2, 7); // { train: [24 indices], heldOut: [6 indices] }
 */
export function holdOutLines(
  count: number,
  share: number,
  seed: number,
): { train: number[]; heldOut: number[] } {
  const order = shuffleInPlace(
    Array.from({ length: count }, (_, i) => i),
    createRandom(seed),
  );
  const held = share <= 0 || count < 3 ? 0 : Math.max(1, Math.floor(count * share));
  return {
    train: order.slice(held).sort((a, b) => a - b),
    heldOut: order.slice(0, held).sort((a, b) => a - b),
  };
}

/**
 * Ink slanted, stretched and turned a little (about the middle of its box): the variation of
 * one writer from one word to the next.
 */
function varyInk(strokes: readonly InkStroke[], rand: Random): InkStroke[] {
  let cx = 0;
  let cy = 0;
  let n = 0;
  for (const s of strokes) {
    for (const p of s) {
      cx += p.x;
      cy += p.y;
      n++;
    }
  }
  cx /= Math.max(1, n);
  cy /= Math.max(1, n);
  const shear = uniform(rand, -0.2, 0.2);
  const stretch = uniform(rand, 0.85, 1.15);
  const angle = uniform(rand, -0.05, 0.05);
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  return strokes.map((s) =>
    s.map((p) => {
      const y = p.y - cy;
      const x = (p.x - cx + shear * y) * stretch;
      return { x: cx + cos * x - sin * y, y: cy + sin * x + cos * y };
    }),
  );
}

/**
 * A sample's ink as the line model reads it: rendered at the model's scale and pen (renderInk)
 * and brought to the line convention, as the page's reader does; with `rand`, slanted,
 * stretched, turned and drawn with another pen first.
 *
 * @example
 * const line = renderLineSample(sample.strokes); // line.height === LINE_HEIGHT
 */
export function renderLineSample(strokes: readonly InkStroke[], rand?: Random): LineImage {
  if (!rand) return normalizeLine(renderInk(strokes), { inkIsBright: true });
  const penWidth = RENDER_INK_DEFAULTS.penWidth * uniform(rand, 0.75, 1.3);
  return normalizeLine(renderInk(varyInk(strokes, rand), { penWidth }), { inkIsBright: true });
}

/** Lines padded to one width (a multiple of the frame stride) as floats in [0, 1]. */
function lineBatch(lines: readonly LineImage[]): { images: Float32Array; width: number } {
  const widest = Math.max(MIN_LINE_MODEL_WIDTH, ...lines.map((l) => l.width));
  const width = Math.ceil(widest / LINE_FRAME_STRIDE) * LINE_FRAME_STRIDE;
  const images = new Float32Array(lines.length * LINE_HEIGHT * width);
  lines.forEach((line, n) => {
    const base = n * LINE_HEIGHT * width;
    for (let y = 0; y < LINE_HEIGHT; y++) {
      for (let x = 0; x < line.width; x++) {
        images[base + y * width + x] = line.data[y * line.width + x]! / 255;
      }
    }
  });
  return { images, width };
}

/** The layers {@link LineAdaptLayers} names, by position in the model. */
function adaptedLayers(
  model: tf.LayersModel,
  which: LineAdaptLayers,
): (typeof model.layers)[number][] {
  const layers = model.layers;
  if (which === 'all') return layers;
  if (which === 'logits') return layers.slice(-1);
  let lastPool = -1;
  layers.forEach((layer, i) => {
    if (/pool/i.test(layer.getClassName())) lastPool = i;
  });
  return layers.slice(lastPool + 1);
}

/** A progress event of {@link adaptLineModel}. */
export interface LineAdaptProgress {
  readonly step: number;
  readonly steps: number;
  readonly loss: number;
  /** Words trained on per second so far. */
  readonly linesPerSecond: number;
}

/** What {@link adaptLineModel} did. */
export interface LineAdaptRun {
  readonly steps: number;
  /** Samples trained on (a text the charset cannot write, or too long for its ink, is left out). */
  readonly used: number;
  readonly skipped: number;
  readonly seconds: number;
  /** Mean loss of the first and the last tenth of the steps. */
  readonly firstLoss: number;
  readonly lastLoss: number;
}

/**
 * Trains `model` in place on `samples` by the recipe: Adam with core's tuning schedule
 * (tuneLearningRate), CTC on batches of randomly chosen words, only the layers of
 * `options.layers` trained; `onProgress` after every step (awaited: a worker can post it).
 *
 * @param charset - the model's characters (class i is charset[i - 1]). Default: LINE_CHARSET.
 * @throws Error when no sample can be trained on
 * @example
 * const run = await adaptLineModel(model, samples, { steps: 120 });
 */
export async function adaptLineModel(
  model: tf.LayersModel,
  samples: readonly InkLineSample[],
  options: LineAdaptOptions = {},
  onProgress?: (progress: LineAdaptProgress) => void | Promise<void>,
  charset: string = LINE_CHARSET,
): Promise<LineAdaptRun> {
  const o = resolveLineAdaptOptions(options);
  const plain = samples.map((s) => renderLineSample(s.strokes));
  const usable = samples.flatMap((s, i) => {
    const labels = encodeLineText(s.text, charset);
    const line = plain[i]!;
    if (!labels || labels.length === 0 || line.empty) return [];
    if (lineFrames(line.width) < minCtcFrames(labels)) return [];
    return [{ strokes: s.strokes, labels, line }];
  });
  if (usable.length === 0) {
    throw new Error(
      `line adaptation: none of the ${samples.length} samples can be trained on (text outside the model's characters, or too long for its ink)`,
    );
  }
  const chosen = new Set(adaptedLayers(model, o.layers));
  const variables = model.layers
    .filter((layer) => chosen.has(layer))
    .flatMap((layer) => layer.trainableWeights)
    .map((w) => (w as unknown as { val: tf.Variable }).val);
  const optimizer = tf.train.adam(o.learningRate);
  const rand = createRandom(o.seed * 7919 + 1);
  let order: number[] = [];
  const losses: number[] = [];
  const started = Date.now();
  let lines = 0;
  try {
    for (let step = 0; step < o.steps; step++) {
      const batch: (typeof usable)[number][] = [];
      while (batch.length < Math.min(o.batchSize, usable.length)) {
        if (order.length === 0) {
          order = shuffleInPlace(
            usable.map((_, i) => i),
            rand,
          );
        }
        batch.push(usable[order.pop()!]!);
      }
      const rendered = batch.map((b) => {
        if (!o.augment) return b.line;
        const varied = renderLineSample(b.strokes, rand);
        // A change that leaves too few frames for the text falls back to the plain rendering.
        return !varied.empty && lineFrames(varied.width) >= minCtcFrames(b.labels)
          ? varied
          : b.line;
      });
      const { images, width } = lineBatch(rendered);
      const targets = {
        labels: batch.map((b) => b.labels),
        frames: rendered.map((l) => lineFrames(l.width)),
      };
      (optimizer as unknown as { learningRate: number }).learningRate = tuneLearningRate(
        o.learningRate,
        step / o.steps,
      );
      const loss = tf.tidy(() => {
        const x = tf.tensor4d(images, [batch.length, LINE_HEIGHT, width, 1]);
        const { value, grads } = tf.variableGrads(
          () => ctcLoss(model.apply(x, { training: false }) as tf.Tensor, targets),
          variables,
        );
        optimizer.applyGradients(grads as tf.NamedTensorMap as Record<string, tf.Variable>);
        return value;
      });
      const value = (await loss.data())[0]!;
      loss.dispose();
      losses.push(value);
      lines += batch.length;
      await onProgress?.({
        step: step + 1,
        steps: o.steps,
        loss: value,
        linesPerSecond: lines / (Math.max(1, Date.now() - started) / 1000),
      });
    }
  } finally {
    optimizer.dispose();
  }
  const tenth = Math.max(1, Math.floor(losses.length / 10));
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  return {
    steps: o.steps,
    used: usable.length,
    skipped: samples.length - usable.length,
    seconds: (Date.now() - started) / 1000,
    firstLoss: mean(losses.slice(0, tenth)),
    lastLoss: mean(losses.slice(-tenth)),
  };
}

/** Per-frame logits of one line, as the page's reader runs the model (lineModelInput). */
export function lineLogits(
  model: tf.LayersModel,
  line: LineImage,
): { logits: Float32Array; frames: number; classes: number } {
  const { input, width, frames } = lineModelInput(line, LINE_FRAME_STRIDE);
  const out = tf.tidy(
    () => model.predict(tf.tensor4d(input, [1, line.height, width, 1])) as tf.Tensor,
  );
  const classes = out.shape.at(-1)!;
  const logits = (out.dataSync() as Float32Array).slice(0, frames * classes);
  out.dispose();
  return { logits, frames, classes };
}

/** How samples were read: by the model alone (greedy) and with the language model. */
export interface LineReadings {
  readonly greedy: readonly string[];
  /** With the language model (the page's reading); the greedy readings without one. */
  readonly withLanguageModel: readonly string[];
}

/**
 * Reads each sample's ink with `model` as the page does: greedily, and by the beam search with
 * the line language model when one is given.
 *
 * @example
 * const { greedy } = readLineSamples(model, heldOut);
 */
export function readLineSamples(
  model: tf.LayersModel,
  samples: readonly InkLineSample[],
  options: { readonly charset?: string; readonly languageModel?: CharacterLanguageModel } = {},
): LineReadings {
  const charset = options.charset ?? LINE_CHARSET;
  const greedy: string[] = [];
  const withLanguageModel: string[] = [];
  for (const sample of samples) {
    const line = renderLineSample(sample.strokes);
    if (line.empty) {
      greedy.push('');
      withLanguageModel.push('');
      continue;
    }
    const { logits, frames, classes } = lineLogits(model, line);
    const ctc = ctcFramesFromLogits(logits, frames, classes);
    const best = ctcGreedy(ctc, { charset }).text;
    greedy.push(best);
    withLanguageModel.push(
      options.languageModel
        ? (ctcBeamSearch(ctc, { charset, languageModel: options.languageModel })[0]?.text ?? best)
        : best,
    );
  }
  return { greedy, withLanguageModel };
}

/**
 * Share of the characters read right: 1 - edit distance / characters of the texts, over all
 * of them, floored at 0 (bench:ink's measure).
 *
 * @example
 * charAccuracy(['helo'], ['hello']); // 0.8
 */
export function charAccuracy(readings: readonly string[], texts: readonly string[]): number {
  let errors = 0;
  let chars = 0;
  texts.forEach((text, i) => {
    errors += editDistance(readings[i] ?? '', text);
    chars += text.length;
  });
  return chars === 0 ? Number.NaN : Math.max(0, 1 - errors / chars);
}
