// Training speed benchmark: images/s of hcr's training step (the trainer's own: Adam 1e-3,
// sparse categorical cross-entropy, data-parallel over worker threads; batch 128, 36 classes,
// random fixed-seed data) for each architecture and thread count, next to PyTorch training
// the same network with the same number of threads on the same machine in the same run
// (docs/DESIGN.md §7). Line architectures (line-s) are measured in lines/s of the line
// trainer's CTC step next to PyTorch on the same batches (bench/train-lines.ts).
//
//   npm run bench:train -- [--arch seed,default,line-s] [--batch 128] [--line-batch 32]
//                          [--line-widths 96-320] [--seconds 20 | --steps N]
//                          [--backend auto] [--threads 2,1] [--no-peer] [--json]

import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from 'commander';
import { ARCHITECTURES, createModel } from '../src/core/architectures.js';
import { LINE_ARCHITECTURES } from '../src/core/line/architectures.js';
import { IMAGE_PIXELS } from '../src/core/types.js';
import type { BackendName } from '../src/node/engine/index.js';
import { ReplicaPool } from '../src/node/engine/replicas.js';
import {
  LINE_BENCH_DEFAULTS,
  describePlan,
  isLineArch,
  makeLinePlan,
  measureLineArchs,
  parseWidthRange,
  printLineTable,
} from './train-lines.js';
import type { LineArchResult } from './train-lines.js';
import {
  NUM_CLASSES,
  fmt,
  formatTable,
  makeImagePool,
  measureTorchThreads,
  measure,
  note,
  printSpeedJson,
  runBenchmark,
  speedBenchOptions,
  startSpeedBench,
} from './lib.js';
import type { EngineInfo, ImagePool, SpeedBenchOptions, Timing } from './lib.js';
import { parseArchList, parseBenchArgs, parsePositiveInt } from './args.js';
import type { TorchPython, TorchResult } from './torch.js';

/** Options of the training benchmark after parsing. */
interface TrainBenchOptions extends SpeedBenchOptions {
  /** Lines per step of the line architectures. */
  lineBatch: number;
  /** Narrowest and widest line, in columns at 32 px high. */
  lineWidths: [number, number];
}

/**
 * Parses `--arch`: character architectures and line architectures, in any mix.
 *
 * @example
 * parseTrainArchList('seed,line-s'); // ['seed', 'line-s']
 */
function parseTrainArchList(value: string): string[] {
  const names = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  const characterNames = names.filter((n) => !isLineArch(n));
  if (names.length === 0 || characterNames.length > 0) {
    try {
      parseArchList(characterNames.join(','));
    } catch {
      const valid = [...Object.keys(ARCHITECTURES), ...Object.keys(LINE_ARCHITECTURES)];
      throw new InvalidArgumentError(
        `expected architectures among ${valid.join(', ')}, got "${value}"`,
      );
    }
  }
  return names;
}

/** hcr's side of one architecture. */
interface HcrTrainResult extends Timing {
  readonly imagesPerSecond: number;
  readonly params: number;
  /** tf.memory().numTensors after the last step minus after the first timed step (0 = no leak). */
  readonly tensorGrowth: number;
}

interface ArchResult {
  readonly arch: string;
  /** hcr's figures, one per thread count. */
  readonly hcr: readonly (HcrTrainResult & { readonly threads: number })[];
  readonly torch: readonly TorchResult[];
  /** hcr images/s divided by PyTorch images/s at the same thread count, keyed by it. */
  readonly ratio: Readonly<Record<string, number>>;
}

async function trainHcr(
  arch: string,
  options: TrainBenchOptions,
  pool: ImagePool,
  threads: number,
  backend: BackendName,
): Promise<HcrTrainResult> {
  const model = createModel({ architecture: arch, numClasses: NUM_CLASSES });
  const optimizer = tf.train.adam(1e-3);
  const replicas = await ReplicaPool.start(model, {
    workers: threads - 1,
    backend,
    batchSize: options.batch,
  });
  const tensorCounts: number[] = [];
  try {
    const timing = await measure(
      async (i) => {
        // What the trainer does per batch: floats into the shared buffer, then one step.
        const start = (i * options.batch) % (pool.count - options.batch + 1);
        for (let p = 0; p < options.batch * IMAGE_PIXELS; p++) {
          replicas.images[p] = pool.images[start * IMAGE_PIXELS + p]! / 255;
        }
        for (let k = 0; k < options.batch; k++) replicas.labels[k] = pool.labels[start + k]!;
        await replicas.trainStep(optimizer, options.batch, false);
        tensorCounts.push(tf.memory().numTensors);
      },
      { warmup: options.warmup, steps: options.steps, seconds: options.seconds },
    );
    const firstTimed = tensorCounts[Math.min(options.warmup, tensorCounts.length - 1)] ?? 0;
    return {
      ...timing,
      imagesPerSecond: (timing.steps * options.batch) / timing.seconds,
      params: model.countParams(),
      tensorGrowth: (tensorCounts[tensorCounts.length - 1] ?? 0) - firstTimed,
    };
  } finally {
    await replicas.close();
    model.dispose();
    optimizer.dispose();
  }
}

