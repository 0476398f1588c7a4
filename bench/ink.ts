// Reading ink on the page (issue 23's targets), in Debian's Chromium with the shipped models:
//
// - latency: a 3-line drawing (UNIPEN words of the test writers when the data is there, else
//   scribbled words) is written as mouse strokes in line mode's writing area; after each pen-up
//   the page reads the whole drawing in the polyfill's Web Worker. Timed in the page, from the
//   pointerup event to the reading shown (the page's data-busy back to false): p50 and p99
//   (targets 150 and 400 ms), and the frames the page drew per second while it read (target 50);
// - accuracy (`--words N`): N words of the UNIPEN test writers (the writer split of
//   `hcr line evaluate`, never trained on; letters and digits, as the unipen-words-test set),
//   each written as mouse strokes on the cleared pad, its trajectory about a fifth of the pad
//   high (a word of ~100 CSS px in a ruled line of ~160), and read as the writer sees it:
//   characters right = 1 - edit distance / characters (target 90%), words read exactly, and the
//   time from the word's last pen-up to its reading.
//
//   npm run bench:ink -- [--rounds 3] [--words N] [--data-dir DIR] [--line-model DIR]
//                        [--model DIR] [--json]
//
// The strokes are real mouse input: each point is one Input.dispatchMouseEvent (what
// page.mouse sends), the events of a stroke sent without waiting for each one's answer, so a
// busy machine does not spend a tenth of a second a point (the page sees the same events in
// the same order, and reads the same). The figures are the machine's: a busy machine gives
// pessimistic ones.

import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { createRandom, shuffleInPlace } from '../src/core/random.js';
import { editDistance } from '../src/core/read/read.js';
import { loadUnipenWords, type UnipenWord } from '../src/node/data/lines/unipen-words.js';
import { BENCH_DATA_OPTIONS, defineOptions, parseBenchArgs } from './args.js';
import { percentile } from './lib.js';
import { clearPad, drawOnPad, openInkPage, padAspect, pageReading, settle } from './ink/page.js';
import { placeWords, scribbleLines, type PadStrokes } from './ink/strokes.js';

/** Issue 23's targets. */
export const INK_TARGETS = Object.freeze({
  p50Ms: 150,
  p99Ms: 400,
  framesPerSecond: 50,
  chars: 0.9,
});

/** Latency and smoothness figures of {@link measureLatency}. */
export interface LatencyFigures {
  readonly readings: number;
  readonly strokes: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** Animation frames drawn per second while the page was reading. */
  readonly framesPerSecond: number;
  /** Longest time between two frames while reading, in ms. */
  readonly longestFrameMs: number;
}

/**
 * Writes `drawing` `rounds` times, waiting for the reading after each pen-up, and times each
 * reading in the page.
 *
 * @example
 * const figures = await measureLatency(page, placeWords(words, aspect, 0.1, 0.2), 3);
 */
export async function measureLatency(
  page: Page,
  drawing: PadStrokes,
  rounds: number,
): Promise<LatencyFigures> {
  const latencies: number[] = [];
  let readingMs = 0;
  let frames = 0;
  let longestFrameMs = 0;
  for (let round = 0; round < rounds; round++) {
    await clearPad(page);
    await drawOnPad(page, drawing, () => settle(page));
    const {
      ups,
      done,
      frames: times,
    } = (await page.evaluate(`window.__ink`)) as {
      ups: number[];
      done: number[];
      frames: number[];
    };
    for (const up of ups) {
      const end = done.find((t) => t > up);
      if (end === undefined) continue;
      latencies.push(end - up);
      readingMs += end - up;
      const inside = times.filter((t) => t >= up && t <= end);
      frames += inside.length;
      // The gaps between frames while reading, including those that straddle its ends.
      const around = times.filter((t) => t >= up - 100 && t <= end + 100);
      for (let i = 1; i < around.length; i++) {
        if (around[i]! > up && around[i - 1]! < end) {
          longestFrameMs = Math.max(longestFrameMs, around[i]! - around[i - 1]!);
        }
      }
    }
  }
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    readings: latencies.length,
    strokes: drawing.length,
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
    maxMs: sorted.at(-1) ?? Number.NaN,
    framesPerSecond: readingMs > 0 ? frames / (readingMs / 1000) : Number.NaN,
    longestFrameMs,
  };
}

