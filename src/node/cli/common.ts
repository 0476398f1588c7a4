// What the `hcr` commands share: where output and diagnostics go, the options every command
// that runs a model takes, the data and cache folders, the shipped model, and the exit state
// a command may set.

import { existsSync } from 'node:fs';
import { HcrError } from '../../core/errors.js';
import { defaultCacheDir, defaultDataDir } from '../data/paths.js';
import { BACKENDS } from '../engine/backend.js';
import { packagePath } from '../package-root.js';
import { defineOptions, type OptionValues } from './options.js';

/** The model used when --model is not given: the shipped one. */
export const DEFAULT_MODEL_DIR = packagePath('models', 'alnum36');

/** Writes a line of the command's output (stdout). */
export function print(text: string): void {
  process.stdout.write(`${text}\n`);
}

/** Writes a line of progress or a diagnostic (stderr). */
export function note(text: string): void {
  process.stderr.write(`${text}\n`);
}

/** Where the datasets and their parsed cache are: the options of every command that reads data. */
export const DATA_OPTIONS = defineOptions({
  dataDir: {
    flags: '--data-dir <dir>',
    description: () => `datasets folder (default: $HCR_DATA_DIR or ${defaultDataDir()})`,
  },
  cacheDir: {
    flags: '--cache-dir <dir>',
    description: () => `parsed-dataset cache (default: ${defaultCacheDir()})`,
  },
});

/** The options every command that runs a model shares, after its own (and DATA_OPTIONS). */
export const RUN_OPTIONS = defineOptions({
  backend: {
    flags: '--backend <name>',
    description: 'tfjs backend',
    choices: Object.keys(BACKENDS),
    default: 'auto',
  },
  workers: {
    flags: '--workers <n>',
    description:
      'worker threads besides the main one, for training and large inference jobs (default: one per extra core on wasm, 0 on tensorflow)',
    parse: 'non-negative',
  },
  json: { flags: '--json', description: 'print machine-readable JSON on stdout' },
});

/** The options every command that runs a model shares (DATA_OPTIONS and RUN_OPTIONS). */
export type CommonOptions = OptionValues<typeof DATA_OPTIONS & typeof RUN_OPTIONS>;

/** `workers` for the library calls: only when --workers was given (else their default). */
export function workersOf(options: CommonOptions): { workers?: number } {
  return options.workers === undefined ? {} : { workers: options.workers };
}

/** --data-dir, else $HCR_DATA_DIR or the default data folder. */
export function dataDirOf(options: CommonOptions): string {
  return options.dataDir ?? defaultDataDir();
}

/** --cache-dir, else the default cache folder. */
export function cacheDirOf(options: CommonOptions): string {
  return options.cacheDir ?? defaultCacheDir();
}

/** --model, else the shipped model; NOT_FOUND when neither is there. */
export function resolveModelDir(dir: string | undefined): string {
  if (dir) return dir;
  if (!existsSync(DEFAULT_MODEL_DIR)) {
    throw new HcrError(
      'NOT_FOUND',
      `no model given and no shipped model at ${DEFAULT_MODEL_DIR}: pass --model DIR (a directory written by 'hcr train')`,
    );
  }
  return DEFAULT_MODEL_DIR;
}

/** What a command reports back besides its output: the exit code it asks for. */
export interface RunState {
  exitCode: number;
}
