// Training speed benchmark: images/s of hcr's training step (the trainer's own: Adam 1e-3,
// sparse categorical cross-entropy, data-parallel over worker threads; batch 128, 36 classes,
// random fixed-seed data) for each architecture and thread count, next to PyTorch training
// the same network with the same number of threads on the same machine in the same run
// (docs/DESIGN.md §7).
//
//   npm run bench:train -- [--arch seed,default] [--batch 128] [--seconds 20 | --steps N]
//                          [--backend auto] [--threads 2,1] [--no-peer] [--json]

import * as tf from '@tensorflow/tfjs';
import { createModel } from '../src/core/architectures.js';
import { IMAGE_PIXELS } from '../src/core/types.js';
import type { BackendName } from '../src/node/engine/index.js';
import { ReplicaPool } from '../src/node/engine/replicas.js';
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
  speedBenchProgram,
  startSpeedBench,
} from './lib.js';
import type {
  EngineInfo,
  ImagePool,
  SpeedBenchOptions,
  Timing,
  TorchPython,
  TorchResult,
} from './lib.js';

/** Options of the training benchmark after parsing. */
type TrainBenchOptions = SpeedBenchOptions;

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
  const program = speedBenchProgram(
    'bench:train',
    'Training speed of hcr vs PyTorch on the same networks (images/s).',
    { batch: 128, seconds: 20, unit: 'steps' },
  );
  program.parse();
  const options = program.opts<TrainBenchOptions>();
  const setup = await startSpeedBench(
    options,
    `hcr training speed: batch ${options.batch}, ${NUM_CLASSES} classes, Adam 1e-3, sparse categorical cross-entropy, random fixed-seed data`,
  );
  const { engine, peer } = setup;

  const pool = makeImagePool(1);
  const results: ArchResult[] = [];
  for (const arch of options.arch) {
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
    );
  } else {
    printTable(results, engine, options, peer);
  }
}

runBenchmark(main);
