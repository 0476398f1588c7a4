// Inference speed benchmark: images/s of hcr's batched prediction (split over worker
// replicas, as `hcr evaluate` and `hcr predict` run it) on batches of 256 for each
// architecture and thread count, next to PyTorch (eval mode, no_grad) with the same number of
// threads on the same machine in the same run (docs/DESIGN.md §7); and the latency of one image as
// a request brings it: a 280x280 grey drawing → normalizeToMnist → tensor → predict → read.
//
//   npm run bench:infer -- [--arch seed,default] [--batch 256] [--seconds 15 | --steps N]
//                          [--latency-runs 500] [--backend auto] [--threads 2,1]
//                          [--no-peer] [--json]

import * as tf from '@tensorflow/tfjs';
import { createModel } from '../src/core/architectures.js';
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
  percentile,
} from './lib.js';
import type { EngineInfo, ImagePool, SpeedBenchOptions, Timing } from './lib.js';
import { parseBenchArgs, parsePositiveInt } from './args.js';
import { runTorch, type TorchPython, type TorchResult } from './torch.js';
import { normalizeToMnist } from '../src/core/normalize.js';
import { IMAGE_PIXELS, IMAGE_SIZE, type GrayImage } from '../src/core/types.js';
import type { BackendName } from '../src/node/engine/index.js';
import { ReplicaPool } from '../src/node/engine/replicas.js';

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
  /** The normalization stage alone (280x280 grey image → 28x28). */
  readonly prepareP50: number;
}

interface HcrInferResult extends Timing {
  readonly threads: number;
  readonly imagesPerSecond: number;
  readonly params: number;
  readonly tensorGrowth: number;
}

interface ArchResult {
  readonly arch: string;
  /** Batched throughput, one per thread count. */
  readonly hcr: readonly HcrInferResult[];
  readonly latency: Latency;
  readonly torch: readonly TorchResult[];
  /** PyTorch single-image latency runs, one per thread count. */
  readonly torchLatency: readonly TorchResult[];
  /** hcr images/s divided by PyTorch images/s at the same thread count, keyed by it. */
  readonly ratio: Readonly<Record<string, number>>;
}

/** The side of the drawings the latency is measured on (a canvas or a phone photo crop). */
const DRAWING_SIZE = 280;

/**
 * A drawing as a request brings it: a ring of dark ink on light, slightly noisy paper, at a
 * position and radius that vary with `i` so no two runs see the same pixels.
 */
function drawing(i: number): GrayImage {
  const data = new Uint8Array(DRAWING_SIZE * DRAWING_SIZE);
  const cx = 120 + (i % 40);
  const cy = 130 + ((i * 7) % 30);
  const radius = 60 + (i % 25);
  for (let y = 0; y < DRAWING_SIZE; y++) {
    for (let x = 0; x < DRAWING_SIZE; x++) {
      const d = Math.abs(Math.hypot(x - cx, y - cy) - radius);
      data[y * DRAWING_SIZE + x] = d < 9 ? 40 : 228 + ((x * 31 + y * 17 + i) % 13);
    }
  }
  return { width: DRAWING_SIZE, height: DRAWING_SIZE, data };
}

