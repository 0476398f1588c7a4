// `hcr line train`: trains a line model (issue 21) on real handwritten words (UNIPEN, split by
// writer), composed lines of one writer's words and, when asked, font lines; prints progress
// lines and writes the best model by validation CER. `hcr line evaluate`: reads the test sets with
// and without the language model and, with --record, writes the figures and the card.

import { initEngine, type BackendName } from '../engine/index.js';
import { DEFAULT_LINE_ARCHITECTURE, LINE_ARCHITECTURES } from '../../core/line/architectures.js';
import {
  LINE_TRAIN_DEFAULTS,
  trainLineModel,
  type WeightedLineSource,
} from '../train/line-trainer.js';
import {
  loadUnipenWords,
  unipenWordsSource,
  UNIPEN_WORDS_FRACTIONS,
  UNIPEN_WORDS_SPLIT_SEED,
} from '../data/lines/unipen-words.js';
import { defineCommand, type CliCommand } from './command.js';
import { DATA_OPTIONS, RUN_OPTIONS, dataDirOf, note, print } from './common.js';
import { defineOptions } from './options.js';
import { LINE_TEST_SETS, evaluateLineModel, lineTestSets } from '../eval/line-evaluate.js';
import { renderLineCard } from '../eval/line-card.js';
import { loadLineModel, recordLineMetrics } from '../model/line-artifact.js';
import { defaultLanguageModel } from '../read/language-model.js';
import { DEFAULT_LINE_MODEL_DIR } from '../read/line-reader.js';
import { renderLineReport } from '../report/line-report.js';
import { writeFileAtomic } from '../fs-atomic.js';
import { join } from 'node:path';

/** The options of `hcr line train`. */
export const LINE_TRAIN_OPTIONS = defineOptions({
  out: { flags: '--out <dir>', description: 'model directory to write', required: true },
  arch: {
    flags: '--arch <name>',
    description: `line architecture (${Object.keys(LINE_ARCHITECTURES).join(', ')}; default: the --init model's, else ${DEFAULT_LINE_ARCHITECTURE})`,
  },
  batchSize: {
    flags: '--batch-size <n>',
    description: 'lines per step',
    parse: 'integer',
    default: LINE_TRAIN_DEFAULTS.batchSize,
  },
  lr: {
    flags: '--lr <x>',
    description: 'peak learning rate (Adam)',
    parse: 'number',
    default: LINE_TRAIN_DEFAULTS.lr,
  },
  epochs: {
    flags: '--epochs <n>',
    description: 'passes over the training lines',
    parse: 'integer',
    default: LINE_TRAIN_DEFAULTS.epochs,
  },
  maxMinutes: {
    flags: '--max-minutes <n>',
    description: 'stop after this many minutes (0: none)',
    parse: 'number',
    default: 0,
  },
  evalEvery: {
    flags: '--eval-every <n>',
    description: 'validate every n steps',
    parse: 'integer',
    default: LINE_TRAIN_DEFAULTS.evalEvery,
  },
  composed: {
    flags: '--composed <n>',
    description: 'composed lines (2-4 words of one writer) per epoch',
    parse: 'integer',
    default: 30000,
  },
  fontLines: {
    flags: '--font-lines <n>',
    description: 'synthetic font lines per epoch',
    parse: 'integer',
    default: 0,
  },
  resume: { flags: '--resume', description: 'continue from the checkpoint beside --out' },
  init: { flags: '--init <dir>', description: 'start from this line model' },
  seed: {
    flags: '--seed <n>',
    description: 'seed of the order and the pens',
    parse: 'integer',
    default: LINE_TRAIN_DEFAULTS.seed,
  },
  limit: {
    flags: '--limit <n>',
    description: 'read only this many words (smoke runs)',
    parse: 'integer',
  },
  ...DATA_OPTIONS,
  ...RUN_OPTIONS,
});

/** `hcr line train` in the command registry. */
export const LINE_TRAIN_COMMAND = defineCommand({
  name: 'train',
  description: 'train a line model with CTC on real handwritten words (UNIPEN, split by writer)',
  options: LINE_TRAIN_OPTIONS,
  run: async (options) => {
    await initEngine({ backend: options.backend as BackendName });
    const dataDir = dataDirOf(options);
    const limit = options.limit === undefined ? {} : { limit: options.limit };
    const train = await loadUnipenWords(dataDir, { parts: ['train'], ...limit });
    const validation = await loadUnipenWords(dataDir, { parts: ['validation'], ...limit });
    note(`unipen-words: ${train.length} training words, ${validation.length} validation words`);
    const sources: WeightedLineSource[] = [
      {
        source: unipenWordsSource(train, {
          name: 'unipen-words-train',
          composed: options.composed,
        }),
      },
    ];
    if (options.fontLines > 0) {
      const { fontLineSource } = await import('../data/lines/fonts.js');
      sources.push({
        source: await fontLineSource({
          split: 'train',
          count: options.fontLines,
          seed: options.seed,
        }),
      });
    }
    const command = `hcr ${process.argv.slice(2).join(' ')}`;
    const result = await trainLineModel(
      sources,
      unipenWordsSource(validation, { name: 'unipen-words-validation' }),
      {
        out: options.out,
        ...(options.arch === undefined ? {} : { arch: options.arch }),
        batchSize: options.batchSize,
        lr: options.lr,
        epochs: options.epochs,
        maxMinutes: options.maxMinutes,
        evalEvery: options.evalEvery,
        ...(options.resume ? { resume: true } : {}),
        ...(options.init ? { init: options.init } : {}),
        seed: options.seed,
        ...(options.workers === undefined ? {} : { workers: options.workers }),
        command,
      },
      {
        data: {
          sources: sources.map((s) => ({ name: s.source.name, items: s.source.size })),
          split: {
            by: 'writer (contributor/writer_id)',
            seed: UNIPEN_WORDS_SPLIT_SEED,
            fractions: UNIPEN_WORDS_FRACTIONS,
          },
          trainWords: train.length,
          validationWords: validation.length,
        },
      },
      (event) => {
        if (event.phase === 'step') {
          if (event.step % 50 === 0) {
            note(
              `step ${event.step} epoch ${event.epoch} loss ${event.loss.toFixed(3)} lr ${event.lr.toExponential(2)} ${event.linesPerSecond.toFixed(1)} lines/s (main share ${event.mainShare.toFixed(2)}, ${new Date().toISOString().slice(11, 19)})`,
            );
          }
        } else if (event.phase === 'validation') {
          note(
            `validation at step ${event.step}: CER ${(100 * event.cer).toFixed(2)}%, words ${(100 * event.wordAccuracy).toFixed(1)}%${event.best ? ' (best, saved)' : ''}`,
          );
        } else if (event.phase === 'checkpoint') {
          note(`checkpoint at step ${event.step}`);
        }
      },
    );
    print(
      options.json
        ? JSON.stringify(result)
        : `✓ ${options.out}: best validation CER ${(100 * result.bestCer).toFixed(2)}% after ${result.steps} steps`,
    );
  },
});

