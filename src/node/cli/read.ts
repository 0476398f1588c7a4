// `hcr read FILE...`: reads the lines of handwriting in each image file and prints the text,
// then per character its box and the classifier's top-k (and when the line context changed
// a look-alike). `--json` prints the whole reading; `--no-context` turns the context off.

import { HcrError } from '../../core/errors.js';
import type { ContextScope } from '../../core/read/context.js';
import type { ReadCharacter } from '../../core/read/read.js';
import { initEngine, type BackendName } from '../engine/index.js';
import { EXIT_CODE } from '../errors.js';
import { loadModel } from '../model/artifact.js';
import { readFiles, type FileReading } from '../read/read.js';

/** Options of {@link readCommand}, as the CLI parsed them. */
export interface ReadCliOptions {
  /** The model directory (already resolved: the shipped model when --model is absent). */
  readonly modelDir: string;
  readonly backend: string;
  /** Classes shown per character. */
  readonly top: number;
  /** Use the line context for look-alikes (false with --no-context). */
  readonly context: boolean;
  /** What the context may change (--context-scope). */
  readonly contextScope: string;
  readonly json?: boolean;
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
  const context = c.context ? `  (context: ${c.context}, classifier said ${c.raw})` : '';
  return `  ${line + 1}:${index + 1}  ${c.label}  ${x},${y} ${width}x${height}  ${top}${context}`;
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
  const rows = [`${reading.file}:`, ...reading.lines.map((l) => `  ${l.text}`)];
  reading.lines.forEach((l, i) =>
    l.characters.forEach((c, k) => rows.push(characterLine(i, k, c))),
  );
  return rows;
}

/**
 * Runs `hcr read`: loads the model, reads each file, prints the readings (text or JSON) and
 * returns the exit code (BAD_IMAGE's when a file could not be read; the others are still
 * printed).
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
  await initEngine({ backend: options.backend as BackendName });
  const loaded = await loadModel(options.modelDir);
  try {
    const readings = await readFiles(loaded, files, {
      top: options.top,
      context: options.context,
      contextScope: options.contextScope as ContextScope,
    });
    if (options.json) {
      output.print(
        JSON.stringify(
          {
            model: loaded.dir,
            labelSet: loaded.labelSet.name,
            context: options.context,
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
    return readings.some((r) => r.status === 'error') ? EXIT_CODE.BAD_IMAGE : 0;
  } finally {
    loaded.dispose();
  }
}
