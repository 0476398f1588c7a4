// npm run bench:read -- [--model DIR] [--data-dir DIR] [--cache-dir DIR] [--count N] [--seed N]
//   [--special N] [--speed-lines N] [--lm DIR] [--lm-weights W,W,...] [--shares S,S,...]
//   [--case-weights C,C,...] [--dev]
//   [--save DIR] [--errors] [--json] [--line-model DIR]
// Reads lines of handwriting composed from held-out test images (bench/read-set.ts) with each
// reader setting: the language model (the default decoder, at each weight given), the kind
// rules (decoder 'rules') and no context; and prints character accuracy (1 - edit distance /
// length, spaces and line breaks counted) and exact-line accuracy on three sets of lines: the
// dataset lines (random letter words, numbers and codes, as before issue 15), letter-spaced
// English words (`D O G`: read as words only when the text is the word, without spaces), and
// code lines (A1B2C3, R2D2, postcodes, plates), dataset-style lines rendered from the font
// families the synthetic-styles source holds out (bench/read-fonts.ts; test lines only), and,
// for a model with lowercase, mixed-case lines (lowercase words, Capitalized names, codes like
// x7k2; from the test images and from the held-out families), scored with case and with case
// folded; then the time to read a 10-character line.
// With `--line-model DIR` the same lines are also read by the line reader (each line whole,
// readTextByLines), with and without the language model, beside the glyph reader's settings.
// `--dev` builds the lines from the validation images and the dev word list instead: that is
// where the language model's weight is tuned (`--dev --lm-weights 0.3,0.5,0.7,1,1.5`), never
// on the test lines.

import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { DEFAULT_MODEL_DIR } from '../src/node/cli/main.js';
import { initEngine } from '../src/node/engine/index.js';
import { isHcrError } from '../src/node/errors.js';
import { loadModel } from '../src/node/model/artifact.js';
import { planTestsFor } from '../src/node/model/plan.js';
import { READ_DEFAULTS, resolveReadOptions } from '../src/core/read/options.js';
import type { ReadOptions } from '../src/core/read/options.js';
import { chooseCharacters, editDistance, prepareReading } from '../src/core/read/read.js';
import { segmentImage } from '../src/core/read/segment.js';
import { modelClassifier } from '../src/node/read/read.js';
import { readTextByLines } from '../src/core/read/line-read.js';
import { loadLineModel } from '../src/node/model/line-artifact.js';
import {
  DEFAULT_LINE_MODEL_DIR,
  isLineModelDir,
  lineModelRecognizer,
} from '../src/node/read/line-reader.js';
import { benchWholeLines, printWholeLines } from './read-words.js';
import { defaultLanguageModel, loadLanguageModel } from '../src/node/read/language-model.js';
import { buildReadSet } from './read-set.js';
import type { ReadSample } from './read-set.js';
import {
  MIXED_CASE_WORDS,
  SPACED_WORDS,
  codeLine,
  mixedCaseLine,
  spacedWordLine,
} from './read-lines.js';
import { hasBothCases } from '../src/core/read/case.js';
import { HELD_OUT_FAMILIES, heldOutFontGlyphs } from './read-fonts.js';
import { BENCH_DATA_OPTIONS, parseBenchArgs } from './args.js';

const values = parseBenchArgs(
  'bench:read',
  'Lines of handwriting composed from held-out test images, read with each reader setting.',
  {
    model: { flags: '--model <dir>', description: 'character model', default: DEFAULT_MODEL_DIR },
    ...BENCH_DATA_OPTIONS,
    count: { flags: '--count <n>', description: 'dataset lines', parse: 'positive', default: 400 },
    special: {
      flags: '--special <n>',
      description: 'lines of each special set (spaced words, codes)',
      parse: 'positive',
      default: 100,
    },
    seed: { flags: '--seed <n>', description: 'seed of the lines', parse: 'positive', default: 1 },
    speedLines: {
      flags: '--speed-lines <n>',
      description: 'lines timed',
      parse: 'positive',
      default: 50,
    },
    lmWeights: {
      flags: '--lm-weights <list>',
      description: 'weights of the language model to try',
      default: String(READ_DEFAULTS.lmWeight),
    },
    lm: { flags: '--lm <dir>', description: 'language model (default: the shipped one)' },
    shares: {
      flags: '--shares <list>',
      description: 'look-alike shares to try',
      default: String(READ_DEFAULTS.lookalikeShare),
    },
    caseWeights: {
      flags: '--case-weights <list>',
      description: 'case weights to try',
      default: String(READ_DEFAULTS.caseWeight),
    },
    dev: {
      flags: '--dev',
      description: 'dev lines (validation images, dev words) instead of the test lines',
      default: false,
    },
    save: { flags: '--save <dir>', description: 'save the lines shown as PNG with truth.json' },
    errors: { flags: '--errors', description: 'print the lines read wrong', default: false },
    json: { flags: '--json', description: 'print machine-readable results', default: false },
    lineModel: {
      flags: '--line-model <dir>',
      description: 'line model (default: the shipped one)',
    },
  },
);

