// A small UNIPEN-words file in the dataset's format (gzip JSON lines, delta-coded strokes),
// made in a temporary folder: zigzag "words" by several writers.

import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { UNIPEN_WORDS_FILE } from '../../src/node/data/lines/unipen-words.js';

/** A zigzag of `n` peaks from x0, as delta-coded UNIPEN-words strokes. */
function zigzag(n: number, x0: number): number[] {
  const out = [x0, 200];
  for (let i = 0; i < n; i++) out.push(20, -150, 20, 150);
  return out;
}

/** Writes a words file in a new data folder and returns the folder: `writers` writers, each with the given labels. */
export function writeWordsFile(writers: number, labels: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'hcr-words-'));
  mkdirSync(join(dir, 'unipen-words'));
  const rows: string[] = [];
  for (let w = 0; w < writers; w++) {
    for (const label of labels) {
      rows.push(
        JSON.stringify({
          category: '6',
          kind: 'word',
          label,
          contributor: `c${w % 3}`,
          writer_id: `w${w}`,
          mm: w % 2 === 0 ? 6 : null,
          strokes: [zigzag(label.length, 0), [10, 10, 3, 3]],
        }),
      );
    }
  }
  writeFileSync(join(dir, UNIPEN_WORDS_FILE), gzipSync(rows.join('\n') + '\n'));
  return dir;
}