async function measureLatency(model: tf.LayersModel, runs: number): Promise<Latency> {
  const total: number[] = [];
  const prepare: number[] = [];
  const warmup = 20;
  const images = Array.from({ length: 50 }, (_, i) => drawing(i));
  for (let i = 0; i < warmup + runs; i++) {
    const t0 = performance.now();
    const { pixels } = normalizeToMnist(images[i % images.length]!);
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
  model: tf.LayersModel,
  options: InferBenchOptions,
  pool: ImagePool,
  threads: number,
  backend: BackendName,
): Promise<HcrInferResult> {
  const replicas = await ReplicaPool.start(model, { workers: threads - 1, backend });
  const tensorCounts: number[] = [];
  try {
    const timing = await measure(
      async (i) => {
        const start = (i * options.batch) % (pool.count - options.batch + 1);
        const batch = pool.images.subarray(
          start * IMAGE_PIXELS,
          (start + options.batch) * IMAGE_PIXELS,
        );
        await replicas.predict(batch, options.batch);
        tensorCounts.push(tf.memory().numTensors);
      },
      { warmup: options.warmup, steps: options.steps, seconds: options.seconds },
    );
    const firstTimed = tensorCounts[Math.min(options.warmup, tensorCounts.length - 1)] ?? 0;
    return {
      ...timing,
      threads,
      imagesPerSecond: (timing.steps * options.batch) / timing.seconds,
      params: model.countParams(),
      tensorGrowth: (tensorCounts[tensorCounts.length - 1] ?? 0) - firstTimed,
    };
  } finally {
    await replicas.close();
  }
}

function printTables(
  results: readonly ArchResult[],
  engine: EngineInfo,
  options: InferBenchOptions,
  peer: TorchPython | undefined,
): void {
  const threads = options.threads;
  console.log(`Batched inference, batch ${options.batch} (images/s)`);
  console.log(
    formatTable(
      [
        'arch',
        'params',
        ...threads.flatMap((t) => [
          `hcr ${t}T img/s`,
          ...(peer ? [`PyTorch ${t}T img/s`, `ratio ${t}T`] : []),
        ]),
      ],
      results.map((r) => [
        r.arch,
        fmt(r.hcr[0]?.params ?? Number.NaN),
        ...threads.flatMap((t) => [
          fmt(r.hcr.find((x) => x.threads === t)?.imagesPerSecond ?? Number.NaN),
          ...(peer
            ? [
                fmt(r.torch.find((x) => x.threads === t)?.imagesPerSecond ?? Number.NaN),
                fmt(r.ratio[t] ?? Number.NaN, 2),
              ]
            : []),
        ]),
      ]),
    ),
  );
  console.log('');
  console.log(
    `Single image (ms): hcr = ${DRAWING_SIZE}x${DRAWING_SIZE} grey drawing → normalizeToMnist → tensor → predict → read, on the main thread; PyTorch = one 28x28 tensor → predict`,
  );
  console.log(
    formatTable(
      [
        'arch',
        `hcr p50`,
        `hcr p99`,
        'normalize p50',
        ...(peer ? threads.flatMap((t) => [`PyTorch ${t}T p50`, `PyTorch ${t}T p99`]) : []),
      ],
      results.map((r) => [
        r.arch,
        fmt(r.latency.p50, 2),
        fmt(r.latency.p99, 2),
        fmt(r.latency.prepareP50, 3),
        ...(peer
          ? threads.flatMap((t) => {
              const torch = r.torchLatency.find((x) => x.threads === t);
              return [
                fmt(torch?.stepMs.p50 ?? Number.NaN, 2),
                fmt(torch?.stepMs.p99 ?? Number.NaN, 2),
              ];
            })
          : []),
      ]),
    ),
  );
  console.log('');
  console.log(
    `nT = n threads (hcr: the main thread and n-1 worker replicas on ${engine.backend}; PyTorch: torch.set_num_threads(n)); ratio = hcr images/s ÷ PyTorch images/s at the same n.`,
  );
  for (const r of results) {
    const paramsTorch = r.torch[0]?.params.total;
    const paramsHcr = r.hcr[0]?.params;
    if (paramsTorch !== undefined && paramsTorch !== paramsHcr) {
      console.log(`warning: ${r.arch}: ${paramsHcr} parameters in hcr, ${paramsTorch} in PyTorch`);
    }
    for (const h of r.hcr) {
      if (h.tensorGrowth !== 0) {
        console.log(
          `warning: ${r.arch} (${h.threads}T): ${h.tensorGrowth} tensors leaked during the timed batches`,
        );
      }
    }
  }
}

async function main(): Promise<void> {
  const options: InferBenchOptions = parseBenchArgs(
    'bench:infer',
    'Inference speed of hcr vs PyTorch on the same networks (images/s, latency).',
    {
      ...speedBenchOptions({ batch: 256, seconds: 15, unit: 'batches' }),
      latencyRuns: {
        flags: '--latency-runs <n>',
        description: 'single-image predictions timed',
        parse: parsePositiveInt,
        default: 500,
      },
    },
  );
  const setup = await startSpeedBench(
    options,
    `hcr inference speed: batch ${options.batch}, ${NUM_CLASSES} classes, random fixed-seed data`,
  );
  const { engine, peer } = setup;

  const pool = makeImagePool(1);
  const results: ArchResult[] = [];
  for (const arch of options.arch) {
    const model = createModel({ architecture: arch, numClasses: NUM_CLASSES });
    const hcr: HcrInferResult[] = [];
    let latency: Latency;
    try {
      for (const threads of options.threads) {
        note(
          `${arch}: hcr on ${engine.backend} with ${threads} thread${threads === 1 ? '' : 's'} ...`,
        );
        hcr.push(await inferHcr(model, options, pool, threads, engine.backend as BackendName));
      }
      note(`${arch}: hcr single-image latency (${options.latencyRuns} runs) ...`);
      latency = await measureLatency(model, options.latencyRuns);
    } finally {
      model.dispose();
    }
    const torchLatency: TorchResult[] = [];
    const byThreads = Object.fromEntries(hcr.map((h) => [h.threads, h.imagesPerSecond]));
    const { torch, ratio } = peer
      ? await measureTorchThreads(peer, options, arch, 'infer', byThreads, async (threads) => {
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
        })
      : { torch: [], ratio: {} };
    results.push({ arch, hcr, latency, torch, torchLatency, ratio });
  }

  if (options.json) {
    printSpeedJson('infer', options, { latencyRuns: options.latencyRuns }, setup, results);
  } else {
    printTables(results, engine, options, peer);
  }
}

runBenchmark(main);
