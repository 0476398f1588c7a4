// The files of the synthetic-styles source in the data folder: their names, the manifest's
// shape and its reader. The generator (generate.ts) writes them; the data plan reads them
// without loading the rasterizer.

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HcrError } from '../../../core/errors.js';
import type { FontFamily } from './families.js';
import type { FontFile } from './fonts.js';

/** The source's folder in the data directory. */
export const SYNTH_DIR = 'synth';
/** The source's files, relative to the data directory. */
export const SYNTH_FILES = Object.freeze({
  images: `${SYNTH_DIR}/synth-images-idx3-ubyte.gz`,
  labels: `${SYNTH_DIR}/synth-labels-idx1-ubyte.gz`,
  metadata: `${SYNTH_DIR}/synth-metadata.csv.gz`,
  manifest: `${SYNTH_DIR}/synth-manifest.json`,
});
/** Version of what the generator draws; bump it when the same seed would give other images. */
export const SYNTH_VERSION = 1;
/** UNIPEN's pen trajectories, relative to the data directory (read when present). */
export const UNIPEN_STROKE_FILES = Object.freeze([
  'unipen-strokes/unipen-1a-digits-strokes.jsonl.gz',
  'unipen-strokes/unipen-1b-uppercase-strokes.jsonl.gz',
  'unipen-strokes/unipen-1c-lowercase-strokes.jsonl.gz',
]);

/** Defaults of the generator's options (`SynthOptions` in generate.ts). */
export const SYNTH_DEFAULTS = Object.freeze({
  seed: 1,
  trainVariants: 20,
  testVariants: 10,
  penVariants: 1,
});

/** What the manifest says of one family. */
export interface SynthFamilyRecord {
  readonly name: string;
  readonly package: string;
  readonly version: string;
  readonly kind: FontFamily['kind'];
  readonly split: FontFamily['split'];
  readonly files: readonly FontFile[];
  readonly images: number;
}

/** `synth-manifest.json`: how the source was made, for hcr.json and the model card. */
export interface SynthManifest {
  readonly format: 'hcr-synth';
  readonly version: number;
  readonly seed: number;
  readonly trainVariants: number;
  readonly testVariants: number;
  readonly penVariants: number;
  readonly families: readonly SynthFamilyRecord[];
  readonly pens: {
    readonly models: readonly string[];
    readonly files: readonly { path: string; sha256: string; bytes: number }[];
    readonly trajectories: number;
    readonly skippedNoExtent: number;
    readonly images: number;
  };
  readonly counts: { readonly train: number; readonly test: number };
  /** Images that normalized to nothing (none expected). */
  readonly empty: number;
}

/** One row of the metadata: what image `index` is and where it goes. */
export interface SynthRow {
  readonly kind: 'font' | 'pen';
  /** The font family, or the pen model. */
  readonly style: string;
  /** The font weight, or the UNIPEN writer (`contributor/writer_id`). */
  readonly detail: string;
  readonly split: 'train' | 'test';
}

/**
 * Reads `synth-manifest.json`, checking its format.
 *
 * @throws HcrError BAD_DATA when it is not a manifest of this generator
 */
export async function readSynthManifest(dataDir: string): Promise<SynthManifest> {
  const path = join(dataDir, SYNTH_FILES.manifest);
  let manifest: SynthManifest;
  try {
    manifest = JSON.parse(await readFile(path, 'utf8')) as SynthManifest;
  } catch (error) {
    throw new HcrError(
      'BAD_DATA',
      `${SYNTH_FILES.manifest}: expected JSON written by 'hcr data synth'`,
      {
        cause: error,
      },
    );
  }
  if (manifest.format !== 'hcr-synth' || manifest.version !== SYNTH_VERSION) {
    throw new HcrError(
      'BAD_DATA',
      `${SYNTH_FILES.manifest}: expected format hcr-synth version ${SYNTH_VERSION}, got ${String(manifest.format)} version ${String(manifest.version)}; run 'hcr data synth' again`,
    );
  }
  return manifest;
}
