// npx tsx bench/adapt-lines.ts -- [--writers 4] [--words 30] [--others 60] [--forget 100]
//   [--recipes head:120:0.001:8,all:60:0.0003:8] [--no-augment] [--part validation] [--json]
// Chooses the line model's adaptation recipe (core/line/adapt.ts, what the page's Teach panel
// runs) on the UNIPEN words of the validation writers, never the test writers' (--part test is
// for the final figures, which bench/adapt-lines-page.ts measures in Chromium): for each of
// --writers writers, the model is adapted to --words of their words by each recipe (layers :
// steps : peak learning rate : words per step), then reads --others other words of that writer
// and --forget words of other writers of the same part (does it forget them?), greedily and with
// the language model, before and after. Prints characters right (1 - edit distance / length,
// case-sensitive) and the seconds each adaptation took on this machine (WASM, one thread, as the
// page's worker).

import * as tf from '@tensorflow/tfjs';
import {
  LINE_ADAPT_DEFAULTS,
  adaptLineModel,
  charAccuracy,
  readLineSamples,
  type InkLineSample,
  type LineAdaptLayers,
} from '../src/core/line/adapt.js';
import { createRandom, shuffleInPlace } from '../src/core/random.js';
import { defaultDataDir } from '../src/node/data/paths.js';
import {
  loadUnipenWords,
  type UnipenWord,
  type WriterPart,
} from '../src/node/data/lines/unipen-words.js';
import { initEngine } from '../src/node/engine/index.js';
import { loadLineModel } from '../src/node/model/line-artifact.js';
import { defaultLanguageModel } from '../src/node/read/language-model.js';
import { DEFAULT_LINE_MODEL_DIR } from '../src/node/read/line-reader.js';
import { parseBenchArgs } from './args.js';

const d = LINE_ADAPT_DEFAULTS;
const values = parseBenchArgs(
  'bench:adapt-lines',
  "Chooses the line model's adaptation recipe on the validation writers' UNIPEN words.",
  {
    model: {
      flags: '--model <dir>',
      description: 'the line model',
      default: DEFAULT_LINE_MODEL_DIR,
    },
    dataDir: {
      flags: '--data-dir <dir>',
      description: 'datasets folder holding unipen-words/',
      default: defaultDataDir(),
    },
    part: {
      flags: '--part <part>',
      description: 'whose words: the validation writers (test is for the final figures only)',
      default: 'validation',
    },
    writers: { flags: '--writers <n>', description: 'writers', parse: 'positive', default: 4 },
    words: {
      flags: '--words <n>',
      description: 'words adapted to per writer',
      parse: 'positive',
      default: 30,
    },
    others: {
      flags: '--others <n>',
      description: "the writer's other words read before and after",
      parse: 'positive',
      default: 60,
    },
    forget: {
      flags: '--forget <n>',
      description: 'words of other writers read before and after',
      parse: 'non-negative',
      default: 100,
    },
    recipes: {
      flags: '--recipes <list>',
      description: 'recipes, each layers:steps:lr:batch (layers: logits, head or all)',
      default: `${d.layers}:${d.steps}:${d.learningRate}:${d.batchSize}`,
    },
    augment: {
      flags: '--no-augment',
      description: 'train on the plain renderings only',
      default: true,
    },
    seed: {
      flags: '--seed <n>',
      description: 'seed of the choice of writers and words',
      parse: 'positive',
      default: 2026,
    },
    json: { flags: '--json', description: 'print machine-readable results', default: false },
  },
);
const part = values.part as WriterPart;
if (!['validation', 'test'].includes(part)) {
  throw new Error(`bench/adapt-lines: expected --part validation or test, got ${part}`);
}

interface Recipe {
  readonly name: string;
  readonly layers: LineAdaptLayers;
  readonly steps: number;
  readonly learningRate: number;
  readonly batchSize: number;
}
const recipes: Recipe[] = values.recipes.split(',').map((text) => {
  const [layers, steps, lr, batch] = text.split(':');
  if (!['logits', 'head', 'all'].includes(layers ?? '') || !(Number(steps) > 0)) {
    throw new Error(`bench/adapt-lines: expected a recipe layers:steps:lr:batch, got ${text}`);
  }
  return {
    name: text,
    layers: layers as LineAdaptLayers,
    steps: Number(steps),
    learningRate: Number(lr ?? d.learningRate),
    batchSize: Number(batch ?? d.batchSize),
  };
});

const asSample = (w: UnipenWord): InkLineSample => ({
  text: w.label,
  strokes: w.strokes.map((s) =>
    Array.from({ length: s.length >> 1 }, (_, i) => ({ x: s[2 * i]!, y: s[2 * i + 1]! })),
  ),
});

