// `hcr read FILE...`: reads the lines of handwriting in each image file and prints the text,
// then per character its box and the model's top-k (and what changed its label: the language
// model, the rules, the charset, the pattern or the lexicon), and with the line reader each
// word's confidence. The line reader (a line model reading each line whole, models/line-en) is
// the default; `--reader glyphs` reads the glyphs cut from the lines with a character model, as
// before, and is what a clone without a line model falls back to (with a note). `--json` prints
// the whole reading; `--no-context` turns the context off; `--charset`, `--pattern` and
// `--lexicon FILE` constrain the reading; `--alternatives N` prints each line's N best; `--ink`
// reads files of ink (JSON strokes or InkML) instead of images, with the same choice of reader.

import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { HcrError } from '../../core/errors.js';
import type { ContextScope } from '../../core/read/context.js';
import {
  READ_DEFAULTS,
  resolveReadOptions,
  type Decoder,
  type ReadOptions,
} from '../../core/read/options.js';
import type { ReadCharacter, ReadLine } from '../../core/read/read.js';
import { initEngine, type BackendName } from '../engine/index.js';
import { EXIT_CODE } from '../errors.js';
import { loadModel } from '../model/artifact.js';
import { loadLineModel } from '../model/line-artifact.js';
import { DEFAULT_LINE_MODEL_DIR, isLineModelDir } from '../read/line-reader.js';
import { prepareReadOptions, readRequestOptions, type ReadRequest } from '../read/options.js';
import { readFiles, type FileReading, type LoadedReader } from '../read/read.js';

/** What reads the lines: a line model reading each whole, or a character model reading glyphs. */
export type ReaderName = 'line' | 'glyphs';

/** The readers `--reader` accepts, the default first. */
export const READERS: readonly ReaderName[] = Object.freeze(['line', 'glyphs']);
import { CTC_DECODE_DEFAULTS } from '../../core/read/ctc-decode.js';
import { defineCommand } from './command.js';
import { RUN_OPTIONS, note, print, resolveModelDir } from './common.js';
import { readInkFiles } from './ink-files.js';
import { defineOptions } from './options.js';

/**
 * Options of {@link readCommand}, as the CLI parsed them: the reading options of a
 * {@link ReadRequest} (--lm-weight, --alternatives, --charset, --pattern, --keep-spacing), and
 * those that the CLI names or reads itself.
 */
export interface ReadCliOptions extends Pick<
  ReadRequest,
  'lmWeight' | 'alternatives' | 'charset' | 'pattern' | 'keepSpacing'
> {
  /** The character model directory (already resolved: the shipped model when --model is absent). */
  readonly modelDir: string;
  /**
   * --model as given: a line model directory reads with the line reader; a character model
   * directory, without --reader, with the glyph reader. Default: none.
   */
  readonly model?: string;
  /** --reader: 'line' (default) or 'glyphs'. */
  readonly reader?: string;
  /** --line-model: the line model directory. Default: models/line-en. */
  readonly lineModel?: string;
  readonly backend: string;
  /** Classes shown per character. */
  readonly top: number;
  /** Use the line context for look-alikes (false with --no-context). */
  readonly context: boolean;
  /** What the context may change (--context-scope). */
  readonly contextScope: string;
  /** How lines are decoded (--decoder): 'language-model' or 'rules'. */
  readonly decoder?: string;
  /** A file of entries, one a line (--lexicon). */
  readonly lexicon?: string;
  readonly json?: boolean;
  /** The files are ink (JSON strokes or InkML), not images (--ink). */
  readonly ink?: boolean;
}

/** Where `hcr read` writes: stdout for readings, stderr for per-file errors. */
export interface ReadOutput {
  print(text: string): void;
  note(text: string): void;
}

const pct = (x: number) => `${(x * 100).toFixed(2)}%`;

function characterLine(line: number, index: number, c: ReadCharacter): string {
  const { x, y, width, height } = c.box;
  const top = c.top.map((t) => `${t.label} ${pct(t.probability)}`).join('  ');
  const context = c.changedBy
    ? `  (${c.changedBy}: classifier said ${c.raw})`
    : c.context
      ? `  (context: ${c.context}, classifier said ${c.raw})`
      : '';
  return `  ${line + 1}:${index + 1}  ${c.label}  ${x},${y} ${width}x${height}  ${top}${context}`;
}

/** A line's text, then what the lexicon, the pattern and the N best say about it. */
function lineRows(line: ReadLine): string[] {
  const rows = [`  ${line.text}`];
  if (line.words && line.words.length > 0) {
    rows.push(`    words: ${line.words.map((w) => `${w.text} ${pct(w.confidence)}`).join('  ')}`);
  }
  if (line.lexicon) {
    const { reading, score, distance } = line.lexicon;
    const how = score === undefined ? 'nearest in spelling' : `score ${score.toFixed(2)}`;
    rows.push(`    lexicon entry (${how}, ${distance} edit(s) from the reading ${reading})`);
  }
  if (line.patternMatched === false) rows.push('    no reading fits the pattern: read without it');
  line.alternatives?.forEach((a, i) =>
    rows.push(`    ${i + 1}. ${a.text}  ${pct(a.probability)}  (score ${a.score.toFixed(2)})`),
  );
  return rows;
}

