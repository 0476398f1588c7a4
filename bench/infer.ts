// Inference speed benchmark: images/s of hcr's model.predict on batches of 256 for each
// architecture next to PyTorch (eval mode, no_grad) on the same machine in the same run
// (DESIGN.md §7), and the latency of one image (784 uint8 pixels → tensor → predict → read).
//
//   npm run bench:infer -- [--arch seed,default] [--batch 256] [--seconds 15 | --steps N]
//                          [--latency-runs 500] [--backend auto] [--torch-threads 2,1]
//                          [--no-peer] [--json]

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
  runTorch,
  speedBenchProgram,
  startSpeedBench,
  parsePositiveInt,
  percentile,
} from './lib.js';
import type {
  EngineInfo,
  ImagePool,
  SpeedBenchOptions,
  Timing,
  TorchPython,
  TorchResult,
} from './lib.js';
import { IMAGE_PIXELS, IMAGE_SIZE } from '../src/core/types.js';

/** Options of the inference benchmark after parsing. */
interface InferBenchOptions extends SpeedBenchOptions {
  latencyRuns: number;
}

/** Single-image latency in milliseconds. */
interface Latency {
  readonly runs: number;
  readonly p50: number;
  readonly p99: number;
  readonly mean: number;
  /** The preprocessing stage alone (see {@link prepareImage}). */
  readonly prepareP50: number;
}

interface HcrInferResult extends Timing {
  readonly imagesPerSecond: number;
  readonly params: number;
  readonly tensorGrowth: number;
  readonly latency: Latency;
}

interface ArchResult {
  readonly arch: string;
  readonly hcr: HcrInferResult;
  readonly torch: readonly TorchResult[];
  /** PyTorch single-image latency runs, one per thread count. */
  readonly torchLatency: readonly TorchResult[];
  /** hcr images/s divided by PyTorch images/s, keyed by PyTorch thread count. */
  readonly ratio: Readonly<Record<string, number>>;
}

/**
 * The preprocessing of one image before it becomes a tensor, timed as part of the latency.
 * The benchmark's pixels are already 28x28 in MNIST form, so today this does nothing.
 *
 * HOOK (image normalization, DESIGN.md §2): when the shared normalization function lands,
 * its owner makes this call it on a raw GrayImage (e.g. `normalizeToMnist(image).data`),
 * so that the latency covers normalize → tensor → predict → read.
 */
function prepareImage(pixels: Uint8Array): Uint8Array {
  return pixels;
}

