// The plots made of handwriting images: a sample grid per data source (what the model sees),
// the most confident mistakes, and the most confused class pairs with examples. Images are
// embedded as PNG data URLs; every position is computed here in pixels (Vega-Lite `scale:
// null`), so captions and labels never overlap whatever the number of classes.

import sharp from 'sharp';
import type { TopLevelSpec } from 'vega-lite';
import { IMAGE_PIXELS, IMAGE_SIZE, type Dataset } from '../../core/types.js';
import { thousands } from '../../core/format.js';
import { PLOT_CONFIG } from './render.js';
import { textWidth } from './text-width.js';

/**
 * PNG data URLs of images of a dataset (28x28 grayscale, as stored: ink bright on dark).
 *
 * @example
 * const [url] = await imageDataUrls(dataset, [0]); // 'data:image/png;base64,iVBOR...'
 */
export async function imageDataUrls(
  dataset: Pick<Dataset, 'images'>,
  indices: readonly number[],
): Promise<string[]> {
  return Promise.all(
    indices.map(async (i) => {
      const pixels = dataset.images.subarray(i * IMAGE_PIXELS, (i + 1) * IMAGE_PIXELS);
      const png = await sharp(pixels, {
        raw: { width: IMAGE_SIZE, height: IMAGE_SIZE, channels: 1 },
      })
        .png()
        .toBuffer();
      return `data:image/png;base64,${png.toString('base64')}`;
    }),
  );
}

interface PlacedImage {
  x: number;
  y: number;
  url: string;
  description: string;
}

interface PlacedText {
  x: number;
  y: number;
  text: string;
  size: number;
  weight: 'normal' | 'bold';
  color: string;
}

const pixel = (field: string) =>
  ({ field, type: 'quantitative', scale: null, axis: null }) as const;

/** A chart whose images and texts sit at given pixel positions (top-left of images). */
function placedSpec(params: {
  title: string;
  subtitle: string[];
  width: number;
  height: number;
  imageSize: number;
  images: PlacedImage[];
  centred: PlacedText[];
  left?: PlacedText[];
}): TopLevelSpec {
  // Vega-Lite has no font-weight channel: one text layer per alignment and weight.
  const textLayers = (values: PlacedText[], align: 'center' | 'left') =>
    (['normal', 'bold'] as const)
      .map((weight) => ({ weight, values: values.filter((t) => t.weight === weight) }))
      .filter((group) => group.values.length > 0)
      .map((group) => ({
        data: { values: group.values },
        mark: { type: 'text', align, baseline: 'top', fontWeight: group.weight, aria: false },
        encoding: {
          x: pixel('x'),
          y: pixel('y'),
          text: { field: 'text', type: 'nominal' },
          size: { field: 'size', type: 'quantitative', scale: null, legend: null },
          color: { field: 'color', type: 'nominal', scale: null, legend: null },
        },
      }));
  const layer: object[] = [
    {
      data: { values: params.images },
      mark: {
        type: 'image',
        width: params.imageSize,
        height: params.imageSize,
        align: 'left',
        baseline: 'top',
        aspect: false,
      },
      encoding: {
        x: pixel('x'),
        y: pixel('y'),
        url: { field: 'url', type: 'nominal' },
        description: { field: 'description', type: 'nominal' },
      },
    },
    ...textLayers(params.centred, 'center'),
    ...textLayers(params.left ?? [], 'left'),
  ];
  return {
    config: PLOT_CONFIG,
    title: { text: params.title, subtitle: params.subtitle },
    width: params.width,
    height: params.height,
    layer,
  } as unknown as TopLevelSpec;
}

/** Images of one class for a sample grid. */
export interface SampleClass {
  readonly label: string;
  /** PNG data URLs (see {@link imageDataUrls}). */
  readonly urls: readonly string[];
  /** Images of this class in the source, for the hover text. */
  readonly count: number;
}

/** Most columns (classes) in one band of a sample grid before it wraps. */
export const SAMPLE_GRID_MAX_COLUMNS = 36;

/**
 * A grid of sample images from one data source: one column per class (labelled on top), one
 * row per sample; more than {@link SAMPLE_GRID_MAX_COLUMNS} classes wrap into bands of equal
 * width (62 classes: two bands of 31).
 *
 * @example
 * sampleGridSpec({ source: 'mnist', part: 'training', classes, total: 54000 });
 */
