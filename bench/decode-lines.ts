// npm run bench:decode-lines -- --model DIR [--data-dir DIR] [--count N] [--part validation]
//   [--lm-weights W,W,...] [--bonuses B,B,...] [--beam N] [--json]
// Tunes the decoding of a line model (issue 21 §3) on the UNIPEN words of the validation writers
// (never the test writers': --part test is for the final figures only): each word is rendered
// with the plain pen, normalized and run through the model once, then decoded every way:
// the best path (greedy), the beam search without the language model, and with it at each
// weight x insertion bonus given. Prints the character accuracy (1 - edit distance / length,
// case-sensitive), the words read exactly, and the decoding time per word.

import * as tf from '@tensorflow/tfjs';
import { normalizeLine } from '../src/core/line/normalize-line.js';
import { createRandom } from '../src/core/random.js';
import { ctcFramesFromLogits, type CtcFrames } from '../src/core/read/ctc-align.js';
import { CTC_DECODE_DEFAULTS, ctcBeamSearch, ctcGreedy } from '../src/core/read/ctc-decode.js';
import { editDistance } from '../src/core/read/read.js';
import {
  loadUnipenWords,
  unipenWordsSource,
  type WriterPart,
} from '../src/node/data/lines/unipen-words.js';
import { defaultDataDir } from '../src/node/data/paths.js';
import { initEngine } from '../src/node/engine/index.js';
import { loadLineModel } from '../src/node/model/line-artifact.js';
import { defaultLanguageModel } from '../src/node/read/language-model.js';
import { lineLogits } from '../src/node/read/line-reader.js';
import { parseBenchArgs } from './args.js';

const values = parseBenchArgs(
  'bench:decode-lines',
  'Tunes the decoding of a line model on the UNIPEN words of the validation writers.',
  {
    model: { flags: '--model <dir>', description: 'the line model', required: true },
    dataDir: {
      flags: '--data-dir <dir>',
      description: 'datasets folder holding unipen-words/',
      default: defaultDataDir(),
    },
    count: { flags: '--count <n>', description: 'words at most', parse: 'positive', default: 1000 },
    part: {
      flags: '--part <part>',
      description: 'whose words: the validation writers (test is for the final figures only)',
      default: 'validation',
    },
    lmWeights: {
      flags: '--lm-weights <list>',
      description: 'weights of the language model to try',
      default: '0.3,0.5,0.8',
    },
    bonuses: {
      flags: '--bonuses <list>',
      description: 'insertion bonuses to try',
      default: '0.5,1,1.5',
    },
    beam: {
      flags: '--beam <n>',
      description: 'beam width',
      parse: 'positive',
      default: CTC_DECODE_DEFAULTS.beamWidth,
    },
    json: { flags: '--json', description: 'print machine-readable results', default: false },
  },
);
const part = values.part as WriterPart;
if (!['validation', 'test'].includes(part)) {
  throw new Error(`bench/decode-lines: expected --part validation or test, got ${part}`);
}

await initEngine({ backend: 'wasm' });
const loaded = await loadLineModel(values.model);
const lm = await defaultLanguageModel();
const words = await loadUnipenWords(values.dataDir, { parts: [part] });
const source = unipenWordsSource(words, { name: `unipen-words-${part}`, plain: true });
const count = Math.min(values.count, source.size);
// Every (1/count)-th word, so a short run still spans the writers.
const items = Array.from({ length: count }, (_, k) => Math.floor((k * source.size) / count));
const samples: { text: string; frames: CtcFrames }[] = [];
const C = loaded.metadata.charset.length + 1;
let modelMs = 0;
for (const i of items) {
  const sample = source.sample(i, createRandom(i + 1));
  const line = normalizeLine(sample.image);
  const t0 = performance.now();
  const logits = lineLogits(loaded, line);
  modelMs += performance.now() - t0;
  samples.push({ text: sample.text, frames: ctcFramesFromLogits(logits, logits.length / C, C) });
}
loaded.dispose();

interface Row {
  readonly decoder: string;
  readonly characters: number;
  readonly words: number;
  readonly msPerWord: number;
}
const rows: Row[] = [];
const score = (decoder: string, read: (f: CtcFrames) => string) => {
  let errors = 0;
  let length = 0;
  let exact = 0;
  const t0 = performance.now();
  for (const s of samples) {
    const got = read(s.frames);
    errors += editDistance(got, s.text);
    length += s.text.length;
    if (got === s.text) exact++;
  }
  rows.push({
    decoder,
    characters: 1 - errors / Math.max(1, length),
    words: exact / Math.max(1, samples.length),
    msPerWord: (performance.now() - t0) / Math.max(1, samples.length),
  });
};
const beamWidth = values.beam;
const charset = loaded.metadata.charset;
score('greedy', (f) => ctcGreedy(f, { charset }).text);
score('beam, no language model', (f) => ctcBeamSearch(f, { charset, beamWidth })[0]!.text);
for (const w of values.lmWeights.split(',').map(Number)) {
  for (const b of values.bonuses.split(',').map(Number)) {
    score(
      `beam, language model ${w}, bonus ${b}`,
      (f) =>
        ctcBeamSearch(f, {
          charset,
          beamWidth,
          languageModel: lm.line,
          lmWeight: w,
          insertionBonus: b,
        })[0]!.text,
    );
  }
}
const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
if (values.json) {
  console.log(JSON.stringify({ model: values.model, part, words: samples.length, rows }, null, 2));
} else {
  console.log(
    `${values.model}: ${samples.length} UNIPEN words of the ${part} writers, model ${(modelMs / samples.length).toFixed(1)} ms/word (${tf.getBackend()})`,
  );
  for (const r of rows) {
    console.log(
      `  ${r.decoder.padEnd(36)} characters ${pct(r.characters).padStart(7)}  words ${pct(r.words).padStart(7)}  ${r.msPerWord.toFixed(2)} ms/word`,
    );
  }
}
