// CSV datasets: header detection, line ends, rows split across chunks of any size, and the
// errors that name file, line and column.

import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LABEL_SETS, sourceLabelSet } from '../../src/core/label-sets.js';
import {
  CSV_DEFAULTS,
  parseCsvChunks,
  parseCsvDataset,
  type CsvProgress,
} from '../../src/node/data/csv.js';
import { CSV_COLUMNS, CsvImageParser, csvRowsHint } from '../../src/node/data/csv-parser.js';
import { csvHeader, csvRow, drawGlyph, GLYPHS } from '../fixtures/make-fixtures.js';

const fixture = join(import.meta.dirname, '..', 'fixtures', 'data', 'three-class.csv');
const threeClasses = sourceLabelSet('three', ['0', '1', '2']);

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hcr-csv-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Writes rows (label + pixels, or raw strings) as a CSV file in the test directory. */
async function writeCsvFixture(
  name: string,
  rows: readonly (string | readonly [number, ArrayLike<number>])[],
  options: { header?: boolean; eol?: string; trailingEol?: boolean } = {},
): Promise<string> {
  const eol = options.eol ?? '\n';
  const lines = rows.map((row) => (typeof row === 'string' ? row : csvRow(row[0], row[1])));
  if (options.header) lines.unshift(csvHeader());
  const path = join(dir, name);
  await writeFile(path, lines.join(eol) + (options.trailingEol === false ? '' : eol));
  return path;
}

function pixels(seed: number): Uint8Array {
  const out = new Uint8Array(784);
  for (let i = 0; i < 784; i++) out[i] = (i * 31 + seed * 17) % 7 === 0 ? (i * seed) % 256 : 0;
  return out;
}

