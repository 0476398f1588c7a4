// The Teach panel's character files in zips: the adapted model as a model directory hcr's own
// loader opens (model.json, weights.bin, hcr.json with every file's SHA-256 and what the
// adaptation measured), the samples as a folder of PNGs per class (`hcr tune --samples` reads
// it), and those PNGs read back on import (normalized as the pad's drawings are); importZips
// sends each zip imported where it goes. The line model's files in the same zips are line-zip.ts'.

import { normalizeToMnist } from '../core/normalize.js';
import type { ModelArtifacts } from './adapt-protocol.js';
import { messageOf } from './dom.js';
import { canvasToGray, putGrayPixels } from './images.js';
import { modelFromZip } from './line-zip.js';
import type { ModelInfo } from './recognizer.js';
import type { TeachLines } from './teach-lines.js';
import type { AdaptedModel, Sample } from './teach-store.js';
import { readZip, writeZip, type ZipEntry } from './zip.js';

/** The folder of the adapted model inside its zip. */
const ADAPTED_FOLDER = 'hcr-adapted';
/** The folder of the samples inside their zip (one folder a class in it). */
const SAMPLES_FOLDER = 'hcr-samples';

async function sha256Hex(data: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', data as BufferSource);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

async function pngOf(pixels: Uint8Array): Promise<Blob> {
  const canvas = new OffscreenCanvas(28, 28);
  putGrayPixels(canvas.getContext('2d')!, pixels);
  return canvas.convertToBlob({ type: 'image/png' });
}

/**
 * The adapted model as a zip of a model directory: `hcr-adapted/` with model.json, weights.bin
 * and hcr.json (the base model's `info` for its architecture and normalization, the samples'
 * SHA-256s in place of their pixels).
 *
 * @example
 * download(await adaptedModelZip(adapted, info, samples), 'hcr-adapted-model.zip');
 */
export async function adaptedModelZip(
  adapted: AdaptedModel,
  info: ModelInfo,
  samples: readonly Sample[],
): Promise<Blob> {
  const weights = new Uint8Array(adapted.artifacts.weightData);
  const modelJson = new TextEncoder().encode(
    JSON.stringify({
      format: 'layers-model',
      generatedBy: 'hcr page (adapted in the browser)',
      convertedBy: null,
      modelTopology: adapted.artifacts.modelTopology,
      weightsManifest: [{ paths: ['weights.bin'], weights: adapted.artifacts.weightSpecs }],
    }),
  );
  const base = info as ModelInfo & { normalization?: { version: number } };
  const samplesRecord = await Promise.all(
    samples.map(async (s) => ({ label: s.label, sha256: await sha256Hex(s.pixels) })),
  );
  const metadata = {
    format: 'hcr-model',
    formatVersion: 1,
    labelSet: adapted.labelSet,
    normalization: { version: base.normalization?.version ?? 2 },
    architecture: { name: base.architecture.name, options: {} },
    training: null,
    metrics: {},
    tfjsVersion: 'browser',
    createdAt: adapted.createdAt,
    adaptedInBrowser: {
      /** The first 32 hex digits of the base model's weights.bin SHA-256. */
      baseWeightsSha256Prefix: adapted.baseWeights,
      samples: samplesRecord,
      seconds: adapted.seconds,
      backend: adapted.backend,
      scores: adapted.scores,
    },
    files: {
      'model.json': { bytes: modelJson.length, sha256: await sha256Hex(modelJson) },
      'weights.bin': { bytes: weights.length, sha256: await sha256Hex(weights) },
    },
  };
  return writeZip([
    { name: `${ADAPTED_FOLDER}/model.json`, data: modelJson },
    { name: `${ADAPTED_FOLDER}/weights.bin`, data: weights },
    {
      name: `${ADAPTED_FOLDER}/hcr.json`,
      data: new TextEncoder().encode(`${JSON.stringify(metadata, null, 2)}\n`),
    },
  ]);
}

/**
 * The samples as zip entries, `hcr-samples/<label>/NNNN.png`: the drawing kept, or the 28x28
 * image when none was.
 *
 * @example
 * download(writeZip([...(await sampleEntries(samples)), ...lineEntries]), 'hcr-samples.zip');
 */
export async function sampleEntries(samples: readonly Sample[]): Promise<ZipEntry[]> {
  const entries: ZipEntry[] = [];
  for (const [i, s] of samples.entries()) {
    const png = s.drawing ?? (await pngOf(s.pixels));
    const name = `${SAMPLES_FOLDER}/${s.label}/${String(s.id ?? i).padStart(4, '0')}.png`;
    entries.push({ name, data: new Uint8Array(await png.arrayBuffer()) });
  }
  return entries;
}

/**
 * The samples of a zip's images in folders named after one of `classes`, normalized as the
 * pad's drawings are; an image that cannot be decoded or has no ink is named in `skipped`.
 *
 * @example
 * const samples = await samplesFromZip(entries, classes, skipped);
 */
export async function samplesFromZip(
  entries: readonly ZipEntry[],
  classes: readonly string[],
  skipped: string[],
): Promise<Sample[]> {
  const samples: Sample[] = [];
  for (const entry of entries) {
    const parts = entry.name.split('/');
    const label = parts.at(-2);
    if (!label || !classes.includes(label) || !/\.(png|jpe?g|webp|gif|bmp)$/i.test(entry.name))
      continue;
    const blob = new Blob([entry.data as BlobPart]);
    const bitmap = await createImageBitmap(blob).catch(() => undefined);
    if (!bitmap) {
      skipped.push(entry.name);
      continue;
    }
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    canvas.getContext('2d')!.drawImage(bitmap, 0, 0);
    const normalized = normalizeToMnist(canvasToGray(canvas));
    if (normalized.empty) {
      skipped.push(entry.name);
      continue;
    }
    samples.push({
      label,
      pixels: normalized.pixels,
      createdAt: new Date().toISOString(),
      ...(entry.data.length < 64_000
        ? { drawing: new Blob([entry.data as BlobPart], { type: 'image/png' }) }
        : {}),
    });
  }
  return samples;
}

/**
 * Checks that an imported model's hcr.json (`meta`) is of `expected`'s classes, when it says.
 *
 * @throws Error `WHERE: a model of byclass62 (...), expected alnum36 (...)`
 * @example
 * checkLabelSet('model.zip', meta, info.labelSet);
 */
export function checkLabelSet(
  where: string,
  meta: Record<string, unknown> | undefined,
  expected: AdaptedModel['labelSet'],
): void {
  const labelSet = meta?.['labelSet'] as AdaptedModel['labelSet'] | undefined;
  const classes = expected.classes.join('');
  if (labelSet && labelSet.classes.join('') !== classes) {
    throw new Error(
      `${where}: a model of ${labelSet.name} (${labelSet.classes.join('')}), expected ${expected.name} (${classes})`,
    );
  }
}

/** Where the zips imported go: the Teach panel's parts. */
export interface ZipImporter {
  /** The line model's part, which takes a line model and the words (none: the page has none). */
  readonly lines: TeachLines | undefined;
  /** Reads with an adapted character model from now on. */
  importModel(
    where: string,
    artifacts: ModelArtifacts,
    meta: Record<string, unknown> | undefined,
  ): Promise<void>;
  /** The classes of the model taught: a samples zip's folders are named after them. */
  readonly classes: readonly string[];
  /** Keeps samples imported. */
  addSamples(samples: readonly Sample[]): Promise<void>;
  /** Says what an import did. */
  say(text: string): void;
}

/**
 * Imports zips: a model directory (model.json, weights.bin, hcr.json; a line model's goes to
 * the line part), or samples per class and words. Answers what the panel says of the samples
 * and words imported, or of the failure (undefined when nothing of the kind was imported).
 *
 * @example
 * const said = await importZips(input.files, importer); // 'Imported 5 samples and 3 words.'
 */
export async function importZips(
  files: readonly File[],
  into: ZipImporter,
): Promise<string | undefined> {
  let added = 0;
  let words = 0;
  const skipped: string[] = [];
  try {
    for (const file of files) {
      const entries = await readZip(new Uint8Array(await file.arrayBuffer()), file.name);
      const model = modelFromZip(file.name, entries);
      if (model?.meta?.['kind'] === 'line') {
        if (!into.lines) throw new Error(`${file.name}: a line model, and the page has none`);
        await into.lines.importModel(file.name, model.artifacts, model.meta);
        into.say(`Imported the line model of ${file.name}; reading words with it.`);
        continue;
      }
      if (model) {
        await into.importModel(file.name, model.artifacts, model.meta);
        continue;
      }
      const lines = (await into.lines?.importEntries(file.name, entries)) ?? 0;
      words += lines;
      const samples = await samplesFromZip(entries, into.classes, skipped);
      // A zip of neither samples nor words is not what the panel exports.
      if (samples.length === 0 && lines === 0) {
        throw new Error(
          `${file.name}: no image in a folder named after a character (${into.classes.join(' ')}), and no word in lines/`,
        );
      }
      await into.addSamples(samples);
      added += samples.length;
    }
    if (added > 0 || words > 0 || skipped.length > 0) {
      return (
        `Imported ${added} samples${words ? ` and ${words} words` : ''}.` +
        (skipped.length ? ` Skipped (not an image, or no ink): ${skipped.join(', ')}.` : '')
      );
    }
    return undefined;
  } catch (error) {
    return `Import failed: ${messageOf(error)}`;
  }
}
