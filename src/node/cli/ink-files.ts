// `hcr read --ink FILE...`: each file is ink, not an image: strokes as JSON in the Handwriting
// Recognition API's point shape or W3C InkML (told apart by their first character), held to
// core's ink budgets, drawn as the page would upload it (inkOnPaper) and read like an image.

import { readFile, stat } from 'node:fs/promises';
import { inkOnPaper, parseInk } from '../../core/ink/document.js';
import { INK_LIMITS } from '../../core/ink/limits.js';
import type { ReadOptions } from '../../core/read/options.js';
import { HcrError, isHcrError } from '../errors.js';
import type { LoadedModel } from '../model/artifact.js';
import { readImage, type FileReading } from '../read/read.js';

async function readInkFile(loaded: LoadedModel, file: string, options: ReadOptions) {
  const info = await stat(file).catch(() => {
    throw new HcrError('NOT_FOUND', `${file}: no such file`);
  });
  // Four bytes a character at most in UTF-8: longer cannot be within the character budget.
  if (!info.isFile() || info.size > 4 * INK_LIMITS.maxInkmlChars) {
    throw new HcrError(
      'BAD_INK',
      info.isFile()
        ? `${file}: expected at most ${INK_LIMITS.maxInkmlChars} characters of ink, got ${info.size} bytes`
        : `${file}: expected an ink file (JSON or InkML), got a directory or device`,
    );
  }
  const strokes = parseInk(await readFile(file, 'utf8'), INK_LIMITS, file);
  return readImage(loaded, inkOnPaper(strokes), options);
}

/**
 * Reads each ink file in turn; a file that cannot be read or parsed gets an `error` entry with
 * the message (BAD_INK, NOT_FOUND), and the others are still read.
 *
 * @example
 * const [first] = await readInkFiles(loaded, ['word.inkml']);
 * if (first.status === 'ok') first.text; // 'L1'
 */
export async function readInkFiles(
  loaded: LoadedModel,
  files: readonly string[],
  options: ReadOptions = {},
): Promise<FileReading[]> {
  const results: FileReading[] = [];
  for (const file of files) {
    try {
      results.push({ file, ...(await readInkFile(loaded, file, options)) });
    } catch (error) {
      if (!isHcrError(error) || error.code === 'BAD_OPTION') throw error;
      results.push({ file, status: 'error', error: error.message, code: error.code });
    }
  }
  return results;
}
