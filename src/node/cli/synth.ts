// `hcr data synth`: generates the synthetic-styles source into the data folder and says what
// it made. main.ts declares the options and calls this; the rasterizer is loaded only here.

import { SYNTH_DEFAULTS } from '../data/synth/files.js';
import type { SynthManifest } from '../data/synth/files.js';
import { unipenTrainRows } from '../data/sources/index.js';

/** Options of `hcr data synth` after commander parsed them. */
export interface SynthCliOptions {
  readonly dataDir: string;
  readonly cacheDir: string;
  readonly seed?: number;
  readonly trainVariants?: number;
  readonly testVariants?: number;
  readonly penVariants?: number;
  readonly families?: readonly string[];
  readonly json?: boolean;
}

/** Where the command's text goes: results on `print` (stdout), progress on `note` (stderr). */
export interface SynthIo {
  readonly print: (text: string) => void;
  readonly note: (text: string) => void;
}

/**
 * Generates the source and prints its families, counts and folder; returns the manifest.
 *
 * @example
 * await synthCommand({ dataDir, cacheDir, seed: 1 }, { print, note });
 */
export async function synthCommand(options: SynthCliOptions, io: SynthIo): Promise<SynthManifest> {
  const { generateSynth } = await import('../data/synth/generate.js');
  let penRows: Awaited<ReturnType<typeof unipenTrainRows>> | undefined;
  const manifest = await generateSynth({
    dataDir: options.dataDir,
    seed: options.seed ?? SYNTH_DEFAULTS.seed,
    ...(options.trainVariants !== undefined ? { trainVariants: options.trainVariants } : {}),
    ...(options.testVariants !== undefined ? { testVariants: options.testVariants } : {}),
    ...(options.penVariants !== undefined ? { penVariants: options.penVariants } : {}),
    ...(options.families ? { families: options.families } : {}),
    penRows: async (file) => {
      penRows ??= await unipenTrainRows({ dataDir: options.dataDir, cacheDir: options.cacheDir });
      return penRows(file);
    },
    onProgress: (p) => {
      if (!options.json) io.note(`${p.phase}: ${p.done}/${p.total}`);
    },
  });
  if (options.json) {
    io.print(JSON.stringify(manifest, null, 2));
    return manifest;
  }
  const held = manifest.families.filter((f) => f.split === 'test').map((f) => f.name);
  io.print(
    `synth: ${manifest.counts.train} training and ${manifest.counts.test} test images in ${options.dataDir}/synth (seed ${manifest.seed})`,
  );
  io.print(
    `  ${manifest.families.length} font families, held out for styles-test: ${held.join(', ')}`,
  );
  io.print(
    manifest.pens.files.length > 0
      ? `  ${manifest.pens.images} images re-inked from ${manifest.pens.trajectories} UNIPEN training-writer trajectories with pens ${manifest.pens.models.join(', ')}`
      : '  no UNIPEN pen trajectories (unipen-strokes/ missing, or --pen-variants 0)',
  );
  return manifest;
}