await initEngine({ backend: 'wasm' });
const loaded = await loadLineModel(values.model);
const model = loaded.model;
const charset = loaded.metadata.charset;
const base = model.getWeights().map((w) => w.clone());
const lm = (await defaultLanguageModel()).line;
const words = (await loadUnipenWords(values.dataDir, { parts: [part] })).filter((w) =>
  /^[A-Za-z0-9]+$/.test(w.label),
);
const byWriter = new Map<string, UnipenWord[]>();
for (const w of words) byWriter.set(w.writer, [...(byWriter.get(w.writer) ?? []), w]);
const rand = createRandom(values.seed);
const enough = shuffleInPlace(
  [...byWriter.keys()]
    .filter((k) => byWriter.get(k)!.length >= values.words + values.others)
    .sort(),
  rand,
);
const writers = enough.slice(0, values.writers).map((writer) => {
  const list = shuffleInPlace([...byWriter.get(writer)!], rand);
  return {
    writer,
    train: list.slice(0, values.words).map(asSample),
    others: list.slice(values.words, values.words + values.others).map(asSample),
  };
});
if (writers.length < values.writers) {
  throw new Error(
    `bench/adapt-lines: ${writers.length} ${part} writers have ${values.words + values.others} words, ${values.writers} asked`,
  );
}
const strangers = shuffleInPlace(
  words.filter((w) => !writers.some((x) => x.writer === w.writer)),
  rand,
)
  .slice(0, values.forget)
  .map(asSample);

/** Characters right, greedy and with the language model. */
function score(samples: readonly InkLineSample[]): { greedy: number; lm: number } {
  const read = readLineSamples(model, samples, { charset, languageModel: lm });
  const texts = samples.map((s) => s.text);
  return {
    greedy: charAccuracy(read.greedy, texts),
    lm: charAccuracy(read.withLanguageModel, texts),
  };
}

const before = writers.map((w) => score(w.others));
const strangersBefore = strangers.length ? score(strangers) : undefined;
interface Row {
  readonly recipe: string;
  readonly seconds: number;
  readonly own: { greedy: [number, number]; lm: [number, number] };
  readonly strangers?: { greedy: [number, number]; lm: [number, number] };
  /** Processor seconds of the adaptation: its time on an idle core (WASM runs on one thread). */
  readonly cpuSeconds: number;
  readonly perWriter: {
    writer: string;
    lm: [number, number];
    seconds: number;
    cpuSeconds: number;
    loss: [number, number];
  }[];
}
const rows: Row[] = [];
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
for (const recipe of recipes) {
  const perWriter: Row['perWriter'] = [];
  const after: { greedy: number; lm: number }[] = [];
  const forgot: { greedy: number; lm: number }[] = [];
  for (const [k, w] of writers.entries()) {
    model.setWeights(base);
    const cpu = process.cpuUsage();
    const run = await adaptLineModel(
      model,
      w.train,
      { ...recipe, augment: values.augment, seed: k + 1 },
      undefined,
      charset,
    );
    const own = score(w.others);
    after.push(own);
    if (strangers.length) forgot.push(score(strangers));
    const used = process.cpuUsage(cpu);
    perWriter.push({
      writer: w.writer,
      lm: [before[k]!.lm, own.lm],
      seconds: run.seconds,
      cpuSeconds: (used.user + used.system) / 1e6,
      loss: [run.firstLoss, run.lastLoss],
    });
  }
  rows.push({
    recipe: recipe.name,
    seconds: mean(perWriter.map((p) => p.seconds)),
    cpuSeconds: mean(perWriter.map((p) => p.cpuSeconds)),
    own: {
      greedy: [mean(before.map((b) => b.greedy)), mean(after.map((a) => a.greedy))],
      lm: [mean(before.map((b) => b.lm)), mean(after.map((a) => a.lm))],
    },
    ...(strangersBefore
      ? {
          strangers: {
            greedy: [strangersBefore.greedy, mean(forgot.map((f) => f.greedy))],
            lm: [strangersBefore.lm, mean(forgot.map((f) => f.lm))],
          },
        }
      : {}),
    perWriter,
  });
  if (!values.json) {
    const r = rows.at(-1)!;
    const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
    const pair = ([a, b]: [number, number]) => `${pct(a)} → ${pct(b)}`;
    console.log(
      `${r.recipe}${values.augment ? '' : ' (no augmentation)'}: ${r.seconds.toFixed(1)} s (${r.cpuSeconds.toFixed(1)} s of processor); ` +
        `writer's other words: greedy ${pair(r.own.greedy)}, with the LM ${pair(r.own.lm)}` +
        (r.strangers
          ? `; other writers: greedy ${pair(r.strangers.greedy)}, with the LM ${pair(r.strangers.lm)}`
          : '') +
        `\n  ${r.perWriter.map((p) => `${p.writer} ${pair(p.lm)} (loss ${p.loss.map((l) => l.toFixed(2)).join(' → ')}, ${p.cpuSeconds.toFixed(1)} s)`).join('; ')}`,
    );
  }
}
for (const t of base) t.dispose();
loaded.dispose();
if (values.json) {
  console.log(
    JSON.stringify(
      {
        model: values.model,
        part,
        backend: tf.getBackend(),
        writers: writers.map((w) => w.writer),
        words: values.words,
        others: values.others,
        strangers: strangers.length,
        augment: values.augment,
        rows,
      },
      null,
      2,
    ),
  );
}