/**
 * The text form of one file's reading: the file, its lines' text, then one row per character
 * (line:index, label, box x,y widthxheight, top-k, and what the context changed). An error
 * gives no rows (the CLI prints it on stderr).
 *
 * @example
 * formatReading(reading); // ['a.png:', '  AB', '  1:1  A  4,3 20x30  A 99.00%  R 0.50%  H 0.20%', ...]
 */
export function formatReading(reading: FileReading): string[] {
  if (reading.status === 'error') return [];
  if (reading.status === 'blank') return [`${reading.file}: blank (no ink found)`];
  if (reading.status === 'no-characters') return [`${reading.file}: ${reading.message ?? ''}`];
  const rows = [`${reading.file}:`, ...reading.lines.flatMap(lineRows)];
  reading.lines.forEach((l, i) =>
    l.characters.forEach((c, k) => rows.push(characterLine(i, k, c))),
  );
  return rows;
}

/**
 * Which reader and model `hcr read` uses: --model naming a line model reads with it; --reader
 * glyphs, or --model naming a character model, reads glyphs with the character model;
 * otherwise the line model (--line-model, else models/line-en), and when the shipped one is not
 * there the glyph reader, with a note saying so.
 *
 * @param shippedLineModel - where the shipped line model is (tests point it elsewhere)
 * @throws HcrError BAD_OPTION for an unknown --reader or --reader glyphs with a line model;
 *   NOT_FOUND for a --line-model that is not a line model directory
 * @example
 * await chooseReader({ modelDir: 'models/alnum36' }, output); // { reader: 'line', dir: '.../line-en' }
 */
export async function chooseReader(
  options: Pick<ReadCliOptions, 'modelDir' | 'model' | 'reader' | 'lineModel'>,
  output: Pick<ReadOutput, 'note'>,
  shippedLineModel: string = DEFAULT_LINE_MODEL_DIR,
): Promise<{ reader: ReaderName; dir: string }> {
  const reader = options.reader;
  if (reader !== undefined && !READERS.includes(reader as ReaderName)) {
    throw new HcrError('BAD_OPTION', `--reader: expected ${READERS.join(' or ')}, got '${reader}'`);
  }
  if (options.model !== undefined && (await isLineModelDir(options.model))) {
    if (reader === 'glyphs') {
      throw new HcrError(
        'BAD_OPTION',
        `--reader glyphs: expected a character model, got the line model ${options.model}`,
      );
    }
    return { reader: 'line', dir: options.model };
  }
  if (reader === 'glyphs' || (reader === undefined && options.model !== undefined)) {
    return { reader: 'glyphs', dir: options.modelDir };
  }
  const lineDir = options.lineModel ?? shippedLineModel;
  if (await isLineModelDir(lineDir)) return { reader: 'line', dir: lineDir };
  if (options.lineModel !== undefined) {
    throw new HcrError(
      'NOT_FOUND',
      `--line-model: no line model at ${lineDir} (expected a directory whose hcr.json says kind "line")`,
    );
  }
  output.note(
    `hcr: no line model at ${lineDir}: reading with the glyph reader (${options.modelDir}); --reader glyphs chooses it without this note`,
  );
  return { reader: 'glyphs', dir: options.modelDir };
}

/**
 * Runs `hcr read`: chooses the reader ({@link chooseReader}), loads the model, reads each file, prints the readings (text or JSON) and
 * returns the exit code: the first failed file's (NOT_FOUND's for a missing file, BAD_IMAGE's
 * for one that cannot be read); the others are still printed.
 *
 * @throws HcrError BAD_OPTION for a bad --top or --context-scope; NOT_FOUND/BAD_MODEL for the model
 * @example
 * const code = await readCommand(['note.png'], { modelDir, backend: 'auto', top: 3,
 *   context: true, contextScope: 'lookalikes' }, { print, note });
 */
