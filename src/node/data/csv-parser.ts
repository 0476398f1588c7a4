// The parser of Kaggle-style CSV images (csv.ts reads the file and feeds it): a byte-level state
// machine over the file's buffers, with no strings per row or per number. Rows may straddle
// chunks and end with `\n` or `\r\n`; the first line is a header when a cell is not an integer.
// A fast path reads the usual rows a cell at a time; anything unusual goes to the general state
// machine, which reads it or throws the error naming the line and column.

import { IMAGE_PIXELS } from '../../core/types.js';
import type { LabelSet } from '../../core/label-sets.js';
import { HcrError } from '../errors.js';

/** Columns of a row: a label, then 784 pixels. */
export const CSV_COLUMNS = 1 + IMAGE_PIXELS;

// A module-local copy for the hot loops: an imported binding can compile to a getter call
// under tsx and vitest.
const PIXELS = IMAGE_PIXELS;

// The shortest possible row ("0,0,...,0") has 785 digits and 784 commas; the file size divided
// by it bounds the number of rows, so the output rarely needs to grow.
const MIN_ROW_BYTES = 2 * CSV_COLUMNS - 1;
// The first line is read whole to decide whether it is a header; a real one is a few KB.
const MAX_FIRST_LINE_BYTES = 1 << 20;

const COMMA = 44;
const LF = 10;
const CR = 13;
const ZERO = 48;

/**
 * The most rows `bytes` of CSV can hold, plus one: the capacity a {@link CsvImageParser} starts
 * with, so that it rarely needs to grow.
 *
 * @example
 * csvRowsHint(1569); // 2: one row of zeros without its newline is 1569 bytes
 */
export function csvRowsHint(bytes: number): number {
  return Math.floor(bytes / MIN_ROW_BYTES) + 1;
}

/**
 * Parses CSV rows of a label (an index into `labelSet.classes`) then 784 pixels 0-255, pushed
 * as chunks of any size; `finish()` returns the images and labels. `name` names the source in
 * errors, e.g. `A_Z Handwritten Data.csv:12: column 17: expected an integer 0-255, got 'x'`
 * (lines 1-based, the header counts).
 *
 * @example
 * const parser = new CsvImageParser('upload.csv', LABEL_SETS.digits, csvRowsHint(body.length));
 * parser.push(body);
 * const { images, labels } = parser.finish();
 */
export class CsvImageParser {
  // The state lives in fields between chunks and in locals inside parse(). Cells may only hold
  // digits, so any other byte is an error at once, and a cell without digits is an empty one.

  /** Data rows parsed so far. */
  rows = 0;
  private line = 1;
  private col = 0;
  private value = 0;
  private digits = 0;
  // Digits of the current cell that arrived in earlier chunks, kept only for error messages.
  private partialCell = '';
  // The previous chunk ended with CR: a LF at the start of the next one belongs to it.
  private skipLf = false;
  private firstLine: Uint8Array[] | undefined = [];
  private firstLineBytes = 0;
  private sawBytes = false;
  private sawHeader = false;
  private images: Uint8Array;
  private labels: Uint8Array;
  private readonly classCount: number;

