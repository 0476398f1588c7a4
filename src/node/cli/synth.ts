// `hcr data synth`: generates the synthetic-styles source into the data folder and says what
// it made. The rasterizer is loaded only here.

import { SYNTH_DEFAULTS } from '../data/synth/files.js';
import type { SynthManifest } from '../data/synth/files.js';
import { unipenTrainRows } from '../data/sources/index.js';
import { defaultCacheDir, defaultDataDir } from '../data/paths.js';
import { defineCommand } from './command.js';
import { DATA_OPTIONS, note, print } from './common.js';
import { defineOptions } from './options.js';

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

/** The options of `hcr data synth`. */
export const SYNTH_OPTIONS = defineOptions({
  ...DATA_OPTIONS,
  seed: {
    flags: '--seed <n>',
    description: 'seed of every random draw',
    parse: 'integer',
    default: SYNTH_DEFAULTS.seed,
  },
  trainVariants: {
    flags: '--train-variants <n>',
    description: 'renderings of each character of each training family',
    parse: 'integer',
    default: SYNTH_DEFAULTS.trainVariants,
  },
  testVariants: {
    flags: '--test-variants <n>',
    description: 'renderings of each character of each held-out family',
    parse: 'integer',
    default: SYNTH_DEFAULTS.testVariants,
  },
  penVariants: {
    flags: '--pen-variants <n>',
    description: 'renderings of each UNIPEN training-writer trajectory (0: none)',
    parse: 'integer',
    default: SYNTH_DEFAULTS.penVariants,
  },
  families: {
    flags: '--families <list>',
    description: 'only these font families (default: all)',
    parse: 'list',
  },
  json: { flags: '--json', description: 'print the manifest as JSON on stdout' },
});

/** `hcr data synth` in the command registry. */
export const DATA_SYNTH_COMMAND = defineCommand({
  name: 'synth',
  description:
    'generate the synthetic-styles source (font families and re-inked UNIPEN pen trajectories) into the data folder',
  options: SYNTH_OPTIONS,
  run: async (options) => {
    await synthCommand(
      {
        ...options,
        dataDir: options.dataDir ?? defaultDataDir(),
        cacheDir: options.cacheDir ?? defaultCacheDir(),
      },
      { print, note },
    );
  },
});