const { count, special, seed, speedLines } = values;
const weights = values.lmWeights.split(',').map(Number);
const shares = values.shares.split(',').map(Number);
const caseWeights = values.caseWeights.split(',').map(Number);
if (weights.some((w) => !(w >= 0))) {
  console.error(`bench:read: --lm-weights: expected numbers >= 0, got '${values.lmWeights}'`);
  process.exit(2);
}

/** Character and line figures of one reader setting on one set. */
interface Score {
  chars: number;
  distance: number;
  lines: number;
  exactLines: number;
}

function addScore(score: Score, truth: string, read: string): void {
  score.chars += truth.length;
  score.distance += editDistance(truth, read);
  const readLines = read.split('\n');
  truth.split('\n').forEach((line, i) => {
    score.lines++;
    if (readLines[i] === line) score.exactLines++;
  });
}

const summary = (s: Score) => ({
  charAccuracy: 1 - s.distance / s.chars,
  exactLineAccuracy: s.exactLines / s.lines,
  lines: s.lines,
});

const pct = (x: number) => `${(100 * x).toFixed(2)}%`;

async function savePng(path: string, sample: ReadSample): Promise<void> {
  const { width, height, data } = sample.image;
  await sharp(Buffer.from(data.buffer, data.byteOffset, data.byteLength), {
    raw: { width, height, channels: 1 },
  })
    .png()
    .toFile(path);
}