  constructor(
    private readonly name: string,
    private readonly labelSet: LabelSet,
    rowsHint: number,
  ) {
    this.classCount = labelSet.classes.length;
    const capacity = Math.max(16, rowsHint);
    this.images = new Uint8Array(capacity * IMAGE_PIXELS);
    this.labels = new Uint8Array(capacity);
  }

  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.sawBytes = true;
    if (this.firstLine !== undefined) {
      chunk = this.takeFirstLine(chunk);
      if (chunk.length === 0) return;
    }
    const end = chunk.length;
    let i = 0;
    if (this.col > 0 || this.digits > 0 || this.skipLf) {
      // Finish the row begun in the previous chunk with the general state machine.
      const first = firstLineEnd(chunk);
      if (first < 0) {
        this.parse(chunk);
        return;
      }
      i = first + 1;
      if (chunk[first] === CR && i < end && chunk[i] === LF) i++;
      this.parse(chunk.subarray(0, i));
    }
    const last = Math.max(chunk.lastIndexOf(LF), chunk.lastIndexOf(CR));
    if (last >= i) {
      this.parseRows(chunk, i, last + 1);
      i = last + 1;
      if (i === end && chunk[last] === CR) this.skipLf = true;
    }
    if (i < end) this.parse(chunk.subarray(i));
  }

  finish(): { images: Uint8Array; labels: Uint8Array } {
    if (this.firstLine !== undefined && this.firstLineBytes > 0) {
      // A file of one line without a newline.
      const line = concat(this.firstLine, this.firstLineBytes);
      this.firstLine = undefined;
      if (!this.isHeader(line)) this.parse(line);
    }
    // The last row may lack its newline.
    if (this.col > 0 || this.digits > 0) this.parse(Uint8Array.of(LF));
    if (!this.sawBytes) {
      throw new HcrError(
        'BAD_DATA',
        `${this.name}: empty file, expected rows of a label and ${IMAGE_PIXELS} pixels`,
      );
    }
    if (this.rows === 0) {
      const where = this.sawHeader ? ' after the header' : '';
      throw new HcrError(
        'BAD_DATA',
        `${this.name}: no data rows${where}, expected rows of a label and ${IMAGE_PIXELS} pixels`,
      );
    }
    const used = this.rows * IMAGE_PIXELS;
    // Keep a view when most of the buffer is used; copy when much of it would be wasted.
    const keep = used * 2 >= this.images.length;
    return {
      images: keep ? this.images.subarray(0, used) : this.images.slice(0, used),
      labels: keep ? this.labels.subarray(0, this.rows) : this.labels.slice(0, this.rows),
    };
  }

  // Collects the first line, parses it unless it is a header, and returns the rest of the chunk.
  private takeFirstLine(chunk: Uint8Array): Uint8Array {
    const parts = this.firstLine!;
    let end = chunk.indexOf(LF);
    const cr = chunk.indexOf(CR);
    if (cr >= 0 && (end < 0 || cr < end)) end = cr;
    if (end < 0) {
      parts.push(new Uint8Array(chunk)); // a copy: the caller reuses its buffer
      this.firstLineBytes += chunk.length;
      if (this.firstLineBytes > MAX_FIRST_LINE_BYTES) {
        throw new HcrError(
          'BAD_DATA',
          `${this.name}:1: line longer than ${MAX_FIRST_LINE_BYTES} bytes, expected ${CSV_COLUMNS} columns`,
        );
      }
      return chunk.subarray(chunk.length);
    }
    parts.push(chunk.subarray(0, end + 1));
    const line = concat(parts, this.firstLineBytes + end + 1);
    this.firstLine = undefined;
    this.firstLineBytes = 0;
    if (!this.isHeader(line)) {
      this.parse(line);
    } else if (line[line.length - 1] === CR) {
      this.skipLf = true;
    }
    return chunk.subarray(end + 1);
  }

  // True when `line` (the first line, with its line end) is a header row; it is then checked
  // and skipped.
  private isHeader(line: Uint8Array): boolean {
    let text = Buffer.from(line.buffer, line.byteOffset, line.byteLength).toString('utf8');
    if (text.startsWith('\uFEFF')) text = text.slice(1);
    text = text.replace(/[\r\n]$/, '');
    if (text === '') return false;
    const cells = text.split(',');
    if (cells.every((cell) => /^\d+$/.test(cell))) return false;
    if (cells.length !== CSV_COLUMNS) {
      throw new HcrError(
        'BAD_DATA',
        `${this.name}:1: header has ${cells.length} columns, expected ${CSV_COLUMNS} (a label and ${IMAGE_PIXELS} pixels)`,
      );
    }
    this.sawHeader = true;
    this.line = 2;
    return true;
  }

  // The hot loop: about 2 bytes per pixel, so it touches each byte once and allocates nothing.
  private parse(buf: Uint8Array): void {
    const end = buf.length;
    let i = 0;
    if (this.skipLf) {
      this.skipLf = false;
      if (buf[0] === LF) i = 1;
    }
    const carried = this.partialCell;
    this.partialCell = '';
    const firstCell = i;
    let { line, col, value, digits, rows } = this;
    let images = this.images;
    let labels = this.labels;
    let base = rows * PIXELS;
    const classCount = this.classCount;
    let cellStart = i;
    while (i < end) {
      const c = buf[i++]!;
      const d = c - ZERO;
      if (d >= 0 && d <= 9) {
        value = value * 10 + d;
        digits++;
        continue;
      }
      const newline = c === LF || c === CR;
      if (newline) {
        if (c === CR) {
          if (i === end) this.skipLf = true;
          else if (buf[i] === LF) i++;
        }
        if (col === 0 && digits === 0) {
          // An empty line (e.g. at the end of the file) is skipped.
          line++;
          cellStart = i;
          continue;
        }
      } else if (c !== COMMA) {
        digits = -1;
      }
      if (digits <= 0 || value > 255) {
        this.line = line;
        this.col = col;
        const prefix = cellStart === firstCell ? carried : '';
        this.failCell(buf, cellStart, prefix);
      }
      if (col === 0) {
        if (value >= classCount) {
          throw new HcrError(
            'BAD_DATA',
            `${this.name}:${line}: column 1: label ${value} is not in label set ${this.labelSet.name} (0-${classCount - 1})`,
          );
        }
        if (rows === labels.length) {
          this.grow();
          images = this.images;
          labels = this.labels;
        }
        labels[rows] = value;
      } else if (col <= PIXELS) {
        images[base + col - 1] = value;
      }
      col++;
      value = 0;
      digits = 0;
      cellStart = i;
      if (!newline) continue;
      if (col !== CSV_COLUMNS) {
        throw new HcrError(
          'BAD_DATA',
          `${this.name}:${line}: expected ${CSV_COLUMNS} columns, got ${col}`,
        );
      }
      rows++;
      base += PIXELS;
      col = 0;
      line++;
    }
    this.line = line;
    this.col = col;
    this.value = value;
    this.digits = digits;
    this.rows = rows;
    if (digits > 0) {
      const tail = Buffer.from(buf.buffer, buf.byteOffset + cellStart, end - cellStart);
      this.partialCell = (cellStart === firstCell ? carried : '') + tail.toString('latin1');
    }
  }

  // The fast path, for the lines that lie wholly in [start, stop): reads a row a cell at a
  // time, and leaves zeros unwritten (the output starts zeroed). Anything unusual (a wrong
  // delimiter or column count, a bad value, leading zeros) hands the row to parse(), which
  // either reads it or throws the precise error.
  private parseRows(buf: Uint8Array, start: number, stop: number): void {
    let i = start;
    let rows = this.rows;
    let line = this.line;
    let labels = this.labels;
    let images = this.images;
    const classCount = this.classCount;
    const lastPixel = PIXELS - 1;
    while (i < stop) {
      const rowStart = i;
      let c = buf[i]!;
      if (c === LF || c === CR) {
        i++;
        if (c === CR && i < stop && buf[i] === LF) i++;
        line++;
        continue;
      }
      let ok = false;
      let value = 0;
      let digits = 0;
      let d = c - ZERO;
      while (d >= 0 && d <= 9) {
        value = value * 10 + d;
        digits++;
        c = buf[++i]!;
        d = c - ZERO;
      }
      if (c === COMMA && digits > 0 && digits <= 3 && value < classCount) {
        const label = value;
        i++;
        if (rows === labels.length) {
          this.grow();
          labels = this.labels;
          images = this.images;
        }
        const base = rows * PIXELS;
        let p = 0;
        for (; p <= lastPixel; p++) {
          c = buf[i]!;
          if (c === ZERO) {
            c = buf[i + 1]!;
            i += 2;
            if (c === COMMA && p < lastPixel) continue;
            if (p === lastPixel && (c === LF || c === CR)) break;
            p = -1;
            break;
          }
          value = 0;
          digits = 0;
          d = c - ZERO;
          while (d >= 0 && d <= 9) {
            value = value * 10 + d;
            digits++;
            c = buf[++i]!;
            d = c - ZERO;
          }
          i++;
          if (digits === 0 || value > 255) {
            p = -1;
            break;
          }
          images[base + p] = value;
          if (c === COMMA && p < lastPixel) continue;
          if (p === lastPixel && (c === LF || c === CR)) break;
          p = -1;
          break;
        }
        if (p === lastPixel) {
          if (c === CR && i < stop && buf[i] === LF) i++;
          labels[rows] = label;
          rows++;
          line++;
          ok = true;
        }
      }
      if (ok) continue;
      // Hand the whole line to the general parser, from a clean row state.
      let rowEnd = rowStart;
      while (buf[rowEnd] !== LF && buf[rowEnd] !== CR) rowEnd++;
      rowEnd++;
      if (buf[rowEnd - 1] === CR && rowEnd < stop && buf[rowEnd] === LF) rowEnd++;
      images.fill(0, rows * PIXELS, (rows + 1) * PIXELS);
      this.rows = rows;
      this.line = line;
      this.parse(buf.subarray(rowStart, rowEnd));
      this.skipLf = false;
      rows = this.rows;
      line = this.line;
      labels = this.labels;
      images = this.images;
      i = rowEnd;
    }
    this.rows = rows;
    this.line = line;
  }

  private grow(): void {
    const images = new Uint8Array(this.images.length * 2);
    images.set(this.images);
    const labels = new Uint8Array(this.labels.length * 2);
    labels.set(this.labels);
    this.images = images;
    this.labels = labels;
  }

  // Throws the error for the bad cell that starts at `start` (after `prefix`, its bytes from
  // earlier chunks); the cell's text runs to the next delimiter, cut at 40 bytes.
  private failCell(buf: Uint8Array, start: number, prefix: string): never {
    let stop = start;
    while (stop < buf.length && stop - start < 40) {
      const c = buf[stop];
      if (c === COMMA || c === LF || c === CR) break;
      stop++;
    }
    const text = prefix + Buffer.from(buf.buffer, buf.byteOffset + start, stop - start).toString();
    throw new HcrError(
      'BAD_DATA',
      `${this.name}:${this.line}: column ${this.col + 1}: expected an integer 0-255, got '${text}'`,
    );
  }
}

// Index of the first LF or CR, or -1.
function firstLineEnd(buf: Uint8Array): number {
  const lf = buf.indexOf(LF);
  const cr = buf.indexOf(CR);
  if (lf < 0) return cr;
  return cr < 0 ? lf : Math.min(lf, cr);
}

function concat(parts: readonly Uint8Array[], length: number): Uint8Array {
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part.subarray(0, length - offset), offset);
    offset += part.length;
    if (offset >= length) break;
  }
  return out;
}