export function sampleGridSpec(params: {
  source: string;
  /** Which part of the source the images come from, e.g. 'training' or 'test'. */
  part: string;
  classes: readonly SampleClass[];
  /** Images in that part of the source. */
  total: number;
}): TopLevelSpec {
  const { classes } = params;
  const image = 32;
  const cell = image + 4;
  const labelHeight = 20;
  const rows = Math.max(1, ...classes.map((c) => c.urls.length));
  const bands = Math.max(1, Math.ceil(classes.length / SAMPLE_GRID_MAX_COLUMNS));
  const perBand = Math.max(1, Math.ceil(classes.length / bands));
  const bandHeight = labelHeight + rows * cell + 14;
  const images: PlacedImage[] = [];
  const labels: PlacedText[] = [];
  classes.forEach((c, k) => {
    const band = Math.floor(k / perBand);
    const column = k % perBand;
    const x = column * cell;
    const top = band * bandHeight;
    labels.push({
      x: x + image / 2,
      y: top,
      text: c.label,
      size: 14,
      weight: 'bold',
      color: '#000',
    });
    c.urls.forEach((url, r) => {
      images.push({
        x,
        y: top + labelHeight + r * cell,
        url,
        description: `${params.source}: a ${params.part} image of class ${c.label} (${thousands(c.count)} in this source)`,
      });
    });
  });
  const perClass = rows === 1 ? '1 random image' : `${rows} random images`;
  return placedSpec({
    title: `Sample ${params.part} images: ${params.source}`,
    subtitle: [
      `${perClass} per class (column), after normalization to 28×28 with ink bright on dark: what the model sees.`,
      `${thousands(params.total)} ${params.part} images in ${classes.length} classes.`,
    ],
    width: Math.min(classes.length, perBand) * cell,
    height: bands * bandHeight - 14,
    imageSize: image,
    images,
    centred: labels,
  });
}

/** A misclassified image with what the model said about it. */
export interface ErrorExample {
  /** PNG data URL of the image. */
  readonly url: string;
  readonly trueLabel: string;
  readonly predictedLabel: string;
  /** The model's probability for the predicted (wrong) class. */
  readonly probability: number;
  /** The test set the image belongs to and its index there. */
  readonly testSet: string;
  readonly index: number;
}

/** A probability as a percentage with one decimal; never "100.0%" for a value below 1. */
function percentText(p: number): string {
  const text = (p * 100).toFixed(1);
  return `${text === '100.0' && p < 1 ? '99.9' : text}%`;
}

function errorDescription(e: ErrorExample): string {
  return `${e.testSet} image ${e.index}: true ${e.trueLabel}, predicted ${e.predictedLabel} with probability ${(e.probability * 100).toFixed(1)}%`;
}

/**
 * A grid of the most confident mistakes, each captioned with its true class, the predicted
 * class and the model's probability for it. Examples should come most confident first.
 *
 * @example
 * worstErrorsSpec({ testSet: 'emnist-test', examples, total: 1204, count: 8926 });
 */
export function worstErrorsSpec(params: {
  testSet: string;
  examples: readonly ErrorExample[];
  /** Misclassified images in the test set. */
  total: number;
  /** Images in the test set. */
  count: number;
  /** Images per row. Default: 10. */
  columns?: number;
}): TopLevelSpec {
  const columns = Math.max(1, params.columns ?? 10);
  const image = 56;
  const lines = params.examples.map((e) => [
    `true ${e.trueLabel}`,
    `pred ${e.predictedLabel} · ${percentText(e.probability)}`,
  ]);
  // Wide enough for the longest caption, so neighbours never touch.
  const cellWidth = Math.ceil(
    Math.max(
      image + 16,
      ...lines.map(([a, b]) => Math.max(textWidth(a!, 12, true), textWidth(b!, 12)) + 12),
    ),
  );
  const cellHeight = image + 40;
  const images: PlacedImage[] = [];
  const captions: PlacedText[] = [];
  params.examples.forEach((e, k) => {
    const x = (k % columns) * cellWidth;
    const y = Math.floor(k / columns) * cellHeight;
    images.push({
      x: x + (cellWidth - image) / 2,
      y,
      url: e.url,
      description: errorDescription(e),
    });
    const centre = x + cellWidth / 2;
    captions.push(
      {
        x: centre,
        y: y + image + 3,
        text: lines[k]![0]!,
        size: 12,
        weight: 'bold',
        color: '#000',
      },
      {
        x: centre,
        y: y + image + 18,
        text: lines[k]![1]!,
        size: 12,
        weight: 'normal',
        color: '#c0392b',
      },
    );
  });
  const rows = Math.max(1, Math.ceil(params.examples.length / columns));
  const rate = params.count > 0 ? ` (${((params.total / params.count) * 100).toFixed(1)}%)` : '';
  return placedSpec({
    title: `Most confident mistakes: ${params.testSet}`,
    subtitle: [
      `The ${params.examples.length} wrong predictions the model was surest of, surest first; ` +
        `${thousands(params.total)} of ${thousands(params.count)} test images are misclassified${rate}.`,
      'Under each image: its true class, then the predicted class and the probability the model gave it.',
    ],
    width: Math.min(columns, Math.max(1, params.examples.length)) * cellWidth,
    height: rows * cellHeight - 8,
    imageSize: image,
    images,
    centred: captions,
  });
}

