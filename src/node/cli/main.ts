// The `hcr` command line: data, train, evaluate, report, predict, read, serve. The only place
// that prints or calls process.exit; every failure is caught once, at the bottom, and mapped to
// an exit code.

import { readFileSync } from 'node:fs';
import { Command, InvalidArgumentError, Option } from 'commander';
import { ARCHITECTURES, DEFAULT_ARCHITECTURE } from '../../core/architectures.js';
import { HcrError } from '../../core/errors.js';
import { DEFAULT_LABEL_SET, LABEL_SETS } from '../../core/label-sets.js';
import {
  KAGGLE_DATASETS,
  PUBLIC_DATASETS,
  downloadDataset,
  kaggleInstructions,
} from '../data/download.js';
import { defaultCacheDir, defaultDataDir } from '../data/paths.js';
import { BACKENDS, initEngine } from '../engine/index.js';
import { registerLineCommands } from './line.js';
import { EXIT_CODE, isHcrError } from '../errors.js';
import { packagePath } from '../package-root.js';
import { DEFAULT_LINE_MODEL_DIR } from '../read/line-reader.js';
import { CTC_DECODE_DEFAULTS } from '../../core/read/ctc-decode.js';
import { PREDICT_DEFAULTS } from '../predict/predict.js';
import { SERVE_CLI_DEFAULTS, serveCommand, shippedModelDirs } from './serve.js';
import { READERS, readCommand } from './read.js';
import { dataListCommand } from './data-list.js';
import { READ_DEFAULTS } from '../../core/read/options.js';
import { LANGUAGE_MODEL_BUILD_DEFAULTS } from '../../core/read/language-model.js';
import {
  DEFAULT_LANGUAGE_MODEL_DIR,
  WORD_LIST_PACKAGE,
  buildLanguageModelFile,
} from '../read/language-model.js';
import { REPORT_DEFAULTS } from '../report/report.js';
import { reportCommand } from './report.js';
import { cardCommand } from './card.js';
import { synthCommand } from './synth.js';
import { tuneCommand } from './tune.js';
import { TUNE_DEFAULTS } from '../tune/tune.js';
import { SYNTH_DEFAULTS } from '../data/synth/files.js';
import { SCHEDULES, TRAIN_DEFAULTS } from '../train/config.js';
import { dataProgressRenderer } from './progress.js';
import {
  DEFAULT_MODEL_DIR,
  cacheDirOf,
  dataDirOf,
  note,
  print,
  resolveModelDir,
  type CommonOptions,
  type RunState,
} from './common.js';
import { evaluateCommand, type EvaluateCliOptions } from './evaluate.js';
import { predictCommand, type PredictCliOptions } from './predict.js';
import { trainCommand, type TrainCliOptions } from './train.js';

export { DEFAULT_MODEL_DIR, type RunState } from './common.js';

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(packagePath('package.json'), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

function integer(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n)) throw new InvalidArgumentError(`expected an integer, got '${value}'`);
  return n;
}

function number(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n)) throw new InvalidArgumentError(`expected a number, got '${value}'`);
  return n;
}

