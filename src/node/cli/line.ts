// `hcr line train`: trains a line model (issue 21) on real handwritten words (UNIPEN, split by
// writer), composed lines of one writer's words and, when asked, font lines; prints progress
// lines and writes the best model by validation CER.

import type { Command } from 'commander';
import type { BACKENDS } from '../engine/index.js';
import { initEngine } from '../engine/index.js';
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
import { dataDirOf, note, print, type CommonOptions } from './common.js';

interface LineTrainCli extends CommonOptions {
  out: string;
  arch: string;
  batchSize: number;
  lr: number;
  epochs: number;
  maxMinutes: number;
  evalEvery: number;
  composed: number;
  fontLines: number;
  resume?: boolean;
  init?: string;
  seed: number;
  limit?: number;
}

/**
 * Adds `line` and its subcommands to the program.
 *
 * @param addCommon - main.ts's shared options (data dir, backend, workers, json)
 */
export function registerLineCommands(
  program: Command,
  addCommon: (command: Command) => Command,
  parse: { integer: (v: string) => number; number: (v: string) => number },
): void {
  const line = program.command('line').description('line models: read whole lines of handwriting');
  addCommon(
    line
      .command('train')
      .description(
        'train a line model with CTC on real handwritten words (UNIPEN, split by writer)',
      )
      .requiredOption('--out <dir>', 'model directory to write')
      .option('--arch <name>', 'line architecture', LINE_TRAIN_DEFAULTS.arch)
      .option('--batch-size <n>', 'lines per step', parse.integer, LINE_TRAIN_DEFAULTS.batchSize)
      .option('--lr <x>', 'peak learning rate (Adam)', parse.number, LINE_TRAIN_DEFAULTS.lr)
      .option(
        '--epochs <n>',
        'passes over the training lines',
        parse.integer,
        LINE_TRAIN_DEFAULTS.epochs,
      )
      .option('--max-minutes <n>', 'stop after this many minutes (0: none)', parse.number, 0)
      .option(
        '--eval-every <n>',
        'validate every n steps',
        parse.integer,
        LINE_TRAIN_DEFAULTS.evalEvery,
      )
      .option(
        '--composed <n>',
        'composed lines (2-4 words of one writer) per epoch',
        parse.integer,
        30000,
      )
      .option('--font-lines <n>', 'synthetic font lines per epoch', parse.integer, 0)
      .option('--resume', 'continue from the checkpoint beside --out')
      .option('--init <dir>', 'start from this line model')
      .option(
        '--seed <n>',
        'seed of the order and the pens',
        parse.integer,
        LINE_TRAIN_DEFAULTS.seed,
      )
      .option('--limit <n>', 'read only this many words (smoke runs)', parse.integer),
  ).action(async (options: LineTrainCli) => {
    await initEngine({ backend: options.backend as keyof typeof BACKENDS });
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
        arch: options.arch,
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
  });
}
