// Shared helpers of the speed benchmarks (bench/train.ts, bench/infer.ts, bench/read-speed.ts):
// option parsing, the engine start, fixed-seed random data, a timing loop, the PyTorch peer
// (docs/DESIGN.md §7) run as a child process, and plain-text tables.

import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { InvalidArgumentError } from 'commander';
import { getArchitecture } from '../src/core/architectures.js';
import { createRandom } from '../src/core/random.js';
import { IMAGE_PIXELS } from '../src/core/types.js';
import { BACKENDS, initEngine } from '../src/node/engine/index.js';
import type { BackendName } from '../src/node/engine/index.js';
import { Command } from 'commander';

const execFileAsync = promisify(execFile);

/** The PyTorch peer script, next to this file. */
export const TORCH_SCRIPT = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  'peer',
  'torch_bench.py',
);

/** A backend `--backend` accepts: a key of the engine's `BACKENDS`. */
export type BackendChoice = BackendName;

/** Classes of the random labels: alnum36, hcr's default label set. */
export const NUM_CLASSES = 36;

/** What the engine reports once it is running. */
export interface EngineInfo {
  readonly backend: string;
  readonly tfjsVersion: string;
  readonly threads: number;
  /** Why 'auto' did not start tfjs-node, when it did not. */
  readonly fallbackReason?: string;
}

/**
 * Starts hcr's engine (backend choice and training kernels), as hcr itself does.
 *
 * @example
 * const engine = await startEngine('auto'); // { backend: 'wasm', tfjsVersion: '4.22.0', threads: 1 }
 */
export async function startEngine(backend: BackendChoice): Promise<EngineInfo> {
  const info = await initEngine({ backend });
  return {
    backend: info.backend,
    tfjsVersion: info.tfjsVersion,
    threads: info.threads,
    ...(info.fallbackReason !== undefined ? { fallbackReason: info.fallbackReason } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// Option parsers for commander

/**
 * Parses a positive integer option value; commander shows the message on failure.
 *
 * @example
 * program.option('--batch <n>', 'batch size', parsePositiveInt, 128);
 */
export function parsePositiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) {
    throw new InvalidArgumentError(`expected a positive integer, got "${value}"`);
  }
  return n;
}

/**
 * Parses a non-negative integer option value (warm-up steps may be 0).
 *
 * @example
 * parseNonNegativeInt('0'); // 0
 */
export function parseNonNegativeInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) {
    throw new InvalidArgumentError(`expected a non-negative integer, got "${value}"`);
  }
  return n;
}

/**
 * Parses a positive number option value (seconds).
 *
 * @example
 * parsePositiveNumber('2.5'); // 2.5
 */
export function parsePositiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) {
    throw new InvalidArgumentError(`expected a positive number, got "${value}"`);
  }
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
export function parseBackend(value: string): BackendChoice {
  const names = Object.keys(BACKENDS) as BackendChoice[];
  const found = names.find((b) => b === value);
  if (!found) {
    throw new InvalidArgumentError(`expected one of ${names.join(', ')}, got "${value}"`);
  }
  return found;
}

// ---------------------------------------------------------------------------------------------
// Data

/** A fixed pool of random uint8 images and labels that batches are cut from. */
export interface ImagePool {
  readonly images: Uint8Array;
  readonly labels: Uint8Array;
  readonly count: number;
}

/**
 * Makes `count` random 28x28 uint8 images and labels below `numClasses`, the same for the
 * same seed. Default count 4096, as the PyTorch peer.
 *
 * @example
 * const pool = makeImagePool(1, 4096, 36);
 */
export function makeImagePool(seed: number, count = 4096, numClasses = NUM_CLASSES): ImagePool {
  const rand = createRandom(seed);
  const images = new Uint8Array(count * IMAGE_PIXELS);
  for (let i = 0; i < images.length; i++) images[i] = Math.floor(rand() * 256);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) labels[i] = Math.floor(rand() * numClasses);
  return { images, labels, count };
}

// ---------------------------------------------------------------------------------------------
// Timing

/** How long to measure: `steps` timed steps when given, else whole steps until `seconds`. */
export interface TimingOptions {
  /** Untimed steps first (compilation, allocation). Default 3. */
  readonly warmup?: number;
  /** Exact number of timed steps. Default: none (time-boxed). */
  readonly steps?: number;
  /** Time box when `steps` is not given. Default 20. */
  readonly seconds?: number;
}

/** Result of {@link measure}. */
export interface Timing {
  readonly steps: number;
  readonly seconds: number;
  readonly stepMs: { readonly mean: number; readonly p50: number; readonly p99: number };
}

