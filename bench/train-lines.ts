// The line model's part of the training speed benchmark (bench/train.ts, issue 21 "Speed"):
// lines/s of hcr's CTC training step (ReplicaPool.lineTrainStep, the line trainer's own
// data-parallel step) on batches shaped like the trainer's (32 lines, 32 px high, widths drawn
// like words', grouped by width and padded per batch to the widest), next to PyTorch training
// the same architecture with torch.nn.CTCLoss(blank=0) and Adam 1e-3 on the same batches
// (bench/peer/torch_bench.py, docs/DESIGN.md §7).

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from 'commander';
import {
  LINE_ARCHITECTURES,
  getLineArchitecture,
  lineFrames,
} from '../src/core/line/architectures.js';
import { LINE_CHARSET, minCtcFrames } from '../src/core/line/charset.js';
import { LINE_HEIGHT } from '../src/core/line/normalize-line.js';
import { createRandom, shuffleInPlace } from '../src/core/random.js';
import type { BackendName } from '../src/node/engine/index.js';
import { ReplicaPool } from '../src/node/engine/replicas.js';
import type { LineBatch } from '../src/node/engine/replicas.js';
import { fmt, formatTable, measure, note } from './lib.js';
import type { EngineInfo, Timing } from './lib.js';
import { runTorch, type TorchPython, type TorchResult } from './torch.js';

/** Classes of a line model: the charset and CTC's blank (class 0). */
export const LINE_CLASSES = LINE_CHARSET.length + 1;

/** The line benchmark's settings and their defaults. */
export const LINE_BENCH_DEFAULTS = Object.freeze({
  /** Lines per step, the line trainer's default batch. */
  batch: 32,
  /** Narrowest and widest line in columns at LINE_HEIGHT (a short word to a few words). */
  minWidth: 96,
  maxWidth: 320,
  /** Batches in the plan the timed steps cycle through (two of the trainer's chunks). */
  batches: 16,
  /** Batches the trainer sorts by width at a time (its chunk is 8 batches of lines). */
  chunkBatches: 8,
  /** Columns per character, on average, of a line's label (about a handwritten letter's). */
  columnsPerCharacter: 16,
  seed: 1,
});

/** Is `name` a line architecture (a key of LINE_ARCHITECTURES)? */
export function isLineArch(name: string): boolean {
  return Object.hasOwn(LINE_ARCHITECTURES, name);
}

/** One batch of the plan: its padded width, each line's own width and its label classes. */
export interface LinePlanBatch {
  readonly width: number;
  readonly widths: readonly number[];
  readonly labels: readonly (readonly number[])[];
}

/** The batches both sides train on, in order; written as JSON for the PyTorch peer. */
export interface LinePlan {
  readonly height: number;
  readonly classes: number;
  readonly batches: readonly LinePlanBatch[];
}

/** What {@link makeLinePlan} takes; every field defaults to {@link LINE_BENCH_DEFAULTS}. */
export interface LinePlanOptions {
  readonly batch?: number;
  readonly minWidth?: number;
  readonly maxWidth?: number;
  readonly batches?: number;
  readonly seed?: number;
}

/**
 * Parses `--line-widths MIN-MAX` (columns at LINE_HEIGHT).
 *
 * @example
 * parseWidthRange('96-320'); // [96, 320]
 */
export function parseWidthRange(value: string): [number, number] {
  const m = /^(\d+)-(\d+)$/.exec(value.trim());
  const lo = Number(m?.[1]);
  const hi = Number(m?.[2]);
  if (!m || lo < 16 || hi < lo) {
    throw new InvalidArgumentError(
      `expected MIN-MAX columns with 16 <= MIN <= MAX, got "${value}"`,
    );
  }
  return [lo, hi];
}