/** One word's reading in {@link readWordsOnPage}. */
export interface WordReading {
  readonly truth: string;
  /** What the page shows, its lines joined by newlines. */
  readonly read: string;
  /** Edit distance from the truth, case-sensitive, with the lines joined by spaces. */
  readonly errors: number;
  /** From the word's last pen-up to its reading shown, in the page (ms). */
  readonly ms: number;
}

/** Characters right over words written on the page. */
export interface WordFigures {
  readonly words: number;
  readonly characters: number;
  /** 1 - edit distance / characters of the truth, case-sensitive, floored at 0. */
  readonly charAccuracy: number;
  /** Words read exactly. */
  readonly wordAccuracy: number;
  /** Words the page read as more than one line. */
  readonly splitIntoLines: number;
  /** From the last pen-up to the reading: median and 99th percentile (ms). */
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly readings: readonly WordReading[];
}

/**
 * UNIPEN words of the test writers, letters and digits only (the unipen-words-test set's
 * filter), `count` of them drawn with a fixed seed.
 *
 * @example
 * const words = await testWriterWords(defaultDataDir(), 50);
 */
export async function testWriterWords(
  dataDir: string,
  count: number,
  seed = 2026,
): Promise<UnipenWord[]> {
  const words = (await loadUnipenWords(dataDir, { parts: ['test'] })).filter((w) =>
    /^[A-Za-z0-9]+$/.test(w.label),
  );
  shuffleInPlace(words, createRandom(seed));
  return words.slice(0, count);
}

/** The time from the last pen-up to the reading that followed it, in the page (ms). */
async function lastReadingMs(page: Page): Promise<number> {
  const { ups, done } = (await page.evaluate(`window.__ink`)) as { ups: number[]; done: number[] };
  const up = ups.at(-1);
  const end = up === undefined ? undefined : done.find((t) => t > up);
  return up === undefined || end === undefined ? Number.NaN : end - up;
}

/**
 * Writes each word on the cleared pad as mouse strokes, `height` of the pad high (a fifth: a
 * word about 100 CSS px high in the bench's 1280x900 window, in the middle ruled line) and
 * reads what the page shows once it has read every stroke.
 *
 * @example
 * const { charAccuracy } = await readWordsOnPage(page, words);
 */
export async function readWordsOnPage(
  page: Page,
  words: readonly UnipenWord[],
  onWord?: (reading: WordReading, index: number) => void,
  height = 0.22,
): Promise<WordFigures> {
  const aspect = await padAspect(page);
  const readings: WordReading[] = [];
  for (const [i, word] of words.entries()) {
    await clearPad(page);
    await drawOnPad(page, placeWords([word], aspect, 0.5 - height / 2, height));
    await settle(page);
    const read = await pageReading(page);
    const reading: WordReading = {
      truth: word.label,
      read,
      errors: editDistance(read.replace(/\n/g, ' '), word.label),
      ms: await lastReadingMs(page),
    };
    readings.push(reading);
    onWord?.(reading, i);
  }
  const characters = readings.reduce((n, r) => n + r.truth.length, 0);
  const errors = readings.reduce((n, r) => n + r.errors, 0);
  const times = readings
    .map((r) => r.ms)
    .filter((ms) => Number.isFinite(ms))
    .sort((a, b) => a - b);
  return {
    words: readings.length,
    characters,
    charAccuracy: Math.max(0, 1 - errors / Math.max(1, characters)),
    wordAccuracy: readings.filter((r) => r.errors === 0).length / Math.max(1, readings.length),
    splitIntoLines: readings.filter((r) => r.read.includes('\n')).length,
    p50Ms: percentile(times, 0.5),
    p99Ms: percentile(times, 0.99),
    readings,
  };
}

/** Three lines of two words each, one writer a line, from `words` (at least six). */
function threeLines(words: readonly UnipenWord[], aspect: number): PadStrokes {
  return [0, 1, 2].flatMap((l) =>
    placeWords(words.slice(2 * l, 2 * l + 2), aspect, 0.06 + 0.31 * l, 0.2),
  );
}

const ms = (x: number) => `${Math.round(x)} ms`;
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

