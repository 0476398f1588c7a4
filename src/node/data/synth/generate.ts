// `hcr data synth`: generates the synthetic-styles source (docs/DESIGN.md §8) into the data folder,
// reproducibly from a seed: font glyphs of many handwriting and printed families, and UNIPEN's real
// pen trajectories re-inked with varied pens. Every image goes through normalizeToMnist. The files
// it writes are described in files.ts.

import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzip as gunzipCallback, gzip as gzipCallback } from 'node:zlib';
import { HcrError } from '../../../core/errors.js';
import { LABEL_SETS, type LabelSet } from '../../../core/label-sets.js';
import { normalizeToMnist } from '../../../core/normalize.js';
import { createRandom } from '../../../core/random.js';
import { IMAGE_PIXELS, type Dataset } from '../../../core/types.js';
import { replaceDirectoryAtomic, writeFileAtomic } from '../../fs-atomic.js';
import { readFileChecked } from '../files.js';
import { writeIdx } from '../idx.js';
import { selectFamilies, type FontFamily } from './families.js';
import {
  SYNTH_DEFAULTS,
  SYNTH_DIR,
  SYNTH_FILES,
  SYNTH_VERSION,
  UNIPEN_STROKE_FILES,
  type SynthFamilyRecord,
  type SynthManifest,
  type SynthRow,
} from './files.js';
import { loadFamily } from './fonts.js';
import {
  GlyphCanvas,
  PEN_MODELS,
  hasExtent,
  renderFontGlyph,
  renderPenGlyph,
  type Strokes,
} from './render.js';

const gzip = promisify(gzipCallback);
const gunzip = promisify(gunzipCallback);

/** Options of {@link generateSynth}; `dataDir` is required. */
export interface SynthOptions {
  readonly dataDir: string;
  /** Seed of every random draw. Default: 1. */
  readonly seed?: number;
  /** Renderings of each character of each training family. Default: 20. */
  readonly trainVariants?: number;
  /** Renderings of each character of each held-out family (the styles test set). Default: 10. */
  readonly testVariants?: number;
  /** Renderings of each UNIPEN trajectory of a training writer (0: no pens). Default: 1. */
  readonly penVariants?: number;
  /** Families to render, by name (default: every family in FONT_FAMILIES). Reserved ones are refused. */
  readonly families?: readonly string[];
  /**
   * Which UNIPEN images may be re-inked, by category file and row: those of the writers in
   * UNIPEN's training split (the data plan's `unipenTrainRows`), so that no test writer's hand
   * trains. Required when `penVariants` > 0 and the stroke files are present.
   */
  readonly penRows?: (file: string) => Promise<ReadonlySet<number>>;
  readonly onProgress?: (progress: { phase: string; done: number; total: number }) => void;
}

const CHARACTERS = LABEL_SETS.byclass62.classes;
const NORMALIZE = Object.freeze({ polarity: 'light-on-dark', flattenMinSide: 0 } as const);

/** A seed for one image, from the run's seed and the image's place (family, char, variant). */
function imageSeed(seed: number, ...parts: number[]): number {
  let h = (seed ^ 0x5bd1e995) >>> 0;
  for (const part of parts) h = Math.imul(h ^ (part + 0x9e3779b9), 0x85ebca6b) >>> 0;
  return h;
}

/** Images collected in order, grown as they come. */
class ImageSink {
  images = new Uint8Array(IMAGE_PIXELS * 1024);
  labels: number[] = [];
  rows: SynthRow[] = [];
  empty = 0;

  add(pixels: Uint8Array, label: number, row: SynthRow): void {
    const n = this.labels.length;
    if ((n + 1) * IMAGE_PIXELS > this.images.length) {
      const grown = new Uint8Array(this.images.length * 2);
      grown.set(this.images);
      this.images = grown;
    }
    this.images.set(pixels, n * IMAGE_PIXELS);
    this.labels.push(label);
    this.rows.push(row);
  }
}