/**
 * Fixed-seed batches shaped like the line trainer's: line widths uniform in
 * [minWidth, maxWidth], labels of about one character per 16 columns (±30%, random classes
 * of the charset), every chunk of 8 batches' lines sorted by width and cut into batches (the
 * trainer groups by width so that little is padding), each padded to its widest line rounded
 * up to a multiple of 4, the batches shuffled.
 *
 * @example
 * const plan = makeLinePlan({ batch: 32 }); // 16 batches of 32 lines
 */
export function makeLinePlan(options: LinePlanOptions = {}): LinePlan {
  const o = { ...LINE_BENCH_DEFAULTS, ...options };
  const rand = createRandom(o.seed);
  const batches: LinePlanBatch[] = [];
  for (let made = 0; made < o.batches; made += o.chunkBatches) {
    const count = Math.min(o.chunkBatches, o.batches - made);
    const lines = Array.from({ length: count * o.batch }, () => {
      const width = o.minWidth + Math.floor(rand() * (o.maxWidth - o.minWidth + 1));
      const length = Math.max(
        1,
        Math.round((width / o.columnsPerCharacter) * (0.7 + 0.6 * rand())),
      );
      let labels = Array.from({ length }, () => 1 + Math.floor(rand() * (LINE_CLASSES - 1)));
      // A label CTC cannot fit in the line's frames would add nothing to the loss: shorten it.
      while (minCtcFrames(labels) > lineFrames(width)) labels = labels.slice(0, -1);
      return { width, labels };
    });
    lines.sort((a, b) => a.width - b.width);
    const chunk: LinePlanBatch[] = [];
    for (let k = 0; k < lines.length; k += o.batch) {
      const group = lines.slice(k, k + o.batch);
      chunk.push({
        width: Math.ceil(Math.max(...group.map((l) => l.width)) / 4) * 4,
        widths: group.map((l) => l.width),
        labels: group.map((l) => l.labels),
      });
    }
    shuffleInPlace(chunk, rand);
    batches.push(...chunk);
  }
  return { height: LINE_HEIGHT, classes: LINE_CLASSES, batches };
}

/** Shape figures of a plan, for the table's note and the JSON. */
export function describePlan(plan: LinePlan): {
  batches: number;
  meanPaddedWidth: number;
  padding: number;
  labelLengths: [number, number];
} {
  let padded = 0;
  let own = 0;
  let shortest = Infinity;
  let longest = 0;
  for (const b of plan.batches) {
    padded += b.width * b.widths.length;
    for (const w of b.widths) own += w;
    for (const l of b.labels) {
      shortest = Math.min(shortest, l.length);
      longest = Math.max(longest, l.length);
    }
  }
  const lines = plan.batches.reduce((a, b) => a + b.widths.length, 0);
  return {
    batches: plan.batches.length,
    meanPaddedWidth: padded / Math.max(lines, 1),
    padding: 1 - own / Math.max(padded, 1),
    labelLengths: [shortest, longest],
  };
}

/** The plan's batches as hcr's trainer hands them to lineTrainStep: random ink, zero padding. */
function toLineBatches(plan: LinePlan, seed: number): LineBatch[] {
  const rand = createRandom(seed * 7919 + 17);
  return plan.batches.map((b) => {
    const images = new Float32Array(b.widths.length * LINE_HEIGHT * b.width);
    b.widths.forEach((w, n) => {
      const base = n * LINE_HEIGHT * b.width;
      for (let y = 0; y < LINE_HEIGHT; y++) {
        for (let x = 0; x < w; x++) images[base + y * b.width + x] = rand();
      }
    });
    return {
      images,
      width: b.width,
      labels: b.labels.map((l) => Int32Array.from(l)),
      frames: b.widths.map(lineFrames),
    };
  });
}

/** hcr's side of one line architecture at one thread count. */
export interface HcrLineResult extends Timing {
  readonly threads: number;
  readonly linesPerSecond: number;
  readonly params: number;
  /** The main thread's share of each batch at the end (balanced as the trainer balances it). */
  readonly mainShare: number;
  /** tf.memory().numTensors after the last step minus after the first timed step (0 = no leak). */
  readonly tensorGrowth: number;
}