function list(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

function nonNegative(value: string): number {
  const n = integer(value);
  if (n < 0) throw new InvalidArgumentError(`expected 0 or more, got '${value}'`);
  return n;
}

function addCommon(command: Command, { data = true }: { data?: boolean } = {}): Command {
  if (data) {
    command
      .option('--data-dir <dir>', `datasets folder (default: $HCR_DATA_DIR or ${defaultDataDir()})`)
      .option('--cache-dir <dir>', `parsed-dataset cache (default: ${defaultCacheDir()})`);
  }
  return command
    .addOption(
      new Option('--backend <name>', 'tfjs backend').choices(Object.keys(BACKENDS)).default('auto'),
    )
    .option(
      '--workers <n>',
      'worker threads besides the main one, for training and large inference jobs (default: one per extra core on wasm, 0 on tensorflow)',
      nonNegative,
    )
    .option('--json', 'print machine-readable JSON on stdout');
}

/** Builds the `hcr` program (separate from running it, so tests can drive it). */
export function buildProgram(state: RunState = { exitCode: 0 }): Command {
  const program = new Command('hcr')
    .description(
      'handwritten character recognition: train, evaluate and run a CNN on handwritten digits and letters',
    )
    .version(packageVersion(), '-V, --version', 'print the version of hcr')
    .showHelpAfterError()
    .exitOverride();

  const data = program.command('data').description('list, download and locate the datasets');
  addCommon(
    data
      .command('list', { isDefault: true })
      .description(
        'show which datasets are present in the data folder, and whether their files are sound',
      )
      .option(
        '--verify',
        'read every file whole: gzip stream complete, IDX header against payload, published SHA-256',
      ),
  ).action(async (options: CommonOptions & { verify?: boolean }) => {
    state.exitCode = await dataListCommand(
      {
        dataDir: dataDirOf(options),
        ...(options.verify ? { verify: true } : {}),
        ...(options.json ? { json: true } : {}),
      },
      { print, note },
    );
  });
  addCommon(
    data
      .command('download')
      .description('download a public dataset into the data folder and check its SHA-256')
      .argument('<name>', `one of ${Object.keys(PUBLIC_DATASETS).join(', ')}`)
      .option('--mirror <url>', 'fetch the files from this base URL instead'),
  ).action(async (name: string, options: CommonOptions & { mirror?: string }) => {
    const dataDir = dataDirOf(options);
    let lastReport = 0;
    const result = await downloadDataset(name, {
      dataDir,
      ...(options.mirror ? { baseUrl: options.mirror } : {}),
      onProgress: (p) => {
        if (options.json || Date.now() - lastReport < 2000) return;
        lastReport = Date.now();
        const total = p.totalBytes ? ` of ${(p.totalBytes / 1e6).toFixed(1)} MB` : '';
        note(`${p.phase} ${p.file}: ${(p.bytes / 1e6).toFixed(1)} MB${total}`);
      },
    });
    if (options.json) print(JSON.stringify(result, null, 2));
    else for (const file of result.files) print(`✓ ${file.path}  sha256 ${file.sha256}`);
  });
  data
    .command('synth')
    .description(
      'generate the synthetic-styles source (font families and re-inked UNIPEN pen trajectories) into the data folder',
    )
    .option('--data-dir <dir>', `datasets folder (default: $HCR_DATA_DIR or ${defaultDataDir()})`)
    .option('--cache-dir <dir>', `parsed-dataset cache (default: ${defaultCacheDir()})`)
    .option('--seed <n>', 'seed of every random draw', integer, SYNTH_DEFAULTS.seed)
    .option(
      '--train-variants <n>',
      'renderings of each character of each training family',
      integer,
      SYNTH_DEFAULTS.trainVariants,
    )
    .option(
      '--test-variants <n>',
      'renderings of each character of each held-out family',
      integer,
      SYNTH_DEFAULTS.testVariants,
    )
    .option(
      '--pen-variants <n>',
      'renderings of each UNIPEN training-writer trajectory (0: none)',
      integer,
      SYNTH_DEFAULTS.penVariants,
    )
    .option('--families <list>', 'only these font families (default: all)', list)
    .option('--json', 'print the manifest as JSON on stdout')
    .action(
      async (options: {
        dataDir?: string;
        cacheDir?: string;
        seed: number;
        trainVariants: number;
        testVariants: number;
        penVariants: number;
        families?: string[];
        json?: boolean;
      }) => {
        await synthCommand(
          {
            ...options,
            dataDir: options.dataDir ?? defaultDataDir(),
            cacheDir: options.cacheDir ?? defaultCacheDir(),
          },
          { print, note },
        );
      },
    );
  data
    .command('kaggle')
    .description(
      'tell where to download a Kaggle dataset (needs a Kaggle login) and where to put it',
    )
    .argument('<name>', `one of ${Object.keys(KAGGLE_DATASETS).join(', ')}`)
    .option('--data-dir <dir>', 'datasets folder')
    .action((name: string, options: { dataDir?: string }) => {
      print(kaggleInstructions(name, options.dataDir ?? defaultDataDir()));
    });

  addCommon(
    program
      .command('train')
      .description('train a model on the datasets in the data folder')
      .addOption(
        new Option('--arch <name>', 'architecture')
          .choices(Object.keys(ARCHITECTURES))
          .default(DEFAULT_ARCHITECTURE),
      )
      .addOption(
        new Option('--label-set <name>', 'label set')
          .choices(Object.keys(LABEL_SETS))
          .default(DEFAULT_LABEL_SET),
      )
      .option('--sources <list>', 'comma-separated sources (default: every source present)', list)
      .option(
        '--fold-case',
        'map lowercase images onto capital classes when the label set has no lowercase',
      )
      .option('--epochs <n>', 'maximum epochs', integer, TRAIN_DEFAULTS.epochs)
      .option('--batch-size <n>', 'images per step', integer, TRAIN_DEFAULTS.batchSize)
      .option('--lr <rate>', 'peak learning rate (Adam)', number, TRAIN_DEFAULTS.learningRate)
      .addOption(
        new Option('--schedule <name>', 'learning-rate schedule')
          .choices(Object.keys(SCHEDULES))
          .default(TRAIN_DEFAULTS.schedule),
      )
      .option(
        '--validation <fraction>',
        'share of each training source held out for validation',
        number,
        0.1,
      )
      .option('--seed <n>', 'random seed', integer, TRAIN_DEFAULTS.seed)
      .option('--no-augment', 'train without random rotation/shift/scale/shear')
      .option(
        '--class-weights [power]',
        'weight each class by (inverse frequency)^power: 1 balances the classes fully, 0.5 half way',
        number,
      )
      .option(
        '--patience <n>',
        'early stopping: epochs without improvement (0 = off)',
        integer,
        TRAIN_DEFAULTS.patience,
      )
      .option('--max-minutes <n>', 'stop (and save) after this many minutes', number)
      .option(
        '--checkpoint-minutes <n>',
        'save a resumable checkpoint this often within an epoch: a crash loses at most this much',
        number,
        TRAIN_DEFAULTS.checkpointSeconds / 60,
      )
      .option('--dropout <rate>', "override the architecture's dropout", number)
      .option('--out <dir>', 'model directory to write', 'runs/model')
      .option(
        '--resume',
        'continue the run in <out>.checkpoint (or, without one, from the model in <out>)',
      )
      .option(
        '--init <model-dir>',
        "start from this model's weights instead of a random initialization (same architecture; with another label set, the features and the classes both hold carry over)",
      )
      .option(
        '--report',
        'write a report in <out>.report: the training curves after every epoch, every plot and report.html at the end',
      ),
  ).action(async (options: CommonOptions & TrainCliOptions) => {
    await trainCommand(options, state);
  });

  addCommon(
    program
      .command('evaluate')
      .description(
        'evaluate a model on every test set in the data folder (official tests, held-out splits)',
      )
      .option('--model <dir>', 'model directory (default: the shipped model)')
      .option(
        '--sources <list>',
        'comma-separated sources to test on (default: every source present)',
        list,
      )
      .option('--per-class', 'print the per-class table of every test set')
      .option(
        '--no-save',
        "do not record the results in the model's evaluation.json and hcr.json (by default they are added beside the test sets recorded there)",
      )
      .option(
        '--replace',
        "replace the model's recorded results with these (test sets not run are dropped; says what it replaced)",
      ),
  ).action(async (options: EvaluateCliOptions) => {
    await evaluateCommand(options);
  });

  addCommon(
    program
      .command('report')
      .description(
        'write plots (PNG and SVG), metrics.json and a self-contained report.html for a model',
      )
      .argument('<model-dir>', "a model directory written by 'hcr train'")
      .option('--compare <dir>', 'a second model directory to show side by side')
      .option('--out <dir>', 'report directory (default: <model-dir>.report)')
      .option(
        '--sources <list>',
        'comma-separated sources to test on and sample from (default: every source present)',
        list,
      )
      .option(
        '--samples <n>',
        'sample images per class in each data source grid',
        integer,
        REPORT_DEFAULTS.samplesPerClass,
      )
      .option(
        '--no-save',
        "do not record a new evaluation in the model's evaluation.json and hcr.json (by default test sets they lack are added; none is replaced)",
      )
      .option(
        '--replace',
        "replace the model's recorded results with a new evaluation (test sets not run are dropped; says what it replaced)",
      ),
  ).action(
    async (
      modelDir: string,
      options: CommonOptions & {
        compare?: string;
        out?: string;
        sources?: string[];
        samples: number;
        save: boolean;
        replace?: boolean;
      },
    ) => {
      if (options.samples < 1) {
        throw new HcrError(
          'BAD_OPTION',
          `--samples: expected a positive integer, got ${options.samples}`,
        );
      }
      await initEngine({ backend: options.backend as keyof typeof BACKENDS });
      await reportCommand(
        modelDir,
        {
          ...options,
          dataDir: dataDirOf(options),
          cacheDir: cacheDirOf(options),
        },
        {
          print,
          note,
          ...(options.json
            ? {}
            : { dataProgress: dataProgressRenderer({ stream: process.stderr }) }),
        },
      );
    },
  );

  addCommon(
    program
      .command('tune')
      .description(
        "adapt a model to one writer from a folder of samples (one sub-folder per class), replaying the data folder's training images so it does not forget the others",
      )
      .requiredOption(
        '--samples <dir>',
        'folder of samples, one sub-folder per class (A/, 7/, ...)',
      )
      .requiredOption('--out <dir>', 'model directory to write')
      .option('--model <dir>', 'model to adapt (default: the shipped model)')
      .option(
        '--replay <n>',
        'replayed training images, per class on average (drawn so each class keeps its training share; 0: none)',
        nonNegative,
        TUNE_DEFAULTS.replayPerClass,
      )
      .option(
        '--epochs <n>',
        'passes over the samples and the replay',
        integer,
        TUNE_DEFAULTS.epochs,
      )
      .option(
        '--lr <rate>',
        'peak learning rate (Adam, cosine)',
        number,
        TUNE_DEFAULTS.learningRate,
      )
      .option(
        '--repeats <n>',
        'times each sample is seen per epoch, augmented anew',
        integer,
        TUNE_DEFAULTS.repeats,
      )
      .option(
        '--held-out <share>',
        "share of each class's samples kept to measure the gain",
        number,
        TUNE_DEFAULTS.heldOut,
      )
      .option('--seed <n>', 'random seed', integer, TUNE_DEFAULTS.seed),
  ).action(
    async (
      options: CommonOptions & {
        samples: string;
        out: string;
        model?: string;
        replay: number;
        epochs: number;
        lr: number;
        repeats: number;
        heldOut: number;
        seed: number;
      },
    ) => {
      await initEngine({ backend: options.backend as keyof typeof BACKENDS });
      await tuneCommand(
        {
          ...options,
          model: resolveModelDir(options.model),
          dataDir: dataDirOf(options),
          cacheDir: cacheDirOf(options),
        },
        { print, note },
      );
    },
  );

  program
    .command('card')
    .description(
      "write MODEL_CARD.md from the model's own files (hcr.json, evaluation.json, history.json)",
    )
    .argument('[model-dir]', 'model directory (default: the shipped model)')
    .option('--machine <text>', 'the machine it was trained on, e.g. "2-core VM, 4 GB"')
    .option('--out <file>', 'where to write the card (default: <model-dir>/MODEL_CARD.md)')
    .action(async (modelDir: string | undefined, options: { machine?: string; out?: string }) => {
      await cardCommand(modelDir ?? DEFAULT_MODEL_DIR, options, { print });
    });

  addCommon(
    program
      .command('predict')
      .description('read the character in each image file (PNG, JPEG, WebP, GIF, TIFF, SVG)')
      .argument('<files...>', 'image files')
      .option('--model <dir>', 'model directory (default: the shipped model)')
      .option('--top <k>', 'how many classes to show per image', integer, PREDICT_DEFAULTS.top),
    { data: false },
  ).action(async (files: string[], options: PredictCliOptions) => {
    await predictCommand(files, options, state);
  });

  addCommon(
    program
      .command('read')
      .description(
        'read the lines of handwritten digits and capitals in each image file: the text, and per character its box and top classes',
      )
      .argument('<files...>', 'image files')
      .option(
        '--model <dir>',
        'model directory: a line model reads with the line reader, a character model with the glyph reader (default: the shipped models)',
      )
      .addOption(
        new Option(
          '--reader <name>',
          'what reads the lines: a line model reading each whole (default; the glyph reader when no line model is installed), or the glyph reader cutting them into characters',
        ).choices([...READERS]),
      )
      .option('--line-model <dir>', `line model directory (default: ${DEFAULT_LINE_MODEL_DIR})`)
      .option('--top <k>', 'how many classes to show per character', integer, READ_DEFAULTS.top)
      .option(
        '--no-context',
        'do not use the line to decide look-alikes (O/0, I/1, S/5, Z/2, B/8, G/6)',
      )
      .addOption(
        new Option(
          '--context-scope <scope>',
          'what the context may change: look-alike pairs, or any class of the wrong kind',
        )
          .choices(['lookalikes', 'all'])
          .default(READ_DEFAULTS.contextScope),
      )
      .addOption(
        new Option(
          '--decoder <name>',
          "how a line is decoded: a search with the character language model, or the older kind rules ('rules')",
        )
          .choices(['language-model', 'rules'])
          .default(READ_DEFAULTS.decoder),
      )
      .option(
        '--lm-weight <w>',
        `weight of the language model against the model (default: ${READ_DEFAULTS.lmWeight} for the glyph reader, ${CTC_DECODE_DEFAULTS.lmWeight} for the line reader)`,
        number,
      )
      .option(
        '--alternatives <n>',
        "print each line's N best readings with their scores",
        integer,
        READ_DEFAULTS.alternatives,
      )
      .option(
        '--charset <set>',
        'characters a reading may use: digits, letters, alnum, or the characters themselves',
        READ_DEFAULTS.charset,
      )
      .option(
        '--pattern <pattern>',
        'the shape of every line: a mask (AA99 9AA: A a letter, 9 a digit, # either) or a small regex ([A-Z]{2}\\d{2} \\d[A-Z]{2})',
      )
      .option(
        '--lexicon <file>',
        'a file of entries, one a line: each line reads as its nearest entry (the reading stays beside it)',
      )
      .option('--keep-spacing', 'keep every wide gap as a space (D O G reads D O G, not DOG)')
      .option(
        '--ink',
        'the files are ink, not images: strokes as JSON ({"strokes": [[{x, y, t}, ...]]}) or W3C InkML',
      ),
    { data: false },
  ).action(
    async (
      files: string[],
      options: CommonOptions & {
        model?: string;
        reader?: string;
        lineModel?: string;
        top: number;
        context: boolean;
        contextScope: string;
        decoder: string;
        lmWeight?: number;
        alternatives: number;
        charset: string;
        pattern?: string;
        lexicon?: string;
        keepSpacing?: boolean;
        ink?: boolean;
      },
    ) => {
      state.exitCode = await readCommand(
        files,
        { ...options, modelDir: resolveModelDir(options.model) },
        { print, note },
      );
    },
  );

  registerLineCommands(program, addCommon, { integer, number });

  const lm = program
    .command('lm')
    .description('the character language model that reading decodes with');
  lm.command('build')
    .description(
      `train the language model from the installed English word list (${WORD_LIST_PACKAGE}), codes and the labels of the UNIPEN words' training writers (for the line reader), and write language-model.json`,
    )
    .option('--out <dir>', 'directory to write', DEFAULT_LANGUAGE_MODEL_DIR)
    .option('--order <n>', 'n of the words model', integer, LANGUAGE_MODEL_BUILD_DEFAULTS.wordOrder)
    .option(
      '--min-count <n>',
      'drop n-grams (beyond bigrams) seen with less weight',
      number,
      LANGUAGE_MODEL_BUILD_DEFAULTS.minCount,
    )
    .option(
      '--data-dir <dir>',
      `datasets folder holding unipen-words/ (default: $HCR_DATA_DIR or ${defaultDataDir()}; without it, the line reader's part learns from the word list alone)`,
    )
    .option('--json', 'print machine-readable JSON on stdout')
    .action(
      async (options: {
        out: string;
        order: number;
        minCount: number;
        dataDir?: string;
        json?: boolean;
      }) => {
        const built = await buildLanguageModelFile(options.out, {
          wordOrder: options.order,
          minCount: options.minCount,
          ...(options.dataDir !== undefined ? { unipenDataDir: options.dataDir } : {}),
        });
        if (options.json) {
          print(
            JSON.stringify(
              { path: built.path, bytes: built.bytes, unipenLabels: built.unipenLabels },
              null,
              2,
            ),
          );
        } else {
          print(`✓ ${built.path}  ${(built.bytes / 1024).toFixed(0)} KiB`);
          print(`  ${built.model.file.description}`);
          if (built.model.file.line) print(`  line reader: ${built.model.file.line.description}`);
        }
      },
    );

  addCommon(
    program
      .command('serve')
      .description('serve the web page (draw or upload a character) and the HTTP API')
      .option(
        '--model <dir>',
        'model directory; repeat to serve several, the first the default (default: every shipped model, models/alnum36 first)',
        (dir: string, dirs: string[] = []) => [...dirs, dir],
      )
      .option('--port <n>', 'port (0 = any free port)', integer, SERVE_CLI_DEFAULTS.port)
      .option(
        '--host <address>',
        'address to listen on (0.0.0.0 = every network)',
        SERVE_CLI_DEFAULTS.host,
      )
      .option(
        '--rate-limit <n>',
        'API requests per minute per client (0 = no limit)',
        integer,
        SERVE_CLI_DEFAULTS.rateLimit,
      )
      .option('--max-upload-mb <n>', 'largest request body', number, SERVE_CLI_DEFAULTS.maxUploadMb)
      .option(
        '--max-pixels <n>',
        'largest image (width x height)',
        integer,
        SERVE_CLI_DEFAULTS.maxPixels,
      )
      .option('--log', 'print one line per request on stderr'),
    { data: false },
  ).action(
    async (
      options: CommonOptions & {
        model?: string[];
        port: number;
        host: string;
        rateLimit: number;
        maxUploadMb: number;
        maxPixels: number;
        log?: boolean;
      },
    ) => {
      const modelDirs = options.model ?? (await shippedModelDirs());
      await serveCommand({ ...options, modelDirs }, { print, note });
    },
  );

  return program;
}

/** Runs the CLI with `argv` and returns the exit code (errors are printed, never thrown). */
export async function main(argv: readonly string[]): Promise<number> {
  const state: RunState = { exitCode: 0 };
  const program = buildProgram(state);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return state.exitCode;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (
      code === 'commander.helpDisplayed' ||
      code === 'commander.version' ||
      code === 'commander.help'
    )
      return 0;
    if (typeof code === 'string' && code.startsWith('commander.')) return 2;
    if (isHcrError(error)) {
      note(`hcr: ${error.message}`);
      return EXIT_CODE[error.code];
    }
    note(`hcr: unexpected error: ${(error as Error).stack ?? String(error)}`);
    return 1;
  }
}