async function measureLatency(
  model: tf.LayersModel,
  pool: ImagePool,
  runs: number,
): Promise<Latency> {
  const total: number[] = [];
  const prepare: number[] = [];
  const warmup = 20;
  for (let i = 0; i < warmup + runs; i++) {
    const offset = (i % pool.count) * IMAGE_PIXELS;
    const raw = pool.images.subarray(offset, offset + IMAGE_PIXELS);
    const t0 = performance.now();
    const pixels = prepareImage(raw);
    const t1 = performance.now();
    const floats = new Float32Array(IMAGE_PIXELS);
    for (let p = 0; p < IMAGE_PIXELS; p++) floats[p] = (pixels[p] ?? 0) / 255;
    const x = tf.tensor4d(floats, [1, IMAGE_SIZE, IMAGE_SIZE, 1]);
    const y = model.predict(x) as tf.Tensor;
    y.dataSync();
    tf.dispose([x, y]);
    const t2 = performance.now();
    if (i >= warmup) {
      total.push(t2 - t0);
      prepare.push(t1 - t0);
    }
    // Let the event loop breathe, as a server handling one request at a time would.
    if (i % 50 === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  total.sort((a, b) => a - b);
  prepare.sort((a, b) => a - b);
  return {
    runs,
    p50: percentile(total, 0.5),
    p99: percentile(total, 0.99),
    mean: total.reduce((a, b) => a + b, 0) / total.length,
    prepareP50: percentile(prepare, 0.5),
  };
}

async function inferHcr(
  arch: string,
  options: InferBenchOptions,
  pool: ImagePool,
): Promise<HcrInferResult> {
  const model = createModel({ architecture: arch, numClasses: NUM_CLASSES });
  const tensorCounts: number[] = [];
  try {
    const timing = await measure(
      async (i) => {
        const { x, y } = batchTensors(pool, i, options.batch);
        const probs = model.predict(x) as tf.Tensor;
        try {
          await probs.data();
        } finally {
          tf.dispose([x, y, probs]);
        }
        tensorCounts.push(tf.memory().numTensors);
      },
      { warmup: options.warmup, steps: options.steps, seconds: options.seconds },
    );
    const firstTimed = tensorCounts[Math.min(options.warmup, tensorCounts.length - 1)] ?? 0;
    const growth = (tensorCounts[tensorCounts.length - 1] ?? 0) - firstTimed;
    note(`${arch}: hcr single-image latency (${options.latencyRuns} runs) ...`);
    const latency = await measureLatency(model, pool, options.latencyRuns);
    return {
      ...timing,
      imagesPerSecond: (timing.steps * options.batch) / timing.seconds,
      params: model.countParams(),
      tensorGrowth: growth,
      latency,
    };
  } finally {
    model.dispose();
  }
}

function printTables(
  results: readonly ArchResult[],
  engine: EngineInfo,
  options: InferBenchOptions,
  peer: TorchPython | undefined,
): void {
  const threads = peer ? options.torchThreads : [];
  console.log(`Batched inference, batch ${options.batch} (images/s)`);
  console.log(
    formatTable(
      [
        'arch',
        'params',
        `hcr ${engine.backend} img/s`,
        'ms/batch',
        ...threads.flatMap((t) => [`PyTorch ${t}T img/s`, `ratio ${t}T`]),
      ],
      results.map((r) => [
        r.arch,
        fmt(r.hcr.params),
        fmt(r.hcr.imagesPerSecond),
        fmt(r.hcr.stepMs.p50),
        ...threads.flatMap((t) => [
          fmt(r.torch.find((x) => x.threads === t)?.imagesPerSecond ?? Number.NaN),
          fmt(r.ratio[t] ?? Number.NaN, 2),
        ]),
      ]),
    ),
  );
  console.log('');
  console.log(`Single image: 784 uint8 → tensor → predict → read (ms)`);
  console.log(
    formatTable(
      [
        'arch',
        `hcr p50`,
        `hcr p99`,
        'prepare p50',
        ...threads.flatMap((t) => [`PyTorch ${t}T p50`, `PyTorch ${t}T p99`]),
      ],
      results.map((r) => [
        r.arch,
        fmt(r.hcr.latency.p50, 2),
        fmt(r.hcr.latency.p99, 2),
        fmt(r.hcr.latency.prepareP50, 3),
        ...threads.flatMap((t) => {
          const torch = r.torchLatency.find((x) => x.threads === t);
          return [fmt(torch?.stepMs.p50 ?? Number.NaN, 2), fmt(torch?.stepMs.p99 ?? Number.NaN, 2)];
        }),
      ]),
    ),
  );
  console.log('');
  console.log(
    'ratio = hcr images/s ÷ PyTorch images/s; PyTorch nT = PyTorch with n threads; prepare = image normalization (not yet wired in).',
  );
  for (const r of results) {
    const paramsTorch = r.torch[0]?.params.total;
    if (paramsTorch !== undefined && paramsTorch !== r.hcr.params) {
      console.log(
        `warning: ${r.arch}: ${r.hcr.params} parameters in hcr, ${paramsTorch} in PyTorch`,
      );
    }
    if (r.hcr.tensorGrowth !== 0) {
      console.log(
        `warning: ${r.arch}: ${r.hcr.tensorGrowth} tensors leaked during the timed batches`,
      );
    }
  }
}

async function main(): Promise<void> {
  const program = speedBenchProgram(
    'bench:infer',
    'Inference speed of hcr vs PyTorch on the same networks (images/s, latency).',
    { batch: 256, seconds: 15, unit: 'batches' },
  ).option('--latency-runs <n>', 'single-image predictions timed', parsePositiveInt, 500);
  program.parse();
  const options = program.opts<InferBenchOptions>();
  const { engine, machine, peer } = await startSpeedBench(
    options,
    `hcr inference speed: batch ${options.batch}, ${NUM_CLASSES} classes, random fixed-seed data`,
  );

  const pool = makeImagePool(1);
  const results: ArchResult[] = [];
  for (const arch of options.arch) {
    note(`${arch}: hcr on ${engine.backend} ...`);
    const hcr = await inferHcr(arch, options, pool);
    const torchLatency: TorchResult[] = [];
    const { torch, ratio } = peer
      ? await measureTorchThreads(
          peer,
          options,
          arch,
          'infer',
          hcr.imagesPerSecond,
          async (threads) => {
            torchLatency.push(
              await runTorch(peer, {
                arch,
                mode: 'latency',
                batch: 1,
                threads,
                steps: options.latencyRuns,
                warmup: 20,
              }),
            );
          },
        )
      : { torch: [], ratio: {} };
    results.push({ arch, hcr, torch, torchLatency, ratio });
  }

  if (options.json) {
    console.log(
      JSON.stringify(
        {
          benchmark: 'infer',
          settings: {
            batch: options.batch,
            classes: NUM_CLASSES,
            warmup: options.warmup,
            steps: options.steps ?? null,
            seconds: options.steps === undefined ? options.seconds : null,
            latencyRuns: options.latencyRuns,
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
    printTables(results, engine, options, peer);
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exitCode = 1;
});