/** One line architecture's figures. */
export interface LineArchResult {
  readonly arch: string;
  readonly hcr: readonly HcrLineResult[];
  readonly torch: readonly TorchResult[];
  /** hcr lines/s divided by PyTorch lines/s at the same thread count, keyed by it. */
  readonly ratio: Readonly<Record<string, number>>;
}

/** How long to measure, shared with the character benchmark's options. */
export interface LineTimingOptions {
  readonly warmup: number;
  readonly steps?: number;
  readonly seconds: number;
}

async function trainLineHcr(
  arch: string,
  batches: readonly LineBatch[],
  timing: LineTimingOptions,
  threads: number,
  backend: BackendName,
): Promise<HcrLineResult> {
  const model = getLineArchitecture(arch).build(LINE_CLASSES);
  const optimizer = tf.train.adam(1e-3);
  const replicas = await ReplicaPool.start(model, { workers: threads - 1, backend });
  const tensorCounts: number[] = [];
  let mainShare = 1 / threads;
  try {
    const t = await measure(async (i) => {
      const { waitedMs } = await replicas.lineTrainStep(
        optimizer,
        batches[i % batches.length]!,
        mainShare,
      );
      // The trainer's balancing rule: the main thread takes more while it waits for the workers.
      mainShare = Math.min(0.6, Math.max(0.1, mainShare + ((waitedMs ?? 0) > 5 ? 0.01 : -0.01)));
      tensorCounts.push(tf.memory().numTensors);
    }, timing);
    const firstTimed = tensorCounts[Math.min(timing.warmup, tensorCounts.length - 1)] ?? 0;
    const batch = batches[0]?.labels.length ?? 0;
    return {
      ...t,
      threads,
      linesPerSecond: (t.steps * batch) / t.seconds,
      params: model.countParams(),
      mainShare: threads > 1 ? mainShare : 1,
      tensorGrowth: (tensorCounts[tensorCounts.length - 1] ?? 0) - firstTimed,
    };
  } finally {
    await replicas.close();
    model.dispose();
    optimizer.dispose();
  }
}

/**
 * Measures each line architecture at each thread count on hcr, then on PyTorch (when `peer`),
 * on the same plan of batches.
 *
 * @example
 * const results = await measureLineArchs(['line-s'], plan, { warmup: 3, seconds: 20 }, [2, 1], engine, peer);
 */
