// The command lines of the benchmarks: every bench script declares its options as a table, the
// same kind the `hcr` commands use (src/node/cli/options.ts), and reads them with
// parseBenchArgs. So each has --help, and a bad value is refused with the option's name.

import { Command, InvalidArgumentError } from 'commander';
import { getArchitecture } from '../src/core/architectures.js';
import { BACKENDS, type BackendName } from '../src/node/engine/index.js';
import { defaultCacheDir, defaultDataDir } from '../src/node/data/paths.js';
import {
  addOptions,
  defineOptions,
  nonNegative,
  number,
  positive,
  type OptionTable,
  type OptionValues,
} from '../src/node/cli/options.js';

export { defineOptions } from '../src/node/cli/options.js';

/** The data and cache folders, as the benchmarks that read datasets take them. */
export const BENCH_DATA_OPTIONS = defineOptions({
  dataDir: { flags: '--data-dir <dir>', description: 'datasets folder', default: defaultDataDir() },
  cacheDir: {
    flags: '--cache-dir <dir>',
    description: 'parsed-dataset cache',
    default: defaultCacheDir(),
  },
});

/** The options of the benches that adapt on the page in Chromium (adapt-page, adapt-lines-page). */
export const BENCH_PAGE_OPTIONS = defineOptions({
  chromium: {
    flags: '--chromium <path>',
    description: 'the Chromium to drive',
    default: process.env['HCR_CHROMIUM'] ?? '/usr/bin/chromium',
  },
  json: { flags: '--json', description: 'print machine-readable results', default: false },
  screenshot: {
    flags: '--screenshot <png>',
    description: 'also save a screenshot of the page with the Teach panel after adapting',
  },
});

/**
 * Reads a benchmark's options from `argv` (default: the process's arguments); prints the help
 * and exits on --help, and exits 1 with the message on a bad or unknown option.
 *
 * @example
 * const options = parseBenchArgs('bench:tune', 'Few-shot adaptation', TUNE_BENCH_OPTIONS);
 */
export function parseBenchArgs<const T extends OptionTable>(
  name: string,
  description: string,
  table: T,
  argv: readonly string[] = process.argv.slice(2),
): OptionValues<T> {
  const program = addOptions(new Command(name).description(description), table);
  program.parse([...argv], { from: 'user' });
  return program.opts() as OptionValues<T>;
}

/**
 * Parses a positive integer option value (the CLI's integer parser, at least 1).
 *
 * @example
 * parsePositiveInt('128'); // 128
 */
export const parsePositiveInt = positive;

/**
 * Parses a non-negative integer option value (warm-up steps may be 0).
 *
 * @example
 * parseNonNegativeInt('0'); // 0
 */
export const parseNonNegativeInt = nonNegative;

/**
 * Parses a positive number option value (seconds).
 *
 * @example
 * parsePositiveNumber('2.5'); // 2.5
 */
export function parsePositiveNumber(value: string): number {
  const n = number(value);
  if (n <= 0) throw new InvalidArgumentError(`expected a positive number, got "${value}"`);
  return n;
}

/**
 * Parses a comma-separated list of architecture names; unknown names list the valid ones.
 *
 * @example
 * parseArchList('seed,default'); // ['seed', 'default']
 */
export function parseArchList(value: string): string[] {
  const names = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (names.length === 0) throw new InvalidArgumentError(`expected architecture names, got ""`);
  for (const name of names) {
    try {
      getArchitecture(name);
    } catch (err) {
      throw new InvalidArgumentError((err as Error).message);
    }
  }
  return names;
}

/**
 * Parses a comma-separated list of PyTorch thread counts.
 *
 * @example
 * parseThreadList('2,1'); // [2, 1]
 */
export function parseThreadList(value: string): number[] {
  return value.split(',').map((s) => parsePositiveInt(s.trim()));
}

/**
 * Parses `--backend`.
 *
 * @example
 * parseBackend('wasm'); // 'wasm'
 */
export function parseBackend(value: string): BackendName {
  const names = Object.keys(BACKENDS) as BackendName[];
  const found = names.find((b) => b === value);
  if (!found) {
    throw new InvalidArgumentError(`expected one of ${names.join(', ')}, got "${value}"`);
  }
  return found;
}