interface StrokeRow {
  readonly label: string;
  readonly contributor: string;
  readonly writer_id: string;
  readonly strokes: Strokes;
}

async function sha256Of(path: string): Promise<{ sha256: string; bytes: number }> {
  const bytes = await readFileChecked(path);
  return { sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length };
}

async function exists(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/**
 * Generates the synthetic-styles source into `<dataDir>/synth/` (replacing an earlier one
 * atomically) and returns its manifest. The same options give the same files.
 *
 * @throws HcrError BAD_OPTION for a reserved or unknown family, NOT_FOUND for a font package
 *   that is not installed
 * @example
 * const manifest = await generateSynth({ dataDir: defaultDataDir(), seed: 1 });
 */
export async function generateSynth(options: SynthOptions): Promise<SynthManifest> {
  const seed = options.seed ?? SYNTH_DEFAULTS.seed;
  const trainVariants = options.trainVariants ?? SYNTH_DEFAULTS.trainVariants;
  const testVariants = options.testVariants ?? SYNTH_DEFAULTS.testVariants;
  const penVariants = options.penVariants ?? SYNTH_DEFAULTS.penVariants;
  for (const [name, value] of Object.entries({ trainVariants, testVariants, penVariants })) {
    if (!Number.isInteger(value) || value < 0 || value > 1000) {
      throw new HcrError('BAD_OPTION', `${name}: expected an integer in 0-1000, got ${value}`);
    }
  }
  const families = selectFamilies(options.families);
  const progress = options.onProgress ?? (() => {});
  const surface = new GlyphCanvas();
  const sink = new ImageSink();
  const familyRecords: SynthFamilyRecord[] = [];

  for (const [f, family] of families.entries()) {
    const loaded = await loadFamily(family);
    const variants = family.split === 'test' ? testVariants : trainVariants;
    const before = sink.labels.length;
    for (const [c, char] of CHARACTERS.entries()) {
      if (family.capsOnly && char >= 'a' && char <= 'z') continue;
      for (let v = 0; v < variants; v++) {
        const rand = createRandom(imageSeed(seed, 1, f, c, v));
        const image = renderFontGlyph(surface, loaded, char, rand);
        const { pixels, empty } = normalizeToMnist(image, NORMALIZE);
        if (empty) {
          sink.empty++;
          continue;
        }
        sink.add(pixels, c, {
          kind: 'font',
          style: family.name,
          detail: 'font',
          split: family.split,
        });
      }
    }
    familyRecords.push({
      name: family.name,
      package: family.package,
      version: loaded.version,
      kind: family.kind,
      split: family.split,
      files: loaded.files,
      images: sink.labels.length - before,
    });
    progress({ phase: 'fonts', done: f + 1, total: families.length });
  }

  const penFiles: { path: string; sha256: string; bytes: number }[] = [];
  let trajectories = 0;
  let skippedNoExtent = 0;
  const penStart = sink.labels.length;
  const strokeFilesPresent = (
    await Promise.all(UNIPEN_STROKE_FILES.map((f) => exists(join(options.dataDir, f))))
  ).every(Boolean);
  if (penVariants > 0 && strokeFilesPresent) {
    if (!options.penRows) {
      throw new HcrError('BAD_OPTION', 'generateSynth: penRows is required to re-ink UNIPEN');
    }
    for (const [k, file] of UNIPEN_STROKE_FILES.entries()) {
      const path = join(options.dataDir, file);
      penFiles.push({ path: file, ...(await sha256Of(path)) });
      const allowed = await options.penRows(file);
      const text = (await gunzip(await readFileChecked(path))).toString('utf8');
      const lines = text.split('\n').filter((line) => line.length > 0);
      for (const [row, line] of lines.entries()) {
        if (!allowed.has(row)) continue;
        let parsed: StrokeRow;
        try {
          parsed = JSON.parse(line) as StrokeRow;
        } catch (error) {
          throw new HcrError('BAD_DATA', `${file}:${row + 1}: expected a JSON object`, {
            cause: error,
          });
        }
        const label = CHARACTERS.indexOf(parsed.label);
        if (label < 0 || !Array.isArray(parsed.strokes)) {
          throw new HcrError(
            'BAD_DATA',
            `${file}:${row + 1}: expected a label in 0-9 A-Z a-z and strokes, got '${parsed.label}'`,
          );
        }
        if (!hasExtent(parsed.strokes)) {
          skippedNoExtent++;
          continue;
        }
        trajectories++;
        for (let v = 0; v < penVariants; v++) {
          const rand = createRandom(imageSeed(seed, 2, k, row, v));
          const pen = PEN_MODELS[Math.floor(rand() * PEN_MODELS.length)]!;
          const { pixels, empty } = normalizeToMnist(
            renderPenGlyph(surface, parsed.strokes, pen, rand),
            NORMALIZE,
          );
          if (empty) {
            sink.empty++;
            continue;
          }
          sink.add(pixels, label, {
            kind: 'pen',
            style: pen,
            detail: `${parsed.contributor}/${parsed.writer_id}`,
            split: 'train',
          });
        }
        if (row % 2000 === 0) progress({ phase: `pens ${file}`, done: row, total: lines.length });
      }
    }
  }

  const count = sink.labels.length;
  const test = sink.rows.filter((r) => r.split === 'test').length;
  const manifest: SynthManifest = {
    format: 'hcr-synth',
    version: SYNTH_VERSION,
    seed,
    trainVariants,
    testVariants,
    penVariants,
    families: familyRecords,
    pens: {
      models: [...PEN_MODELS],
      files: penFiles,
      trajectories,
      skippedNoExtent,
      images: count - penStart,
    },
    counts: { train: count - test, test },
    empty: sink.empty,
  };
  const csv = [
    'index,kind,style,detail,split',
    ...sink.rows.map((r, i) => [i, r.kind, r.style, r.detail, r.split].map(csvCell).join(',')),
  ].join('\n');
  await replaceDirectoryAtomic(join(options.dataDir, SYNTH_DIR), async (dir) => {
    const inDir = (path: string) => join(dir, path.slice(SYNTH_DIR.length + 1));
    await writeIdx(
      inDir(SYNTH_FILES.images),
      [count, 28, 28],
      sink.images.subarray(0, count * IMAGE_PIXELS),
    );
    await writeIdx(inDir(SYNTH_FILES.labels), [count], Uint8Array.from(sink.labels));
    await writeFileAtomic(inDir(SYNTH_FILES.metadata), await gzip(`${csv}\n`, { level: 9 }));
    await writeFileAtomic(inDir(SYNTH_FILES.manifest), `${JSON.stringify(manifest, null, 1)}\n`);
  });
  return manifest;
}

function csvCell(value: string | number): string {
  const text = String(value);
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * `perClass` fresh renderings of every class of `labelSet` in one font family, variant by
 * variant (the first k x classes images are k of each class), from `seed`: samples of one
 * held-out style for the tuning benchmarks (`bench:tune`, `bench:adapt-page`).
 *
 * @example
 * const others = await renderFamilyDataset(gochi, LABEL_SETS.alnum36, 10, 202, 'others');
 */
export async function renderFamilyDataset(
  family: FontFamily,
  labelSet: LabelSet,
  perClass: number,
  seed: number,
  name: string,
): Promise<Dataset> {
  const loaded = await loadFamily(family);
  const surface = new GlyphCanvas();
  const classes = labelSet.classes;
  const images = new Uint8Array(classes.length * perClass * IMAGE_PIXELS);
  const labels = new Uint8Array(classes.length * perClass);
  let n = 0;
  for (let v = 0; v < perClass; v++) {
    classes.forEach((char, c) => {
      const rand = createRandom(seed * 100003 + v * 1009 + c);
      const { pixels } = normalizeToMnist(renderFontGlyph(surface, loaded, char, rand), NORMALIZE);
      images.set(pixels, n * IMAGE_PIXELS);
      labels[n++] = c;
    });
  }
  return { name, images, labels, labelSet };
}