export async function measureLineArchs(
  archs: readonly string[],
  plan: LinePlan,
  timing: LineTimingOptions,
  threadCounts: readonly number[],
  engine: EngineInfo,
  peer: TorchPython | undefined,
): Promise<LineArchResult[]> {
  const batches = toLineBatches(plan, LINE_BENCH_DEFAULTS.seed);
  const dir = peer ? await mkdtemp(path.join(os.tmpdir(), 'hcr-bench-lines-')) : undefined;
  const planFile = dir ? path.join(dir, 'plan.json') : undefined;
  if (planFile) await writeFile(planFile, JSON.stringify(plan));
  try {
    const results: LineArchResult[] = [];
    for (const arch of archs) {
      const hcr: HcrLineResult[] = [];
      for (const threads of threadCounts) {
        note(
          `${arch}: hcr on ${engine.backend} with ${threads} thread${threads === 1 ? '' : 's'} ...`,
        );
        hcr.push(await trainLineHcr(arch, batches, timing, threads, engine.backend as BackendName));
      }
      const torch: TorchResult[] = [];
      const ratio: Record<string, number> = {};
      if (peer && planFile) {
        for (const threads of threadCounts) {
          note(`${arch}: PyTorch with ${threads} thread${threads === 1 ? '' : 's'} ...`);
          const r = await runTorch(peer, {
            arch,
            mode: 'train',
            batch: plan.batches[0]?.widths.length ?? 0,
            threads,
            linePlan: planFile,
            classes: plan.classes,
            ...(timing.steps !== undefined ? { steps: timing.steps } : {}),
            seconds: timing.seconds,
            warmup: timing.warmup,
          });
          torch.push(r);
          const mine = hcr.find((h) => h.threads === threads)?.linesPerSecond ?? Number.NaN;
          ratio[threads] = mine / r.imagesPerSecond;
        }
      }
      results.push({ arch, hcr, torch, ratio });
    }
    return results;
  } finally {
    if (dir) await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Prints the line models' table and its notes: lines/s per thread count, PyTorch's and the
 * ratio, and a warning when the two networks' parameter counts differ.
 */
export function printLineTable(
  results: readonly LineArchResult[],
  plan: LinePlan,
  engine: EngineInfo,
  threadCounts: readonly number[],
  peer: TorchPython | undefined,
): void {
  const shape = describePlan(plan);
  const batch = plan.batches[0]?.widths.length ?? 0;
  const widths = plan.batches.flatMap((b) => b.widths);
  console.log(
    `Line models (CTC): batch ${batch} lines, ${plan.height} px high, widths ${Math.min(...widths)}-${Math.max(...widths)} px grouped by width and padded per batch (mean padded width ${fmt(shape.meanPaddedWidth)} px, ${fmt(shape.padding * 100, 1)}% padding), labels of ${shape.labelLengths[0]}-${shape.labelLengths[1]} characters, ${plan.classes} classes, Adam 1e-3`,
  );
  const headers = [
    'arch',
    'params',
    ...threadCounts.flatMap((t) => [
      `hcr ${t}T lines/s`,
      ...(peer ? [`PyTorch ${t}T lines/s`, `ratio ${t}T`] : []),
    ]),
  ];
  const rows = results.map((r) => {
    const hcrParams = r.hcr[0]?.params ?? Number.NaN;
    const torchParams = r.torch[0]?.params.total;
    return [
      r.arch,
      torchParams === undefined || torchParams === hcrParams
        ? fmt(hcrParams)
        : `${fmt(hcrParams)} (PyTorch ${fmt(torchParams)})`,
      ...threadCounts.flatMap((t) => {
        const hcr = r.hcr.find((x) => x.threads === t);
        const torch = r.torch.find((x) => x.threads === t);
        return [
          fmt(hcr?.linesPerSecond ?? Number.NaN, 1),
          ...(peer
            ? [fmt(torch?.imagesPerSecond ?? Number.NaN, 1), fmt(r.ratio[t] ?? Number.NaN, 2)]
            : []),
        ];
      }),
    ];
  });
  console.log(formatTable(headers, rows));
  console.log('');
  console.log(
    `hcr: ReplicaPool.lineTrainStep on ${engine.backend} (the line trainer's step; CTC in TypeScript, the main thread's share balanced as the trainer balances it)` +
      (peer
        ? "; PyTorch: the same layers, torch.nn.CTCLoss(blank=0) summed and divided by the lines (hcr's loss), torch.optim.Adam(lr=1e-3); ratio = hcr lines/s ÷ PyTorch lines/s at the same n."
        : '.'),
  );
  for (const r of results) {
    const hcrParams = r.hcr[0]?.params;
    const torchParams = r.torch[0]?.params.total;
    if (torchParams !== undefined) {
      console.log(
        torchParams === hcrParams
          ? `${r.arch}: the same ${fmt(torchParams)} parameters in hcr and PyTorch`
          : `warning: ${r.arch}: ${hcrParams} parameters in hcr, ${torchParams} in PyTorch: not the same network`,
      );
    }
    for (const h of r.hcr) {
      if (h.tensorGrowth !== 0) {
        console.log(
          `warning: ${r.arch} (${h.threads}T): ${h.tensorGrowth} tensors leaked during the timed steps`,
        );
      }
    }
  }
}
