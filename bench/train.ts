// Training speed benchmark: images/s of hcr's trainOnBatch (Adam 1e-3, sparse categorical
// cross-entropy, batch 128, 36 classes, random fixed-seed data) for each architecture, next
// to PyTorch training the same network on the same machine in the same run (DESIGN.md §7).
//
//   npm run bench:train -- [--arch seed,default] [--batch 128] [--seconds 20 | --steps N]
//                          [--backend auto] [--torch-threads 2,1] [--no-peer] [--json]

import * as tf from '@tensorflow/tfjs';
import { createModel } from '../src/core/architectures.js';
import {
  NUM_CLASSES,
  batchTensors,
  fmt,
  formatTable,
  makeImagePool,
  measureTorchThreads,
  measure,
  note,
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
  readonly hcr: HcrTrainResult;
  readonly torch: readonly TorchResult[];
  /** hcr images/s divided by PyTorch images/s, keyed by PyTorch thread count. */
  readonly ratio: Readonly<Record<string, number>>;
}

async function trainHcr(
  arch: string,
  options: TrainBenchOptions,
  pool: ImagePool,
): Promise<HcrTrainResult> {
  const model = createModel({ architecture: arch, numClasses: NUM_CLASSES });
  const optimizer = tf.train.adam(1e-3);
  model.compile({ optimizer, loss: 'sparseCategoricalCrossentropy' });
  const tensorCounts: number[] = [];
  try {
    const timing = await measure(
      async (i) => {
        const { x, y } = batchTensors(pool, i, options.batch);
        try {
          await model.trainOnBatch(x, y);
        } finally {
          tf.dispose([x, y]);
        }
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
  const threads = peer ? options.torchThreads : [];
  const headers = [
    'arch',
    'params',
    `hcr ${engine.backend} img/s`,
    'ms/step',
    ...threads.flatMap((t) => [`PyTorch ${t}T img/s`, `ratio ${t}T`]),
  ];
  const rows = results.map((r) => {
    const torchParams = r.torch[0]?.params.total;
    const params =
      torchParams === undefined || torchParams === r.hcr.params
        ? fmt(r.hcr.params)
        : `${fmt(r.hcr.params)} (PyTorch ${fmt(torchParams)})`;
    return [
      r.arch,
      params,
      fmt(r.hcr.imagesPerSecond, 1),
      fmt(r.hcr.stepMs.p50),
      ...threads.flatMap((t) => {
        const torch = r.torch.find((x) => x.threads === t);
        return [fmt(torch?.imagesPerSecond ?? Number.NaN), fmt(r.ratio[t] ?? Number.NaN, 2)];
      }),
    ];
  });
  console.log(formatTable(headers, rows));
  console.log('');
  console.log(
    `ratio = hcr images/s ÷ PyTorch images/s; PyTorch nT = PyTorch with n threads; params as Keras counts them (incl. BN moving statistics).`,
  );
  for (const r of results) {
    if (r.hcr.tensorGrowth !== 0) {
      console.log(
        `warning: ${r.arch}: ${r.hcr.tensorGrowth} tensors leaked during the timed steps`,
      );
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
  const { engine, machine, peer } = await startSpeedBench(
    options,
    `hcr training speed: batch ${options.batch}, ${NUM_CLASSES} classes, Adam 1e-3, sparse categorical cross-entropy, random fixed-seed data`,
  );

  const pool = makeImagePool(1);
  const results: ArchResult[] = [];
  for (const arch of options.arch) {
    note(`${arch}: hcr on ${engine.backend} ...`);
    const hcr = await trainHcr(arch, options, pool);
    const { torch, ratio } = peer
      ? await measureTorchThreads(peer, options, arch, 'train', hcr.imagesPerSecond)
      : { torch: [], ratio: {} };
    results.push({ arch, hcr, torch, ratio });
  }

  if (options.json) {
    console.log(
      JSON.stringify(
        {
          benchmark: 'train',
          settings: {
            batch: options.batch,
            classes: NUM_CLASSES,
            optimizer: 'adam',
            learningRate: 1e-3,
            loss: 'sparseCategoricalCrossentropy',
            warmup: options.warmup,
            steps: options.steps ?? null,
            seconds: options.steps === undefined ? options.seconds : null,
          },
          engine,
          machine,
          torch: peer ?? null,
          results,
        },
        null,
        2,
      ),
    );
  } else {
    printTable(results, engine, options, peer);
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exitCode = 1;
});
