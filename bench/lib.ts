// Shared helpers of the speed benchmarks (bench/train.ts, bench/infer.ts, bench/read-speed.ts):
// the engine start, fixed-seed random data, a timing loop, the machine and plain-text tables,
// and the options and setup every speed benchmark shares. Their options are read by
// bench/args.ts; the PyTorch peer is run by bench/torch.ts.

import os from 'node:os';
import { createRandom } from '../src/core/random.js';
import { IMAGE_PIXELS } from '../src/core/types.js';
import { initEngine, type BackendName } from '../src/node/engine/index.js';
import {
  defineOptions,
  parseArchList,
  parseBackend,
  parseNonNegativeInt,
  parsePositiveInt,
  parsePositiveNumber,
  parseThreadList,
} from './args.js';
import {
  NO_TORCH_NOTE,
  NUM_CLASSES,
  findTorchPython,
  runTorch,
  type TorchPython,
  type TorchResult,
} from './torch.js';

// bench/serve.ts reads its integers with this parser from here.
export { parsePositiveInt } from './args.js';

/** A backend `--backend` accepts: a key of the engine's `BACKENDS`. */
export type BackendChoice = BackendName;

export { NUM_CLASSES } from './torch.js';

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
 * The options every speed benchmark shares, as a table for parseBenchArgs; `defaults` sets the
 * batch size and time box, `unit` names what a timed step is ("steps", "batches"), and `arch`
 * the parser and default of `--arch` (default: character architectures, seed,default).
 *
 * @example
 * const options = parseBenchArgs('bench:infer', '...', speedBenchOptions({ batch: 256, seconds: 15, unit: 'batches' }));
 */
export function speedBenchOptions(defaults: {
  batch: number;
  seconds: number;
  unit: string;
  arch?: ArchOption;
}) {
  const arch = defaults.arch ?? {
    parse: parseArchList,
    defaults: ['seed', 'default'],
    description: 'comma-separated architectures',
  };
  return defineOptions({
    arch: {
      flags: '--arch <names>',
      description: arch.description,
      parse: arch.parse,
      default: arch.defaults,
    },
    batch: {
      flags: '--batch <n>',
      description: 'batch size',
      parse: parsePositiveInt,
      default: defaults.batch,
    },
    steps: {
      flags: '--steps <n>',
      description: `timed ${defaults.unit} per measurement (default: time-boxed)`,
      parse: parsePositiveInt,
    },
    seconds: {
      flags: '--seconds <s>',
      description: 'time box per measurement',
      parse: parsePositiveNumber,
      default: defaults.seconds,
    },
    warmup: {
      flags: '--warmup <n>',
      description: `untimed ${defaults.unit} first`,
      parse: parseNonNegativeInt,
      default: 3,
    },
    backend: {
      flags: '--backend <name>',
      description: 'auto, tensorflow, wasm or cpu',
      parse: parseBackend,
      default: 'auto',
    },
    threads: {
      flags: '--threads <list>',
      description: 'thread counts to measure, hcr (main thread + worker threads) and PyTorch alike',
      parse: parseThreadList,
      default: [...new Set([os.availableParallelism(), 1])],
    },
    peer: { flags: '--no-peer', description: 'skip PyTorch' },
    json: { flags: '--json', description: 'print machine-readable results', default: false },
  });
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