function printTable(
  results: readonly ArchResult[],
  engine: EngineInfo,
  options: TrainBenchOptions,
  peer: TorchPython | undefined,
): void {
  const headers = [
    'arch',
    'params',
    ...options.threads.flatMap((t) => [
      `hcr ${t}T img/s`,
      ...(peer ? [`PyTorch ${t}T img/s`, `ratio ${t}T`] : []),
    ]),
  ];
  const rows = results.map((r) => {
    const hcrParams = r.hcr[0]?.params ?? Number.NaN;
    const torchParams = r.torch[0]?.params.total;
    const params =
      torchParams === undefined || torchParams === hcrParams
        ? fmt(hcrParams)
        : `${fmt(hcrParams)} (PyTorch ${fmt(torchParams)})`;
    return [
      r.arch,
      params,
      ...options.threads.flatMap((t) => {
        const hcr = r.hcr.find((x) => x.threads === t);
        const torch = r.torch.find((x) => x.threads === t);
        return [
          fmt(hcr?.imagesPerSecond ?? Number.NaN),
          ...(peer
            ? [fmt(torch?.imagesPerSecond ?? Number.NaN), fmt(r.ratio[t] ?? Number.NaN, 2)]
            : []),
        ];
      }),
    ];
  });
  console.log(formatTable(headers, rows));
  console.log('');
  console.log(
    `nT = n threads (hcr: the main thread and n-1 worker replicas on ${engine.backend}; PyTorch: torch.set_num_threads(n)); ratio = hcr images/s ÷ PyTorch images/s at the same n; params as Keras counts them (incl. BN moving statistics).`,
  );
  for (const r of results) {
    for (const h of r.hcr) {
      if (h.tensorGrowth !== 0) {
        console.log(
          `warning: ${r.arch} (${h.threads}T): ${h.tensorGrowth} tensors leaked during the timed steps`,
        );
      }
    }
  }
}

async function main(): Promise<void> {
  const options: TrainBenchOptions = parseBenchArgs(
    'bench:train',
    'Training speed of hcr vs PyTorch on the same networks (images/s, lines/s).',
    {
      ...speedBenchOptions({
        batch: 128,
        seconds: 20,
        unit: 'steps',
        arch: {
          parse: parseTrainArchList,
          defaults: ['seed', 'default', 'line-s'],
          description:
            'comma-separated architectures, character (seed, default...) or line (line-s)',
        },
      }),
      lineBatch: {
        flags: '--line-batch <n>',
        description: 'lines per step of the line architectures',
        parse: parsePositiveInt,
        default: LINE_BENCH_DEFAULTS.batch,
      },
      lineWidths: {
        flags: '--line-widths <min-max>',
        description: 'line widths in columns at 32 px high',
        parse: parseWidthRange,
        default: [LINE_BENCH_DEFAULTS.minWidth, LINE_BENCH_DEFAULTS.maxWidth],
      },
    },
  );
  const characterArchs = options.arch.filter((a) => !isLineArch(a));
  const lineArchs = options.arch.filter(isLineArch);
  const setup = await startSpeedBench(
    options,
    'hcr training speed: ' +
      [
        ...(characterArchs.length > 0
          ? [
              `batch ${options.batch}, ${NUM_CLASSES} classes, Adam 1e-3, sparse categorical cross-entropy, random fixed-seed data`,
            ]
          : []),
        ...(lineArchs.length > 0
          ? [
              `line models: batch ${options.lineBatch} lines, CTC, Adam 1e-3, random fixed-seed lines`,
            ]
          : []),
      ].join('; '),
  );
  const { engine, peer } = setup;

  const pool = makeImagePool(1);
  const results: ArchResult[] = [];
  for (const arch of characterArchs) {
    const hcr: ArchResult['hcr'][number][] = [];
    for (const threads of options.threads) {
      note(
        `${arch}: hcr on ${engine.backend} with ${threads} thread${threads === 1 ? '' : 's'} ...`,
      );
      hcr.push({
        threads,
        ...(await trainHcr(arch, options, pool, threads, engine.backend as BackendName)),
      });
    }
    const byThreads = Object.fromEntries(hcr.map((h) => [h.threads, h.imagesPerSecond]));
    const { torch, ratio } = peer
      ? await measureTorchThreads(peer, options, arch, 'train', byThreads)
      : { torch: [], ratio: {} };
    results.push({ arch, hcr, torch, ratio });
  }

  const plan = makeLinePlan({
    batch: options.lineBatch,
    minWidth: options.lineWidths[0],
    maxWidth: options.lineWidths[1],
  });
  const lineResults: LineArchResult[] =
    lineArchs.length > 0
      ? await measureLineArchs(lineArchs, plan, options, options.threads, engine, peer)
      : [];

  if (options.json) {
    printSpeedJson(
      'train',
      options,
      {
        optimizer: 'adam',
        learningRate: 1e-3,
        loss: 'sparseCategoricalCrossentropy',
      },
      setup,
      results,
      lineArchs.length > 0
        ? {
            lines: {
              settings: {
                batch: options.lineBatch,
                height: plan.height,
                widths: options.lineWidths,
                classes: plan.classes,
                loss: 'ctc',
                optimizer: 'adam',
                learningRate: 1e-3,
                ...describePlan(plan),
              },
              results: lineResults,
            },
          }
        : {},
    );
  } else {
    if (characterArchs.length > 0) printTable(results, engine, options, peer);
    if (characterArchs.length > 0 && lineResults.length > 0) console.log('');
    if (lineResults.length > 0) printLineTable(lineResults, plan, engine, options.threads, peer);
  }
}

runBenchmark(main);
