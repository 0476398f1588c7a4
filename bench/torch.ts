// The PyTorch peer of the speed benchmarks (docs/DESIGN.md §7): finding a Python with torch,
// and running bench/peer/torch_bench.py as a child process on the same networks and settings.

import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** Classes of the random labels: alnum36, hcr's default label set. */
export const NUM_CLASSES = 36;

/** The PyTorch peer script, next to this file. */
export const TORCH_SCRIPT = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  'peer',
  'torch_bench.py',
);

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