export async function readCommand(
  files: readonly string[],
  options: ReadCliOptions,
  output: ReadOutput,
): Promise<number> {
  if (!Number.isInteger(options.top) || options.top < 1) {
    throw new HcrError('BAD_OPTION', `--top: expected a positive integer, got ${options.top}`);
  }
  if (options.contextScope !== 'lookalikes' && options.contextScope !== 'all') {
    throw new HcrError(
      'BAD_OPTION',
      `--context-scope: expected 'lookalikes' or 'all', got '${options.contextScope}'`,
    );
  }
  const lexiconFile = options.lexicon;
  const lexicon =
    lexiconFile === undefined
      ? undefined
      : await readFile(lexiconFile, 'utf8').catch(() => {
          throw new HcrError('BAD_OPTION', `--lexicon: cannot read the file ${lexiconFile}`);
        });
  const readOptions: ReadOptions = {
    ...readRequestOptions({
      ...options,
      contextScope: options.contextScope as ContextScope,
      decoder: options.decoder as Decoder | undefined,
      reader: options.reader as ReaderName | undefined,
      lexicon,
    }),
    ...(lexiconFile !== undefined ? { lexiconName: basename(lexiconFile) } : {}),
  };
  // A bad pattern or option fails before the model is loaded.
  const resolved = resolveReadOptions(readOptions);
  const choice = await chooseReader(options, output);
  await initEngine({ backend: options.backend as BackendName });
  const loaded: LoadedReader =
    choice.reader === 'line' ? await loadLineModel(choice.dir) : await loadModel(choice.dir);
  const classes = 'labelSet' in loaded ? loaded.labelSet.classes : [...loaded.metadata.charset];
  try {
    // ... and a charset, pattern or lexicon the model cannot read, before any file is read.
    const prepared = prepareReadOptions(readOptions, classes);
    const readings = options.ink
      ? await readInkFiles(loaded, files, prepared)
      : await readFiles(loaded, files, prepared);
    if (options.json) {
      output.print(
        JSON.stringify(
          {
            model: loaded.dir,
            reader: choice.reader,
            ...('labelSet' in loaded
              ? { labelSet: loaded.labelSet.name }
              : { charset: loaded.metadata.charset }),
            context: options.context,
            decoder: resolved.context ? resolved.decoder : 'none',
            results: readings,
          },
          null,
          2,
        ),
      );
    } else {
      for (const reading of readings) {
        if (reading.status === 'error') output.note(`hcr: ${reading.error}`);
        else for (const row of formatReading(reading)) output.print(row);
      }
    }
    // The first failure decides the exit code, as in predict: 5 for a missing file, 3 for a bad one.
    const failed = readings.find((r) => r.status === 'error');
    return failed ? EXIT_CODE[failed.code] : 0;
  } finally {
    loaded.dispose();
  }
}

/** The options of `hcr read`. */
export const READ_OPTIONS = defineOptions({
  model: {
    flags: '--model <dir>',
    description:
      'model directory: a line model reads with the line reader, a character model with the glyph reader (default: the shipped models)',
  },
  reader: {
    flags: '--reader <name>',
    description:
      'what reads the lines: a line model reading each whole (default; the glyph reader when no line model is installed), or the glyph reader cutting them into characters',
    choices: READERS,
  },
  lineModel: {
    flags: '--line-model <dir>',
    description: `line model directory (default: ${DEFAULT_LINE_MODEL_DIR})`,
  },
  top: {
    flags: '--top <k>',
    description: 'how many classes to show per character',
    parse: 'integer',
    default: READ_DEFAULTS.top,
  },
  context: {
    flags: '--no-context',
    description: 'do not use the line to decide look-alikes (O/0, I/1, S/5, Z/2, B/8, G/6)',
  },
  contextScope: {
    flags: '--context-scope <scope>',
    description: 'what the context may change: look-alike pairs, or any class of the wrong kind',
    choices: ['lookalikes', 'all'],
    default: READ_DEFAULTS.contextScope,
  },
  decoder: {
    flags: '--decoder <name>',
    description:
      "how a line is decoded: a search with the character language model, or the older kind rules ('rules')",
    choices: ['language-model', 'rules'],
    default: READ_DEFAULTS.decoder,
  },
  lmWeight: {
    flags: '--lm-weight <w>',
    description: `weight of the language model against the model (default: ${READ_DEFAULTS.lmWeight} for the glyph reader, ${CTC_DECODE_DEFAULTS.lmWeight} for the line reader)`,
    parse: 'number',
  },
  alternatives: {
    flags: '--alternatives <n>',
    description: "print each line's N best readings with their scores",
    parse: 'integer',
    default: READ_DEFAULTS.alternatives,
  },
  charset: {
    flags: '--charset <set>',
    description:
      'characters a reading may use: digits, letters, alnum, or the characters themselves',
    default: READ_DEFAULTS.charset,
  },
  pattern: {
    flags: '--pattern <pattern>',
    description:
      'the shape of every line: a mask (AA99 9AA: A a letter, 9 a digit, # either) or a small regex ([A-Z]{2}\\d{2} \\d[A-Z]{2})',
  },
  lexicon: {
    flags: '--lexicon <file>',
    description:
      'a file of entries, one a line: each line reads as its nearest entry (the reading stays beside it)',
  },
  keepSpacing: {
    flags: '--keep-spacing',
    description: 'keep every wide gap as a space (D O G reads D O G, not DOG)',
  },
  ink: {
    flags: '--ink',
    description:
      'the files are ink, not images: strokes as JSON ({"strokes": [[{x, y, t}, ...]]}) or W3C InkML',
  },
  ...RUN_OPTIONS,
});

/** `hcr read` in the command registry. */
export const READ_COMMAND = defineCommand({
  name: 'read',
  description:
    'read the lines of handwritten digits and capitals in each image file: the text, and per character its box and top classes',
  arguments: [{ name: '<files...>', description: 'image files' }],
  options: READ_OPTIONS,
  run: async (options, [files]: [string[]], state) => {
    state.exitCode = await readCommand(
      files,
      { ...options, modelDir: resolveModelDir(options.model) },
      { print, note },
    );
  },
});
