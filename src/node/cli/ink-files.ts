// `hcr read --ink FILE...`: each file is ink, not an image: strokes as JSON in the Handwriting
// Recognition API's point shape or W3C InkML (told apart by their first character), held to
// core's ink budgets, rendered at one scale (core's renderInkPage through inkOnPaper: lines about
// 64 px high) and read like an image: with a line model, at its own pen width (what it reads is
// ink at its own scale and stroke, docs/DESIGN.md §8); with a character model, at the glyph
// reader's paper pen.

import { readFile, stat } from 'node:fs/promises';
import { inkOnPaper, parseInk } from '../../core/ink/document.js';
import { INK_LIMITS } from '../../core/ink/limits.js';
import { RENDER_INK_DEFAULTS } from '../../core/ink/render.js';
import type { ReadOptions } from '../../core/read/options.js';
import { HcrError } from '../errors.js';
import {
  isLineModel,
  readFiles,
  readImage,
  type FileReading,
  type LoadedReader,
} from '../read/read.js';

async function readInkFile(loaded: LoadedReader, file: string, options: ReadOptions) {
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
  const image = isLineModel(loaded)
    ? inkOnPaper(strokes, RENDER_INK_DEFAULTS.penWidth)
    : inkOnPaper(strokes);
  return readImage(loaded, image, options);
}

/**
 * Reads each ink file in turn, with a line model or a character model; a file that cannot be read or parsed gets an `error` entry with
 * the message (BAD_INK, NOT_FOUND), and the others are still read.
 *
 * @example
 * const [first] = await readInkFiles(loaded, ['word.inkml']);
 * if (first.status === 'ok') first.text; // 'L1'
 */
export function readInkFiles(
  loaded: LoadedReader,
  files: readonly string[],
  options: ReadOptions = {},
): Promise<FileReading[]> {
  return readFiles(loaded, files, options, readInkFile);
}
