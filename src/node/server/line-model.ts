// The line model a server reads /api/read's lines with (issue 21 §4), and its files for the
// page, which routes/line-model.ts serves: model.json, weights.bin and hcr.json (the charset and
// frame stride the page decodes with), checked against hcr.json's SHA-256 when first read, then
// kept in memory.

import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HcrError } from '../errors.js';
import { MODEL_FILES } from '../model/files.js';
import { readLineMetadata, type LineModelMetadata } from '../model/line-artifact.js';
import { DEFAULT_LINE_MODEL_DIR, isLineModelDir } from '../read/line-reader.js';
import type { BrowserFile } from './served-models.js';

/** The files of a line model the page downloads. */
export const LINE_MODEL_BROWSER_FILES = Object.freeze(['model.json', 'weights.bin', 'hcr.json']);

/** Where the page finds the served line model's topology. */
export const LINE_MODEL_URL = '/line-model/model.json';

/** A line model a server serves. */
export interface ServedLineModel {
  readonly dir: string;
  readonly metadata: LineModelMetadata;
}

/**
 * The line model to serve: `dir` (which must hold one), the shipped one when `dir` is undefined
 * and it is installed, none when `dir` is false.
 *
 * @throws HcrError NOT_FOUND when `dir` is given and holds no line model
 * @example
 * const line = await openServedLineModel(undefined); // models/line-en, or undefined
 */
export async function openServedLineModel(
  dir: string | false | undefined,
): Promise<ServedLineModel | undefined> {
  if (dir === false) return undefined;
  const path = dir ?? DEFAULT_LINE_MODEL_DIR;
  if (!(await isLineModelDir(path))) {
    if (dir === undefined) return undefined;
    throw new HcrError(
      'NOT_FOUND',
      `line model: no line model at ${dir} (hcr.json with kind "line")`,
    );
  }
  return { dir: path, metadata: await readLineMetadata(path) };
}

/** What the page learns of the served line model from GET /api/models. */
export function lineModelSummary(
  line: ServedLineModel | undefined,
): Record<string, unknown> | null {
  if (!line) return null;
  return {
    browserModel: LINE_MODEL_URL,
    charset: line.metadata.charset,
    frameStride: line.metadata.frameStride,
    architecture: line.metadata.architecture,
  };
}

/**
 * Reads the served line model's browser files for GET /line-model/:file: each checked against
 * hcr.json's SHA-256 when first read (hcr.json itself is not listed in it), then kept in memory;
 * a read that failed is tried again next time.
 *
 * @throws HcrError BAD_MODEL (from the reader) when a file differs from hcr.json's record
 * @example
 * const read = lineModelFiles(line);
 * const file = await read('weights.bin'); // { bytes, etag }
 */
export function lineModelFiles(line: ServedLineModel): (name: string) => Promise<BrowserFile> {
  const files = new Map<string, Promise<BrowserFile>>();
  return (name) => {
    let file = files.get(name);
    if (!file) {
      file = (async () => {
        const bytes = await readFile(join(line.dir, name));
        const sha = createHash('sha256').update(bytes).digest('hex');
        const expected = line.metadata.files[name]?.sha256;
        if (name !== MODEL_FILES.metadata && expected !== sha) {
          throw new HcrError(
            'BAD_MODEL',
            `${join(line.dir, name)}: SHA-256 differs from hcr.json's`,
          );
        }
        return { bytes, etag: `"${sha.slice(0, 32)}"` };
      })().catch((error: unknown) => {
        files.delete(name);
        throw error;
      });
      files.set(name, file);
    }
    return file;
  };
}