try {
  const engine = await initEngine();
  const loaded = await loadModel(values.model);
  const languageModel = values.lm
    ? await loadLanguageModel(values.lm)
    : await defaultLanguageModel();
  // The model's own test and validation sets, planned as `hcr evaluate` plans them.
  const plan = await planTestsFor(loaded, {
    dataDir: values.dataDir,
    cacheDir: values.cacheDir,
  });
  const pool = values.dev ? [plan.validation] : plan.tests;
  const words = values.dev ? SPACED_WORDS.dev : SPACED_WORDS.test;
  // Dev lines use other seeds than test lines as well as other images.
  const base = values.dev ? seed + 100_000 : seed;
  const sets: Record<string, ReadSample[]> = {
    dataset: buildReadSet(pool, { count, seed: base }),
    'letter-spaced': buildReadSet(pool, {
      count: special,
      seed: base + 2000,
      twoLineShare: 0,
      words: spacedWordLine(words),
      letterSpacing: [0.7, 1.2],
    }),
    codes: buildReadSet(pool, {
      count: special,
      seed: base + 3000,
      twoLineShare: 0,
      words: codeLine,
    }),
  };
  // Mixed-case lines (lowercase words, Capitalized names, codes like x7k2) for a model with
  // lowercase; scored with case and, beside, with case folded.
  const mixedCase = hasBothCases(loaded.labelSet.classes);
  const mixedWords = mixedCaseLine(values.dev ? MIXED_CASE_WORDS.dev : MIXED_CASE_WORDS.test);
  if (mixedCase) {
    sets['mixed case'] = buildReadSet(pool, {
      count: special,
      seed: base + 5000,
      twoLineShare: 0,
      words: mixedWords,
    });
  }
  // Held-out font families only ever make test lines: tuning never sees them.
  if (!values.dev) {
    const glyphs = await heldOutFontGlyphs();
    sets['held-out fonts'] = buildReadSet([], { count: special, seed: base + 4000, glyphs });
    if (mixedCase) {
      sets['held-out fonts, mixed case'] = buildReadSet([], {
        count: special,
        seed: base + 6000,
        twoLineShare: 0,
        words: mixedWords,
        glyphs,
      });
    }
  }

  const settings: [string, ReadOptions][] = [
    ...weights.flatMap((w) =>
      shares.flatMap((share) =>
        caseWeights.map(
          (caseWeight) =>
            [
              weights.length * shares.length * caseWeights.length > 1
                ? `lm ${w} share ${share}${caseWeights.length > 1 ? ` case ${caseWeight}` : ''}`
                : 'language model',
              { languageModel, lmWeight: w, lookalikeShare: share, caseWeight },
            ] as [string, ReadOptions],
        ),
      ),
    ),
    ['rules', { decoder: 'rules' }],
    ['none', { context: false }],
  ];
  const classifier = modelClassifier(loaded);
  // The line reader, when a line model is given: read each line whole, with and without the
  // language model.
  const lineModel = values.lineModel ? await loadLineModel(values.lineModel) : undefined;
  const lineSettings: [string, ReadOptions][] = lineModel
    ? [
        ['line model + lm', { languageModel }],
        ['line model, no lm', { context: false }],
      ]
    : [];
  const resolved = settings.map(([name, o]) => {
    const r = resolveReadOptions(o);
    return { name, resolved: r, prepared: prepareReading(r, classifier.classes) };
  });
  const scores: Record<string, Record<string, Score>> = {};
  const errors: Record<string, string[]> = {};
  const newScores = () =>
    Object.fromEntries(
      [...resolved.map((s) => s.name), ...lineSettings.map(([name]) => name)].map((name) => [
        name,
        { chars: 0, distance: 0, lines: 0, exactLines: 0 },
      ]),
    );
  for (const [setName, samples] of Object.entries(sets)) {
    scores[setName] = newScores();
    // Mixed-case sets are also scored with case folded: what is read, apart from case.
    const folded = setName.includes('mixed case') ? `${setName} (case folded)` : undefined;
    if (folded) scores[folded] = newScores();
    errors[setName] = [];
    for (const [index, sample] of samples.entries()) {
      const segmentation = segmentImage(sample.image, resolved[0]!.resolved);
      const probs = await classifier.classify(segmentation.images, segmentation.candidates.length);
      const texts = resolved.map((s) => {
        const result = chooseCharacters(
          segmentation,
          probs,
          classifier.classes,
          s.resolved,
          s.prepared,
        );
        // A letter-spaced word is read as a word when the text is the word, without spaces.
        const truth = setName === 'letter-spaced' ? sample.text : sample.text;
        addScore(scores[setName]![s.name]!, truth, result.text);
        if (folded) {
          addScore(scores[folded]![s.name]!, truth.toUpperCase(), result.text.toUpperCase());
        }
        return result.text;
      });
      for (const [name, o] of lineSettings) {
        const result = await readTextByLines(sample.image, lineModelRecognizer(lineModel!), o);
        addScore(scores[setName]![name]!, sample.text, result.text);
        if (folded) {
          addScore(scores[folded]![name]!, sample.text.toUpperCase(), result.text.toUpperCase());
        }
        texts.push(result.text);
      }
      if (texts[0] !== sample.text) {
        errors[setName]!.push(
          `#${index}: ${JSON.stringify(sample.text)} | ${[...resolved.map((s) => s.name), ...lineSettings.map(([n]) => n)].map((name, i) => `${name} ${JSON.stringify(texts[i])}`).join(' | ')}`,
        );
      }
    }
  }

  // Speed: single lines of exactly 10 characters, no spaces, one image at a time: segment and
  // classify (shared by every setting), then each setting's decoding.
  const speedSet = buildReadSet(pool, {
    count: speedLines + 1,
    seed: base + 1000,
    twoLineShare: 0,
    lineLength: [10, 10],
    spaces: false,
  });
  const front: number[] = [];
  const decodeTimes: number[][] = resolved.map(() => []);
  for (const [i, sample] of speedSet.entries()) {
    const t0 = performance.now();
    const segmentation = segmentImage(sample.image, resolved[0]!.resolved);
    const probs = await classifier.classify(segmentation.images, segmentation.candidates.length);
    const t1 = performance.now();
    if (i > 0) front.push(t1 - t0);
    resolved.forEach((s, k) => {
      const t = performance.now();
      chooseCharacters(segmentation, probs, classifier.classes, s.resolved, s.prepared);
      if (i > 0) decodeTimes[k]!.push(performance.now() - t);
    });
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const speed = Object.fromEntries(
    resolved.map((s, k) => {
      const totals = front.map((f, i) => f + decodeTimes[k]![i]!);
      return [
        s.name,
        { meanMs: mean(totals), medianMs: median(totals), decodeMeanMs: mean(decodeTimes[k]!) },
      ];
    }),
  );

  if (values.save) {
    await mkdir(values.save, { recursive: true });
    const shown = Object.entries(sets).flatMap(([name, samples]) =>
      samples.slice(0, 15).map((s, i) => ({ file: `${name}-${i}.png`, sample: s })),
    );
    await Promise.all(shown.map((s) => savePng(join(values.save!, s.file), s.sample)));
    await writeFile(
      join(values.save, 'truth.json'),
      JSON.stringify(
        shown.map((s) => ({ file: s.file, text: s.sample.text })),
        null,
        2,
      ),
    );
  }

  const report = {
    model: values.model,
    backend: engine.backend,
    lines: values.dev ? 'dev (validation images, dev words)' : 'test (held-out test images)',
    seed,
    languageModel: languageModel.file.description,
    sets: Object.fromEntries(
      Object.entries(scores).map(([set, byName]) => [
        set,
        Object.fromEntries(Object.entries(byName).map(([name, s]) => [name, summary(s)])),
      ]),
    ),
    heldOutFonts: values.dev
      ? 'not measured on dev lines (held-out families are for test lines only)'
      : `dataset-style lines rendered in ${HELD_OUT_FAMILIES.join(', ')}`,
    msPer10CharLine: { lines: front.length, frontMeanMs: mean(front), ...speed },
  };
  if (values.json) {
    console.log(JSON.stringify(report, null, 2));
  } else {
    console.log(
      `model ${values.model} (${loaded.labelSet.name}), backend ${engine.backend}; ${report.lines}, seed ${seed}`,
    );
    console.log(`language model: ${report.languageModel}`);
    for (const [set, byName] of Object.entries(report.sets)) {
      const first = Object.values(byName)[0]!;
      console.log(`\n${set} (${first.lines} lines)      char acc   exact line`);
      for (const [name, s] of Object.entries(byName)) {
        console.log(
          `  ${name.padEnd(18)} ${pct(s.charAccuracy).padStart(10)} ${pct(s.exactLineAccuracy).padStart(12)}`,
        );
      }
    }
    console.log(`\nheld-out fonts: ${report.heldOutFonts}`);
    console.log(
      `\n10-character line (${front.length} lines, one image at a time, decode of the image file excluded):`,
    );
    console.log(`  segment + classify ${mean(front).toFixed(1)} ms mean, then per setting:`);
    for (const [name, s] of Object.entries(speed)) {
      console.log(
        `  ${name.padEnd(16)} ${s.meanMs.toFixed(1)} ms mean, ${s.medianMs.toFixed(1)} ms median (decoding ${s.decodeMeanMs.toFixed(1)} ms)`,
      );
    }
    if (values.errors) {
      for (const [set, list] of Object.entries(errors)) {
        console.log(`\nmisread ${set} lines (truth | each setting):`);
        for (const e of list) console.log(`  ${e}`);
      }
    }
  }
  loaded.dispose();
  // Whole lines of real handwriting (issue 21), when a line model is installed: the line
  // reader and the glyph reader on the UNIPEN test writers' words and held-out font lines.
  if (
    !values.dev &&
    !values.json &&
    (await isLineModelDir(values.lineModel ?? DEFAULT_LINE_MODEL_DIR))
  ) {
    printWholeLines(
      await benchWholeLines({
        ...(values.lineModel ? { lineModel: values.lineModel } : {}),
        dataDir: values.dataDir,
        limit: 1000,
      }),
      (line) => console.log(line),
    );
  }
} catch (error) {
  if (!isHcrError(error)) throw error;
  const hint =
    error.code === 'NOT_FOUND' ? ' (pass --model DIR, a directory written by hcr train)' : '';
  console.error(`bench:read: ${error.message}${hint}`);
  process.exit(1);
}