/** The options of `hcr line evaluate`. */
export const LINE_EVALUATE_OPTIONS = defineOptions({
  model: {
    flags: '--model <dir>',
    description: 'line model directory',
    default: DEFAULT_LINE_MODEL_DIR,
  },
  sets: {
    flags: '--sets <names>',
    description: `comma-separated test sets: ${Object.keys(LINE_TEST_SETS).join(', ')}`,
    default: 'unipen-words-test,fonts-caps-digits,fonts-mixed,fonts-codes',
  },
  limit: {
    flags: '--limit <n>',
    description: 'lines per set at most',
    parse: 'integer',
    default: 1000,
  },
  lmWeight: {
    flags: '--lm-weight <w>',
    description: 'weight of the language model',
    parse: 'number',
  },
  beamWidth: {
    flags: '--beam-width <n>',
    description: 'prefixes kept per frame',
    parse: 'integer',
  },
  report: { flags: '--report <file>', description: 'write an HTML report with the worst lines' },
  record: {
    flags: '--record',
    description: "write the figures into the model's hcr.json and its MODEL_CARD.md",
  },
  ...DATA_OPTIONS,
  ...RUN_OPTIONS,
});

/** `hcr line evaluate` in the command registry. */
export const LINE_EVALUATE_COMMAND = defineCommand({
  name: 'evaluate',
  description:
    'read test lines (UNIPEN test writers, held-out font families) with and without the language model; CER and word accuracy per set',
  options: LINE_EVALUATE_OPTIONS,
  run: async (options) => {
    await initEngine({ backend: options.backend as BackendName });
    const loaded = await loadLineModel(options.model);
    try {
      const sets = await lineTestSets(options.sets.split(','), {
        dataDir: dataDirOf(options),
        limit: options.limit,
      });
      const languageModel = await defaultLanguageModel();
      const results = await evaluateLineModel(
        loaded,
        sets,
        {
          languageModel,
          ...(options.lmWeight === undefined ? {} : { lmWeight: options.lmWeight }),
          ...(options.beamWidth === undefined ? {} : { beamWidth: options.beamWidth }),
        },
        (set, done, total) => {
          if (done % 200 === 0 || done === total) note(`${set}: ${done}/${total}`);
        },
      );
      if (options.json) {
        print(
          JSON.stringify(
            results.map(({ worst: _w, ...r }) => r),
            null,
            2,
          ),
        );
      } else {
        const pct = (x: number) => `${(100 * x).toFixed(2)}%`;
        print(
          'set                    lines  chars greedy  words greedy  chars LM  words LM  ms/line',
        );
        for (const r of results) {
          print(
            `${r.name.padEnd(22)} ${String(r.lines).padStart(5)}  ${pct(r.greedy.charAccuracy).padStart(12)}  ${pct(r.greedy.wordAccuracy).padStart(12)}  ${pct(r.languageModel.charAccuracy).padStart(8)}  ${pct(r.languageModel.wordAccuracy).padStart(8)}  ${r.msPerLineP50.toFixed(1).padStart(7)}`,
          );
        }
      }
      if (options.report) {
        await writeFileAtomic(
          options.report,
          await renderLineReport(options.model, loaded.metadata, sets, results),
        );
        note(`report: ${options.report}`);
      }
      if (options.record) {
        const metadata = await recordLineMetrics(options.model, results);
        const bytes = Object.entries(metadata.files)
          .filter(([name]) => name === 'model.json' || name === 'weights.bin')
          .reduce((a, [, f]) => a + f.bytes, 0);
        await writeFileAtomic(
          join(options.model, 'MODEL_CARD.md'),
          renderLineCard(options.model, metadata, bytes),
        );
        note(`recorded in ${options.model}/hcr.json and MODEL_CARD.md`);
      }
    } finally {
      loaded.dispose();
    }
  },
});

/** `hcr line` and its subcommands in the command registry. */
export const LINE_COMMAND: CliCommand = Object.freeze({
  name: 'line',
  description: 'line models: read whole lines of handwriting',
  subcommands: [LINE_TRAIN_COMMAND, LINE_EVALUATE_COMMAND],
});