/**
 * The value at quantile `q` (0..1) of ascending `sorted` (nearest rank).
 *
 * @example
 * percentile([1, 2, 3, 4], 0.5); // 3
 */
export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))));
  return sorted[idx] ?? Number.NaN;
}

/**
 * Runs `step(i)` for the warm-up, then times it (per step and in total).
 *
 * @example
 * const t = await measure(async (i) => { await model.trainOnBatch(...); }, { seconds: 20 });
 */
export async function measure(
  step: (i: number) => Promise<void> | void,
  options: TimingOptions = {},
): Promise<Timing> {
  const warmup = options.warmup ?? 3;
  const seconds = options.seconds ?? 20;
  for (let i = 0; i < warmup; i++) await step(i);
  const times: number[] = [];
  const start = performance.now();
  for (let i = 0; ; i++) {
    const t0 = performance.now();
    await step(warmup + i);
    times.push(performance.now() - t0);
    const elapsed = (performance.now() - start) / 1000;
    const done = options.steps !== undefined ? times.length >= options.steps : elapsed >= seconds;
    if (done) {
      times.sort((a, b) => a - b);
      return {
        steps: times.length,
        seconds: elapsed,
        stepMs: {
          mean: times.reduce((a, b) => a + b, 0) / times.length,
          p50: percentile(times, 0.5),
          p99: percentile(times, 0.99),
        },
      };
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The PyTorch peer

/** A Python interpreter that can import torch. */
export interface TorchPython {
  readonly python: string;
  readonly torchVersion: string;
  readonly pythonVersion: string;
}

/**
 * Finds an interpreter with torch: `$HCR_PYTHON`, else the first of `python3` and
 * `/usr/bin/python3` where `import torch` works (a pyenv `python3` first on PATH often has
 * no torch while Debian's python3-torch sits under /usr/bin). Undefined when none has it.
 *
 * @example
 * const peer = await findTorchPython(); // { python: '/usr/bin/python3', torchVersion: '1.13.0a0', ... }
 */
export async function findTorchPython(
  env: NodeJS.ProcessEnv = process.env,
): Promise<TorchPython | undefined> {
  const candidates = [env.HCR_PYTHON, 'python3', '/usr/bin/python3'].filter(
    (c): c is string => typeof c === 'string' && c.length > 0,
  );
  for (const python of new Set(candidates)) {
    if (python.includes('/') && !existsSync(python)) continue;
    try {
      const { stdout } = await execFileAsync(
        python,
        ['-c', 'import sys, torch; print(torch.__version__, sys.version.split()[0])'],
        { timeout: 60_000 },
      );
      const [torchVersion = '?', pythonVersion = '?'] = stdout.trim().split(/\s+/);
      return { python, torchVersion, pythonVersion };
    } catch {
      // no such interpreter, or no torch in it: try the next one
    }
  }
  return undefined;
}

/** What the note says when no interpreter has torch. */
export const NO_TORCH_NOTE =
  "PyTorch not installed (apt-get install python3-torch); printing hcr's figures alone";

/** Arguments of one PyTorch peer run. */
export interface TorchRunOptions {
  readonly arch: string;
  readonly mode: 'train' | 'infer' | 'latency';
  readonly batch: number;
  readonly threads: number;
  readonly steps?: number;
  readonly seconds?: number;
  readonly warmup?: number;
  readonly classes?: number;
  /** A line model's batches, a JSON file written by bench/train-lines.ts (line archs only). */
  readonly linePlan?: string;
}

/** One JSON line printed by bench/peer/torch_bench.py. */
export interface TorchResult {
  readonly arch: string;
  readonly mode: string;
  readonly batch: number;
  readonly threads: number;
  readonly steps: number;
  readonly seconds: number;
  /** Images (lines, for a line model) per second. */
  readonly imagesPerSecond: number;
  readonly stepMs: { readonly mean: number; readonly p50: number; readonly p99: number };
  readonly params: { readonly total: number; readonly trainable: number };
  readonly torchVersion: string;
}

/**
 * Runs the PyTorch peer once and returns its JSON result.
 *
 * @example
 * const r = await runTorch(peer, { arch: 'seed', mode: 'train', batch: 128, threads: 2, seconds: 20 });
 */
export async function runTorch(peer: TorchPython, options: TorchRunOptions): Promise<TorchResult> {
  const args = [
    TORCH_SCRIPT,
    '--arch',
    options.arch,
    '--mode',
    options.mode,
    '--batch',
    String(options.batch),
    '--threads',
    String(options.threads),
    '--steps',
    String(options.steps ?? 0),
    '--seconds',
    String(options.seconds ?? 20),
    '--warmup',
    String(options.warmup ?? 3),
    '--classes',
    String(options.classes ?? NUM_CLASSES),
    ...(options.linePlan !== undefined ? ['--line-plan', options.linePlan] : []),
  ];
  // OMP_NUM_THREADS would cap set_num_threads; the script sets the count itself.
  const env = { ...process.env, OMP_NUM_THREADS: String(options.threads) };
  const { stdout } = await execFileAsync(peer.python, args, {
    env,
    maxBuffer: 1 << 20,
    timeout: 30 * 60_000,
  });
  const line = stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(line) as TorchResult;
}

// ---------------------------------------------------------------------------------------------
// Machine and printing

/** Facts about the run that make figures comparable. */
export interface MachineInfo {
  readonly node: string;
  readonly cores: number;
  readonly cpu: string;
  /** 1-minute load average when the run started: other work on the machine skews figures. */
  readonly loadAverage: number;
}

/**
 * Node version, logical cores, CPU model and load average.
 *
 * @example
 * machineInfo(); // { node: 'v20.20.2', cores: 2, cpu: 'AMD EPYC', loadAverage: 0.4 }
 */
export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    node: process.version,
    cores: os.availableParallelism?.() ?? cpus.length,
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    loadAverage: os.loadavg()[0] ?? 0,
  };
}

/**
 * The header lines both benchmarks print: engine, versions, machine, PyTorch (`peerSkipped`
 * default false: true when `--no-peer` was given).
 *
 * @example
 * console.log(describeSetup(engine, machineInfo(), peer).join('\n'));
 */
export function describeSetup(
  engine: EngineInfo,
  machine: MachineInfo,
  peer: TorchPython | undefined,
  peerSkipped = false,
): string[] {
  const threads = `${engine.threads} thread${engine.threads === 1 ? '' : 's'}`;
  const busy =
    machine.loadAverage > machine.cores / 2
      ? [
          `warning: the machine is busy (load ${machine.loadAverage.toFixed(2)} on ${machine.cores} cores): figures run low and multi-threaded PyTorch suffers most`,
        ]
      : [];
  return [
    `hcr:     backend ${engine.backend} (${threads}), tfjs ${engine.tfjsVersion}, node ${machine.node}` +
      (engine.fallbackReason
        ? ` (${engine.fallbackReason.replace(/^backend 'tensorflow': /, '').split(';')[0]})`
        : ''),
    `machine: ${machine.cores} cores (${machine.cpu}), load average ${machine.loadAverage.toFixed(2)} at start`,
    peerSkipped
      ? 'PyTorch: skipped (--no-peer)'
      : peer
        ? `PyTorch: ${peer.torchVersion} (${peer.python}, Python ${peer.pythonVersion})`
        : `PyTorch: ${NO_TORCH_NOTE}`,
    ...busy,
  ];
}

/**
 * Formats a number with thousands separators and `digits` decimals.
 *
 * @example
 * fmt(1210.4); // '1,210'
 */
export function fmt(value: number, digits = 0): string {
  if (!Number.isFinite(value)) return '-';
  return value.toLocaleString('en-US', {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}

/**
 * Lays rows out as a plain-text table; the first column is left-aligned, the rest right.
 *
 * @example
 * formatTable(['arch', 'img/s'], [['seed', '118']]);
 */
export function formatTable(headers: readonly string[], rows: readonly string[][]): string {
  const widths = headers.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, c) => (c === 0 ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/**
 * Writes a progress note to stderr, so that `--json` output on stdout stays clean.
 *
 * @example
 * note('measuring seed on hcr wasm ...');
 */
export function note(message: string): void {
  process.stderr.write(`${message}\n`);
}

/** Options every speed benchmark takes. */
export interface SpeedBenchOptions {
  arch: string[];
  batch: number;
  steps?: number;
  seconds: number;
  warmup: number;
  backend: BackendChoice;
  /** Thread counts to measure, for hcr (main thread + workers) and PyTorch alike. */
  threads: number[];
  peer: boolean;
  json: boolean;
}

/** How a benchmark's `--arch` is parsed when it accepts more than the character architectures. */
export interface ArchOption {
  readonly parse: (value: string) => string[];
  readonly defaults: string[];
  readonly description: string;
}

/**
 * A benchmark's command line with the options every speed benchmark shares; `defaults` sets
 * the batch size and time box, `unit` names what a timed step is ("steps", "batches"), and
 * `arch` the parser and default of `--arch` (default: character architectures, seed,default).
 */
export function speedBenchProgram(
  name: string,
  description: string,
  defaults: { batch: number; seconds: number; unit: string; arch?: ArchOption },
): Command {
  const arch = defaults.arch ?? {
    parse: parseArchList,
    defaults: ['seed', 'default'],
    description: 'comma-separated architectures',
  };
  return new Command(name)
    .description(description)
    .option('--arch <names>', arch.description, arch.parse, arch.defaults)
    .option('--batch <n>', 'batch size', parsePositiveInt, defaults.batch)
    .option(
      `--steps <n>`,
      `timed ${defaults.unit} per measurement (default: time-boxed)`,
      parsePositiveInt,
    )
    .option('--seconds <s>', 'time box per measurement', parsePositiveNumber, defaults.seconds)
    .option('--warmup <n>', `untimed ${defaults.unit} first`, parseNonNegativeInt, 3)
    .option('--backend <name>', 'auto, tensorflow, wasm or cpu', parseBackend, 'auto')
    .option(
      '--threads <list>',
      'thread counts to measure, hcr (main thread + worker threads) and PyTorch alike',
      parseThreadList,
      [...new Set([os.availableParallelism(), 1])],
    )
    .option('--no-peer', 'skip PyTorch')
    .option('--json', 'print machine-readable results', false);
}

/**
 * Starts the engine, finds PyTorch and, unless --json, prints `title` and the setup (backend,
 * machine, PyTorch) before the measurements.
 */
export async function startSpeedBench(
  options: SpeedBenchOptions,
  title: string,
): Promise<{ engine: EngineInfo; machine: MachineInfo; peer: TorchPython | undefined }> {
  const engine = await startEngine(options.backend);
  const machine = machineInfo();
  const peer = options.peer ? await findTorchPython() : undefined;
  if (!options.json) {
    console.log(title);
    console.log(describeSetup(engine, machine, peer, !options.peer).join('\n'));
    console.log('');
  } else if (options.peer && !peer) {
    note(NO_TORCH_NOTE);
  }
  return { engine, machine, peer };
}

/**
 * PyTorch's figures for one architecture at each of `options.threads`, and hcr's images/s at
 * the same thread count as a ratio to each (keyed by thread count). `extra` runs after each
 * thread count's measurement (the inference benchmark adds a latency run there).
 */
export async function measureTorchThreads(
  peer: TorchPython,
  options: SpeedBenchOptions,
  arch: string,
  mode: 'train' | 'infer',
  hcrImagesPerSecond: Readonly<Record<number, number>>,
  extra?: (threads: number) => Promise<void>,
): Promise<{ torch: TorchResult[]; ratio: Record<string, number> }> {
  const torch: TorchResult[] = [];
  const ratio: Record<string, number> = {};
  for (const threads of options.threads) {
    note(`${arch}: PyTorch with ${threads} thread${threads === 1 ? '' : 's'} ...`);
    const r = await runTorch(peer, {
      arch,
      mode,
      batch: options.batch,
      threads,
      steps: options.steps,
      seconds: options.seconds,
      warmup: options.warmup,
    });
    torch.push(r);
    ratio[threads] = (hcrImagesPerSecond[threads] ?? Number.NaN) / r.imagesPerSecond;
    await extra?.(threads);
  }
  return { torch, ratio };
}

/**
 * Prints a speed benchmark's machine-readable result: the settings every speed benchmark has
 * (batch, classes, warm-up, steps or seconds) plus `extraSettings`, then the engine, machine,
 * PyTorch peer, the per-architecture results and `extra` (say, the line models' figures).
 */
export function printSpeedJson(
  benchmark: 'train' | 'infer',
  options: SpeedBenchOptions,
  extraSettings: Record<string, unknown>,
  setup: { engine: EngineInfo; machine: MachineInfo; peer: TorchPython | undefined },
  results: unknown,
  extra: Record<string, unknown> = {},
): void {
  const settings = {
    batch: options.batch,
    classes: NUM_CLASSES,
    ...extraSettings,
    warmup: options.warmup,
    steps: options.steps ?? null,
    seconds: options.steps === undefined ? options.seconds : null,
  };
  const { engine, machine, peer } = setup;
  const report = { benchmark, settings, engine, machine, torch: peer ?? null, results, ...extra };
  console.log(JSON.stringify(report, null, 2));
}

/** Runs a benchmark's main function; a failure prints its message and sets exit code 1. */
export function runBenchmark(main: () => Promise<void>): void {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exitCode = 1;
  });
}