describe('parseCsvDataset', () => {
  it('reads the fixture with its header row', async () => {
    const ds = await parseCsvDataset(fixture, { labelSet: threeClasses });
    expect(ds.name).toBe('three-class');
    expect(Array.from(ds.labels)).toEqual([0, 1, 2]);
    expect(ds.images.length).toBe(3 * 784);
    const first = drawGlyph(GLYPHS['0']!, 28, 28, { seed: 50, jitter: 0.04 });
    expect(ds.images.subarray(0, 784)).toEqual(first);
    expect(ds.labelSet).toBe(threeClasses);
  });

  it('gives the same result for every chunk size, line end and final newline', async () => {
    const rows = Array.from({ length: 3 }, (_, i) => [i * 5, pixels(i + 1)] as const);
    const expectedImages = new Uint8Array(3 * 784);
    rows.forEach(([, p], i) => expectedImages.set(p, i * 784));
    const variants = [
      await writeCsvFixture('lf.csv', rows),
      await writeCsvFixture('crlf.csv', rows, { eol: '\r\n' }),
      await writeCsvFixture('cr.csv', rows, { eol: '\r' }),
      await writeCsvFixture('no-final-eol.csv', rows, { trailingEol: false }),
      await writeCsvFixture('crlf-header.csv', rows, {
        eol: '\r\n',
        header: true,
        trailingEol: false,
      }),
      await writeCsvFixture('blank-lines-at-end.csv', [...rows, '', ''], { eol: '\n' }),
    ];
    for (const path of variants) {
      const bytes = await readFile(path);
      const ds = await parseCsvDataset(path, { labelSet: LABEL_SETS.letters });
      expect(Array.from(ds.labels), path).toEqual([0, 5, 10]);
      expect(ds.images, path).toEqual(expectedImages);
      for (const chunkBytes of [1, 2, 3, 7, 1000]) {
        const chunks: Uint8Array[] = [];
        for (let i = 0; i < bytes.length; i += chunkBytes)
          chunks.push(bytes.subarray(i, i + chunkBytes));
        const split = parseCsvChunks(chunks, { labelSet: LABEL_SETS.letters, name: path });
        expect(Array.from(split.labels), `${path} ${chunkBytes}`).toEqual([0, 5, 10]);
        expect(split.images, `${path} ${chunkBytes}`).toEqual(expectedImages);
      }
    }
  });

  it('reads a file in small chunks', async () => {
    const rows = Array.from({ length: 3 }, (_, i) => [i, pixels(i + 1)] as const);
    const path = await writeCsvFixture('small-chunks.csv', rows, { eol: '\r\n' });
    for (const chunkBytes of [7, 1000, CSV_DEFAULTS.chunkBytes]) {
      const ds = await parseCsvDataset(path, { labelSet: threeClasses, chunkBytes });
      expect(Array.from(ds.labels)).toEqual([0, 1, 2]);
      expect(ds.images.subarray(784, 1568)).toEqual(pixels(2));
    }
  });

  it('agrees with the expected values on random rows, line ends and chunk splits', () => {
    let seed = 12345;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    const expectedLabels: number[] = [];
    const expectedImages: number[] = [];
    let text = '';
    for (let r = 0; r < 40; r++) {
      const label = rand(26);
      const cells = [rand(10) === 0 ? `0${label}` : String(label)];
      for (let p = 0; p < 784; p++) {
        const value = rand(4) === 0 ? rand(256) : 0;
        expectedImages.push(value);
        // Leading zeros are legal but leave the fast path.
        cells.push(rand(5000) === 0 ? `00${value}` : String(value));
      }
      expectedLabels.push(label);
      text += cells.join(',') + ['\n', '\r\n', '\r'][rand(3)]!;
      if (rand(8) === 0) text += '\n';
    }
    const bytes = Buffer.from(text);
    for (let trial = 0; trial < 12; trial++) {
      const chunks: Uint8Array[] = [];
      for (let i = 0; i < bytes.length;) {
        const size = trial === 0 ? bytes.length : 1 + rand(trial < 6 ? 5000 : 40);
        chunks.push(bytes.subarray(i, i + size));
        i += size;
      }
      const ds = parseCsvChunks(chunks, { labelSet: LABEL_SETS.letters, name: 'random.csv' });
      expect(Array.from(ds.labels), `trial ${trial}`).toEqual(expectedLabels);
      expect(Array.from(ds.images), `trial ${trial}`).toEqual(expectedImages);
    }
  });

  it('takes a first row of integers as data and a UTF-8 BOM header as a header', async () => {
    const noHeader = await writeCsvFixture('noheader.csv', [[1, pixels(1)]]);
    expect((await parseCsvDataset(noHeader, { labelSet: threeClasses })).labels.length).toBe(1);
    const bom = join(dir, 'bom.csv');
    await writeFile(bom, `\uFEFF${csvHeader()}\n${csvRow(2, pixels(2))}\n`);
    const ds = await parseCsvDataset(bom, { labelSet: threeClasses, name: 'named' });
    expect(ds.name).toBe('named');
    expect(Array.from(ds.labels)).toEqual([2]);
  });

  it('reports progress up to the file size', async () => {
    const rows = Array.from({ length: 20 }, (_, i) => [i % 3, pixels(i)] as const);
    const path = await writeCsvFixture('progress.csv', rows);
    const events: CsvProgress[] = [];
    await parseCsvDataset(path, {
      labelSet: threeClasses,
      chunkBytes: 4096,
      onProgress: (p) => events.push(p),
    });
    expect(events.length).toBeGreaterThan(3);
    const last = events[events.length - 1]!;
    expect(last.bytes).toBe(last.totalBytes);
    expect(last.rows).toBe(20);
    expect(events.every((e, i) => i === 0 || e.bytes > events[i - 1]!.bytes)).toBe(true);
  });

  it('reads a file larger than its initial capacity guess (rows of minimal size)', async () => {
    const rows = Array.from({ length: 40 }, (_, i) => [i % 3, new Uint8Array(784)] as const);
    const path = await writeCsvFixture('zeros.csv', rows);
    const ds = await parseCsvDataset(path, { labelSet: threeClasses, chunkBytes: 333 });
    expect(ds.labels.length).toBe(40);
    expect(ds.images.every((v) => v === 0)).toBe(true);
  });
});

describe('CsvImageParser', () => {
  it('parses rows pushed a byte at a time past its initial capacity, header skipped', () => {
    expect(CSV_COLUMNS).toBe(785);
    // The smallest row is 785 digits and 784 commas: 1569 bytes.
    expect(csvRowsHint(1568)).toBe(1);
    expect(csvRowsHint(1569)).toBe(2);
    const rows = Array.from({ length: 20 }, (_, i) => csvRow(i % 3, pixels(i + 1)));
    const text = [csvHeader(), ...rows].join('\r\n');
    const parser = new CsvImageParser('pushed.csv', threeClasses, 1);
    for (const byte of new TextEncoder().encode(text)) parser.push(Uint8Array.of(byte));
    expect(parser.rows).toBe(19); // the last row has no line end yet
    const { images, labels } = parser.finish();
    expect(parser.rows).toBe(20);
    expect(Array.from(labels)).toEqual(rows.map((_, i) => i % 3));
    expect(Array.from(images.subarray(19 * 784))).toEqual(Array.from(pixels(20)));
  });
});

