// The `unipen-words` line source (issue 21): real handwritten words and short texts from UNIPEN
// (categories 6, 7, 8), their pen trajectories re-inked as line images with varied pens, paper,
// blur and JPEG. Split by writer, never by row: a writer's words are alike. Besides single
// words, "composed" items put 2-4 words of one writer on one line with natural spacing and a
// drifting baseline, so the model learns spaces.

import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { join } from 'node:path';
import { encodeLineText, minCtcFrames } from '../../../core/line/charset.js';
import { lineFrames } from '../../../core/line/architectures.js';
import { HcrError } from '../../../core/errors.js';
import { createRandom, type Random } from '../../../core/random.js';
import { renderPenLine, type PenStroke } from './pen-line.js';
import type { LineSample, LineSource } from './types.js';

/** The file of UNIPEN words in the data directory. */
export const UNIPEN_WORDS_FILE = join('unipen-words', 'unipen-words-strokes.jsonl.gz');
/** Seed of the writer split of UNIPEN words. */
export const UNIPEN_WORDS_SPLIT_SEED = 42;
/** Fractions of writers in the test and validation parts; the rest trains. */
export const UNIPEN_WORDS_FRACTIONS = Object.freeze({ test: 0.1, validation: 0.05 });
/** Longest label kept (characters); longer texts are mostly multi-line and are left out. */
export const UNIPEN_WORDS_MAX_CHARS = 48;

/** One of the three parts of the writer split. */
export type WriterPart = 'train' | 'validation' | 'test';

/** One word or text of UNIPEN, its trajectory decoded to absolute points. */
export interface UnipenWord {
  readonly label: string;
  /** `contributor/writer_id`: the unit of the split. */
  readonly writer: string;
  readonly category: string;
  /** Strokes as flat `[x0, y0, x1, y1, ...]` in UNIPEN-words units (the segment's height is 256). */
  readonly strokes: Int16Array[];
  /** The segment's height in millimetres, when the file knows it. */
  readonly mm: number | null;
  /** Width of the segment in its units. */
  readonly width: number;
}

/** FNV-1a of the text, then MurmurHash3's finalizer: similar names land far apart. */
function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * The part a writer belongs to: a hash of the seed and the writer, so the split of one writer
 * never depends on which other writers are present (about 10% test, 5% validation).
 *
 * @example
 * unipenWordsPart('abm/ca0'); // 'train'
 */
export function unipenWordsPart(
  writer: string,
  seed: number = UNIPEN_WORDS_SPLIT_SEED,
): WriterPart {
  const u = hash32(`${seed}:${writer}`) / 2 ** 32;
  if (u < UNIPEN_WORDS_FRACTIONS.test) return 'test';
  if (u < UNIPEN_WORDS_FRACTIONS.test + UNIPEN_WORDS_FRACTIONS.validation) return 'validation';
  return 'train';
}

/** Words readable by a line model: a label in the charset, 1-48 characters, and some ink. */
function usable(label: string, strokes: Int16Array[]): boolean {
  if (label.length === 0 || label.length > UNIPEN_WORDS_MAX_CHARS) return false;
  if (label.trim() !== label || label.includes('  ')) return false;
  if (!encodeLineText(label)) return false;
  return strokes.some((s) => s.length >= 2);
}

/**
 * Reads the UNIPEN words file (gzip JSON lines), decoding each trajectory's deltas.
 *
 * @throws HcrError DATA_MISSING when the file is absent; BAD_DATA when a line is not the format
 *   the dataset's README describes
 * @example
 * const words = await loadUnipenWords(defaultDataDir());
 */
export async function loadUnipenWords(
  dataDir: string,
  options: { readonly limit?: number; readonly parts?: readonly WriterPart[] } = {},
): Promise<UnipenWord[]> {
  const path = join(dataDir, UNIPEN_WORDS_FILE);
  const parts = new Set(options.parts ?? ['train', 'validation', 'test']);
  const input = createReadStream(path);
  const missing = new Promise<never>((_, reject) =>
    input.on('error', (error) =>
      reject(
        new HcrError('NOT_FOUND', `unipen-words: cannot read ${path}: ${error.message}`, {
          cause: error,
        }),
      ),
    ),
  );
  const words: UnipenWord[] = [];
  const reading = (async () => {
    let lineNo = 0;
    for await (const line of createInterface({ input: input.pipe(createGunzip()) })) {
      lineNo++;
      if (line.length === 0) continue;
      let row: {
        label?: unknown;
        contributor?: unknown;
        writer_id?: unknown;
        strokes?: unknown;
        mm?: unknown;
        category?: unknown;
      };
      try {
        row = JSON.parse(line) as typeof row;
      } catch (error) {
        throw new HcrError(
          'BAD_DATA',
          `${path}:${lineNo}: expected a JSON object, got ${line.slice(0, 40)}`,
          { cause: error },
        );
      }
      if (typeof row.label !== 'string' || !Array.isArray(row.strokes)) {
        throw new HcrError(
          'BAD_DATA',
          `${path}:${lineNo}: expected "label" (string) and "strokes" (array)`,
        );
      }
      const writer = `${String(row.contributor)}/${String(row.writer_id)}`;
      if (!parts.has(unipenWordsPart(writer))) continue;
      const strokes: Int16Array[] = [];
      let width = 0;
      for (const raw of row.strokes as number[][]) {
        const s = new Int16Array(raw.length - (raw.length % 2));
        let x = 0;
        let y = 0;
        for (let i = 0; i + 1 < raw.length; i += 2) {
          x = i === 0 ? raw[0]! : x + raw[i]!;
          y = i === 0 ? raw[1]! : y + raw[i + 1]!;
          s[i] = x;
          s[i + 1] = y;
          if (x > width) width = x;
        }
        if (s.length >= 2) strokes.push(s);
      }
      if (!usable(row.label, strokes)) continue;
      words.push({
        label: row.label,
        writer,
        category: String(row.category),
        strokes,
        mm: typeof row.mm === 'number' && row.mm > 0 ? row.mm : null,
        width,
      });
      if (options.limit !== undefined && words.length >= options.limit) break;
    }
    return words;
  })();
  return Promise.race([reading, missing]);
}

