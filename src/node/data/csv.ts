// Kaggle-style CSV datasets (docs/DESIGN.md §3): each row is a label then 784 pixels, with or
// without a header row (`label,1x1,...`), e.g. `A_Z Handwritten Data.csv` (699 MB, 372,450
// rows) and `mnist_train.csv`. Read streaming, a chunk at a time, by the byte-level parser of
// csv-parser.ts, which also parses content already in memory (an upload).

import { open } from 'node:fs/promises';
import type { Dataset } from '../../core/types.js';
import type { LabelSet } from '../../core/label-sets.js';
import { CsvImageParser, csvRowsHint } from './csv-parser.js';
import { displayName, fileError } from './files.js';

/** Progress of {@link parseCsvDataset}, reported after each chunk read. */
export interface CsvProgress {
  /** Bytes parsed so far. */
  readonly bytes: number;
  /** Size of the file. */
  readonly totalBytes: number;
  /** Data rows (images) parsed so far. */
  readonly rows: number;
  /** Rows per second since the start. */
  readonly rowsPerSecond: number;
}

/** Options of {@link parseCsvDataset}. */
export interface CsvDatasetOptions {
  /** The source's classes: a row's label `k` stands for `labelSet.classes[k]`. Required. */
  readonly labelSet: LabelSet;
  /** Dataset name. Default: the file name without `.csv`. */
  readonly name?: string;
  /** Called after each chunk with the bytes and rows parsed so far. Default: none. */
  readonly onProgress?: (progress: CsvProgress) => void;
  /** Bytes read at a time. Default: {@link CSV_DEFAULTS}.chunkBytes (4 MiB). */
  readonly chunkBytes?: number;
}

/** Defaults of {@link parseCsvDataset}. */
export const CSV_DEFAULTS = Object.freeze({
  /** Bytes read at a time (4 MiB). */
  chunkBytes: 4 << 20,
});

/**
 * Parses a CSV of labelled 28x28 images: each row is a label (an index into
 * `options.labelSet.classes`) then 784 pixels 0-255. A header row is detected from its content
 * (a cell that is not an integer). Errors name the file, the line (1-based, the header counts)
 * and the column, e.g. `A_Z Handwritten Data.csv:12: column 17: expected an integer 0-255, got 'x'`.
 *
 * @example
 * const az = await parseCsvDataset('A_Z Handwritten Data.csv', {
 *   labelSet: LABEL_SETS.letters,
 *   onProgress: (p) => bar.update(p.bytes / p.totalBytes),
 * });
 */
export async function parseCsvDataset(path: string, options: CsvDatasetOptions): Promise<Dataset> {
  const name = displayName(path);
  const chunkBytes = options.chunkBytes ?? CSV_DEFAULTS.chunkBytes;
  let file;
  try {
    file = await open(path, 'r');
  } catch (error) {
    throw fileError(path, error);
  }
  try {
    const totalBytes = (await file.stat()).size;
    const parser = new CsvImageParser(name, options.labelSet, csvRowsHint(totalBytes));
    const buffer = Buffer.allocUnsafe(Math.max(1, Math.min(chunkBytes, Math.max(totalBytes, 1))));
    const start = performance.now();
    let bytes = 0;
    for (;;) {
      const { bytesRead } = await file.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      parser.push(buffer.subarray(0, bytesRead));
      bytes += bytesRead;
      if (options.onProgress) {
        const seconds = (performance.now() - start) / 1000;
        options.onProgress({
          bytes,
          totalBytes,
          rows: parser.rows,
          rowsPerSecond: seconds > 0 ? parser.rows / seconds : 0,
        });
      }
    }
    const { images, labels } = parser.finish();
    return {
      name: options.name ?? name.replace(/\.csv$/i, ''),
      images,
      labels,
      labelSet: options.labelSet,
    };
  } finally {
    await file.close();
  }
}

/**
 * Parses CSV content given as chunks in memory (the same parser as {@link parseCsvDataset},
 * which feeds it the file's chunks); rows may straddle chunks. `options.name` names the source
 * in error messages and the dataset. `rowsHint` (default: from the chunks' total size) sets the
 * initial capacity.
 *
 * @example
 * const ds = parseCsvChunks([body], { labelSet: LABEL_SETS.digits, name: 'upload.csv' });
 */
export function parseCsvChunks(
  chunks: Iterable<Uint8Array>,
  options: Pick<CsvDatasetOptions, 'labelSet'> & {
    readonly name: string;
    readonly rowsHint?: number;
  },
): Dataset {
  const list = [...chunks];
  const total = list.reduce((sum, chunk) => sum + chunk.length, 0);
  const parser = new CsvImageParser(
    options.name,
    options.labelSet,
    options.rowsHint ?? csvRowsHint(total),
  );
  for (const chunk of list) parser.push(chunk);
  const { images, labels } = parser.finish();
  return {
    name: options.name.replace(/\.csv$/i, ''),
    images,
    labels,
    labelSet: options.labelSet,
  };
}
