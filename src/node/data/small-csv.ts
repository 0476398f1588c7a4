// A reader for the small CSV files that describe a source (UNIPEN's writers, the EMNIST images
// that other sets duplicate): whole file in memory, gzip or not, columns found by header name,
// every row checked for its column count. The image CSVs (Kaggle) have their own streaming
// parser in csv.ts.

import { promisify } from 'node:util';
import { gunzip as gunzipCallback } from 'node:zlib';
import { HcrError } from '../../core/errors.js';
import { readFileChecked } from './files.js';

const gunzip = promisify(gunzipCallback);

/**
 * Splits one CSV line, honouring double quotes (as Python's csv module writes them).
 *
 * @example
 * splitCsvLine('a,"b,c",d'); // ['a', 'b,c', 'd']
 */
export function splitCsvLine(line: string): string[] {
  if (!line.includes('"')) return line.split(',');
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      cells.push(cell);
      cell = '';
    } else cell += ch;
  }
  cells.push(cell);
  return cells;
}

/**
 * Reads a small CSV (gzip-compressed when it starts with 1f 8b) into its rows and the index of
 * each of `columns` in its header; `name` says where in errors (`name:LINE: ...`).
 *
 * @example
 * const { rows, column } = await readSmallCsv(path, 'unipen/meta.csv', ['index', 'writer_id']);
 */
export async function readSmallCsv(
  path: string,
  name: string,
  columns: readonly string[],
): Promise<{ rows: string[][]; column: Record<string, number> }> {
  let bytes: Uint8Array = await readFileChecked(path);
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = await gunzip(bytes);
    } catch (error) {
      throw new HcrError('BAD_DATA', `${name}: gzip stream is truncated or corrupt`, {
        cause: error,
      });
    }
  }
  const lines = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    .toString('utf8')
    .split(/\r?\n/);
  if (lines.at(-1) === '') lines.pop();
  const header = splitCsvLine(lines[0] ?? '');
  const column: Record<string, number> = {};
  for (const wanted of columns) {
    const index = header.indexOf(wanted);
    if (index < 0) {
      throw new HcrError(
        'BAD_DATA',
        `${name}:1: expected a header with column '${wanted}', got '${lines[0] ?? ''}'`,
      );
    }
    column[wanted] = index;
  }
  const rows = lines.slice(1).map((line, i) => {
    const cells = splitCsvLine(line);
    if (cells.length !== header.length) {
      throw new HcrError(
        'BAD_DATA',
        `${name}:${i + 2}: expected ${header.length} columns, got ${cells.length}`,
      );
    }
    return cells;
  });
  return { rows, column };
}