/** bench:ink's options. */
export const INK_BENCH_OPTIONS = defineOptions({
  rounds: {
    flags: '--rounds <n>',
    description: 'times the 3-line drawing is written',
    parse: 'positive',
    default: 3,
  },
  words: {
    flags: '--words <n>',
    description: "UNIPEN test writers' words to write and read (0: no accuracy)",
    parse: 'non-negative',
    default: 0,
  },
  dataDir: BENCH_DATA_OPTIONS.dataDir,
  lineModel: { flags: '--line-model <dir>', description: 'line model directory' },
  model: { flags: '--model <dir>', description: 'character model directory' },
  chromium: { flags: '--chromium <path>', description: "Chromium's executable" },
  json: { flags: '--json', description: 'print the figures as JSON', default: false },
});

async function main(): Promise<void> {
  const values = parseBenchArgs(
    'bench:ink',
    "Reading ink on the page in Chromium: latency after each pen-up, and characters right on the UNIPEN test writers' words written with the mouse.",
    INK_BENCH_OPTIONS,
  );
  const { rounds, words: wordCount, dataDir } = values;
  const log = (line: string) => {
    if (!values.json) console.log(line);
  };

  let pool: UnipenWord[] = [];
  try {
    pool = await testWriterWords(dataDir, Math.max(6, wordCount) + 6);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    if (wordCount > 0) throw new Error(`--words ${wordCount} needs the UNIPEN words: ${reason}`);
    log(`No UNIPEN words in ${dataDir} (${reason}): scribbles are timed.`);
  }
  const ink = await openInkPage({
    ...(values.lineModel ? { lineModel: values.lineModel } : {}),
    ...(values.model ? { model: values.model } : {}),
    ...(values.chromium ? { chromium: values.chromium } : {}),
  });
  try {
    const aspect = await padAspect(ink.page);
    const drawing =
      pool.length >= 6 ? threeLines(pool.slice(-6), aspect) : scribbleLines(3, 2, aspect);
    const latency = await measureLatency(ink.page, drawing, rounds);
    log(
      `Reading after a pen-up, a 3-line drawing of ${latency.strokes} strokes (${pool.length >= 6 ? 'UNIPEN test writers' : 'scribbles'}), ${rounds} rounds, ${latency.readings} readings:`,
    );
    log(
      `  p50 ${ms(latency.p50Ms)} (target ≤ ${INK_TARGETS.p50Ms}), p99 ${ms(latency.p99Ms)} (target ≤ ${INK_TARGETS.p99Ms}), max ${ms(latency.maxMs)}`,
    );
    log(
      `  ${latency.framesPerSecond.toFixed(1)} frames/s while reading (target ≥ ${INK_TARGETS.framesPerSecond}), longest frame ${ms(latency.longestFrameMs)}`,
    );
    let words: WordFigures | undefined;
    if (wordCount > 0) {
      const box = (await ink.page.locator('#pad').boundingBox())!;
      log(
        `Words of the UNIPEN test writers, each written ${Math.round(0.22 * box.height)} px high on a ${Math.round(box.width)}x${Math.round(box.height)} px pad:`,
      );
      words = await readWordsOnPage(ink.page, pool.slice(0, wordCount), (r, i) =>
        log(
          `  ${String(i + 1).padStart(4)} ${r.errors === 0 ? ' ' : '✗'} ${r.truth} → ${r.read.replace(/\n/g, ' / ')}  ${ms(r.ms)}`,
        ),
      );
      log(
        `${words.words} words, ${words.characters} characters: ${pct(words.charAccuracy)} of characters right (target ${pct(INK_TARGETS.chars)}), ${pct(words.wordAccuracy)} of words; ${words.splitIntoLines} read as more than one line; reading after the last pen-up p50 ${ms(words.p50Ms)}, p99 ${ms(words.p99Ms)}`,
      );
    }
    if (values.json) {
      console.log(
        JSON.stringify(
          {
            latency,
            ...(words ? { words: { ...words, readings: undefined } } : {}),
            targets: INK_TARGETS,
          },
          null,
          2,
        ),
      );
    }
  } finally {
    await ink.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((error: unknown) => {
    console.error(`bench:ink: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