/** Millimetres of a segment whose file gave none: the median of those that did, measured. */
const DEFAULT_MM = 7;

/** A line of one writer's words, in millimetres, with the text it says. */
function compose(
  words: readonly UnipenWord[],
  rand: Random,
): { strokes: PenStroke[]; text: string } {
  const strokes: PenStroke[] = [];
  let x = 0;
  let drift = 0;
  const mmHeights = words.map((w) => w.mm ?? DEFAULT_MM);
  const lineMm = mmHeights.reduce((a, b) => a + b, 0) / words.length;
  words.forEach((word, k) => {
    const mmPerUnit = mmHeights[k]! / 256;
    // A space of a quarter to 0.6 of the line's height, and a baseline that wanders a little.
    if (k > 0) x += lineMm * (0.25 + 0.35 * rand());
    drift += lineMm * 0.06 * (rand() * 2 - 1);
    let right = x;
    for (const s of word.strokes) {
      const out = new Float32Array(s.length);
      for (let i = 0; i + 1 < s.length; i += 2) {
        out[i] = x + s[i]! * mmPerUnit;
        out[i + 1] = drift + s[i + 1]! * mmPerUnit;
        right = Math.max(right, out[i]!);
      }
      strokes.push(out);
    }
    x = right;
  });
  return { strokes, text: words.map((w) => w.label).join(' ') };
}

/** Options of {@link unipenWordsSource}. */
export interface UnipenWordsSourceOptions {
  readonly name: string;
  /** Extra items that compose 2-4 words of one writer per line. Default: 0. */
  readonly composed?: number;
  /** Seed that fixes each composed item's words. Default: 7. */
  readonly seed?: number;
  /** Render every item with one plain pen on clean paper (test sets). Default: false. */
  readonly plain?: boolean;
}

/**
 * A LineSource over loaded words: items `0..words.length-1` are the words themselves; the rest
 * are composed lines of one writer's words.
 *
 * @example
 * const train = unipenWordsSource(words, { name: 'unipen-words-train', composed: 30000 });
 */
export function unipenWordsSource(
  words: readonly UnipenWord[],
  options: UnipenWordsSourceOptions,
): LineSource {
  const composed = options.composed ?? 0;
  const seed = options.seed ?? 7;
  const byWriter = new Map<string, number[]>();
  words.forEach((w, i) => {
    if (w.label.length > 16 || w.label.includes(' ')) return;
    const list = byWriter.get(w.writer) ?? [];
    list.push(i);
    byWriter.set(w.writer, list);
  });
  const writers = [...byWriter.values()].filter((l) => l.length >= 2);
  const pick = (i: number): UnipenWord[] => {
    const rand = createRandom((seed * 1_000_003 + i) >>> 0);
    const list = writers[Math.floor(rand() * writers.length)]!;
    const n = 2 + Math.floor(rand() * 3);
    return Array.from({ length: n }, () => words[list[Math.floor(rand() * list.length)]!]!);
  };
  const size = words.length + (writers.length > 0 ? composed : 0);
  return {
    name: options.name,
    size,
    text(i: number): string {
      return i < words.length
        ? words[i]!.label
        : pick(i - words.length)
            .map((w) => w.label)
            .join(' ');
    },
    sample(i: number, rand: Random): LineSample {
      if (i < words.length) {
        const w = words[i]!;
        const mmPerUnit = (w.mm ?? DEFAULT_MM) / 256;
        const strokes = w.strokes.map((s) => Float32Array.from(s, (v) => v * mmPerUnit));
        return {
          image: renderPenLine(strokes, rand, { plain: options.plain ?? false }),
          text: w.label,
        };
      }
      const chosen = pick(i - words.length);
      const { strokes, text } = compose(chosen, rand);
      return { image: renderPenLine(strokes, rand, { plain: options.plain ?? false }), text };
    },
  };
}

/**
 * True when a line of `width` normalized columns has frames enough for CTC to write `text`.
 *
 * @example
 * fitsCtc(120, 'hello'); // true
 */
export function fitsCtc(width: number, text: string): boolean {
  const labels = encodeLineText(text);
  return labels !== null && lineFrames(width) >= minCtcFrames(labels);
}