/** A confused pair of classes with examples, for {@link confusedPairsSpec}. */
export interface ConfusedPairExamples {
  readonly trueLabel: string;
  readonly predictedLabel: string;
  /** Images of the true class predicted as the other. */
  readonly count: number;
  /** `count` as a share of the true class's images. */
  readonly share: number;
  /** How the pair is known to be related ('look-alike', 'confusable', 'same letter, other case'), if at all. */
  readonly note: string | undefined;
  /** The most confident examples, most confident first. */
  readonly examples: readonly ErrorExample[];
}

/**
 * The most confused pairs of classes, one row each: the pair (true → predicted), how many
 * images and what share of the true class, a note for known look-alikes, and examples with
 * the model's probability for the wrong class.
 *
 * @example
 * confusedPairsSpec({ testSet: 'emnist-test', pairs });
 */
export function confusedPairsSpec(params: {
  testSet: string;
  pairs: readonly ConfusedPairExamples[];
}): TopLevelSpec {
  const image = 48;
  const cell = 62;
  const heading = (p: ConfusedPairExamples) => `${p.trueLabel} → ${p.predictedLabel}`;
  const detail = (p: ConfusedPairExamples) =>
    `${thousands(p.count)} images, ${(p.share * 100).toFixed(1)}% of true ${p.trueLabel}`;
  // The text column is as wide as its longest line, plus a gap before the images.
  const labelWidth = Math.ceil(
    16 +
      Math.max(
        120,
        ...params.pairs.map((p) =>
          Math.max(
            textWidth(heading(p), 16, true),
            textWidth(detail(p), 12),
            textWidth(p.note ?? '', 11),
          ),
        ),
      ),
  );
  const rowHeight = image + 30;
  const maxExamples = Math.max(1, ...params.pairs.map((p) => p.examples.length));
  const images: PlacedImage[] = [];
  const captions: PlacedText[] = [];
  const left: PlacedText[] = [];
  params.pairs.forEach((pair, r) => {
    const y = r * rowHeight;
    left.push(
      {
        x: 0,
        y: y + 2,
        text: heading(pair),
        size: 16,
        weight: 'bold',
        color: '#000',
      },
      {
        x: 0,
        y: y + 22,
        text: detail(pair),
        size: 12,
        weight: 'normal',
        color: '#222',
      },
    );
    if (pair.note) {
      left.push({ x: 0, y: y + 38, text: pair.note, size: 11, weight: 'normal', color: '#777' });
    }
    if (pair.examples.length === 0) {
      left.push({
        x: labelWidth,
        y: y + 18,
        text: '(no example among the saved most confident mistakes)',
        size: 12,
        weight: 'normal',
        color: '#777',
      });
    }
    pair.examples.forEach((e, k) => {
      const x = labelWidth + k * cell;
      images.push({ x: x + (cell - image) / 2, y, url: e.url, description: errorDescription(e) });
      captions.push({
        x: x + cell / 2,
        y: y + image + 3,
        text: percentText(e.probability),
        size: 11,
        weight: 'normal',
        color: '#c0392b',
      });
    });
  });
  return placedSpec({
    title: `Most confused pairs: ${params.testSet}`,
    subtitle: [
      'Each row: true class → predicted class, how many images and what share of the true class went that way,',
      `and the model's most confident examples (under each: its probability for the wrong class).`,
    ],
    width: labelWidth + maxExamples * cell,
    height: Math.max(1, params.pairs.length) * rowHeight - 8,
    imageSize: image,
    images,
    centred: captions,
    left,
  });
}