describe('parseCsvDataset errors', () => {
  const good = (label = 1): readonly [number, Uint8Array] => [label, pixels(label)];

  it('rejects a row with too few or too many columns, naming the line', async () => {
    const short = await writeCsvFixture(
      'short.csv',
      [csvRow(1, pixels(1)), csvRow(1, new Uint8Array(783))],
      {
        header: true,
      },
    );
    await expect(parseCsvDataset(short, { labelSet: threeClasses })).rejects.toThrow(
      /^short\.csv:3: expected 785 columns, got 784$/,
    );
    const long = await writeCsvFixture('long.csv', [csvRow(1, new Uint8Array(785))]);
    await expect(parseCsvDataset(long, { labelSet: threeClasses })).rejects.toThrow(
      /^long\.csv:1: expected 785 columns, got 786$/,
    );
  });

  it('rejects a non-numeric cell with line and column, even split across chunks', async () => {
    const cells = csvRow(1, pixels(3)).split(',');
    cells[16] = '12x';
    const path = await writeCsvFixture('text.csv', [good(), good(), cells.join(',')]);
    const message = /^text\.csv:3: column 17: expected an integer 0-255, got '12x'$/;
    await expect(parseCsvDataset(path, { labelSet: threeClasses })).rejects.toThrow(message);
    const bytes = await readFile(path);
    const at = bytes.indexOf('12x');
    for (const cut of [at + 1, at + 2, at + 3]) {
      const chunks = [bytes.subarray(0, cut), bytes.subarray(cut)];
      expect(() => parseCsvChunks(chunks, { labelSet: threeClasses, name: 'text.csv' })).toThrow(
        message,
      );
    }
    await expect(parseCsvDataset(path, { labelSet: threeClasses })).rejects.toMatchObject({
      code: 'BAD_DATA',
    });
  });

  it('rejects a pixel over 255, an empty cell, a decimal and a negative number', async () => {
    const cases: [string, RegExp][] = [
      ['256', /:2: column 5: expected an integer 0-255, got '256'$/],
      ['', /:2: column 5: expected an integer 0-255, got ''$/],
      ['0.5', /:2: column 5: expected an integer 0-255, got '0\.5'$/],
      ['-1', /:2: column 5: expected an integer 0-255, got '-1'$/],
    ];
    for (const [cell, message] of cases) {
      const cells = csvRow(2, pixels(2)).split(',');
      cells[4] = cell;
      const path = await writeCsvFixture('cell.csv', [good(), cells.join(',')]);
      await expect(parseCsvDataset(path, { labelSet: threeClasses }), cell).rejects.toThrow(
        message,
      );
    }
  });

  it('rejects a label outside the label set', async () => {
    const path = await writeCsvFixture('labels.csv', [good(0), good(26)], { header: true });
    await expect(parseCsvDataset(path, { labelSet: LABEL_SETS.letters })).rejects.toThrow(
      /^labels\.csv:3: column 1: label 26 is not in label set letters \(0-25\)$/,
    );
  });

  it('rejects an empty file, a header without rows and a short header', async () => {
    const empty = join(dir, 'empty.csv');
    await writeFile(empty, '');
    await expect(parseCsvDataset(empty, { labelSet: threeClasses })).rejects.toThrow(
      /^empty\.csv: empty file, expected rows of a label and 784 pixels$/,
    );
    const headerOnly = await writeCsvFixture('header-only.csv', [], { header: true });
    await expect(parseCsvDataset(headerOnly, { labelSet: threeClasses })).rejects.toThrow(
      /^header-only\.csv: no data rows after the header/,
    );
    const badHeader = join(dir, 'bad-header.csv');
    await writeFile(badHeader, `label,a,b\n${csvRow(1, pixels(1))}\n`);
    await expect(parseCsvDataset(badHeader, { labelSet: threeClasses })).rejects.toThrow(
      /^bad-header\.csv:1: header has 3 columns, expected 785/,
    );
  });

  it('reports a missing file as NOT_FOUND', async () => {
    await expect(
      parseCsvDataset(join(dir, 'missing.csv'), { labelSet: threeClasses }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
