// How the polyfill reads a drawing (docs/DESIGN.md §8, "Ink is the native input"), without the
// models themselves, so it runs in the worker and in Node's tests alike:
//   text:          lines of the drawing (core's groupStrokesIntoLines) -> each line rendered at
//                  the line model's scale (renderInk) -> normalizeLine -> the line model ->
//                  CTC decoding with the language model (textContext primes its first word)
//                  and the N best -> each character's frames mapped back to ink x, and every
//                  point of the line given to the character nearest it (the segmentation);
//   per-character: each line's strokes grouped by horizontal overlap, one character a group,
//                  read by the glyph model (normalizeToMnist), the N best by swapping the least
//                  sure characters for their runners-up.

import { groupStrokesIntoLines } from '../../core/ink/lines.js';
import { renderInk } from '../../core/ink/render.js';
import type { InkStroke } from '../../core/ink/types.js';
import { LINE_FRAME_STRIDE } from '../../core/line/architectures.js';
import { LINE_CHARSET } from '../../core/line/charset.js';
import { LINE_MARGIN, normalizeLine, type LineImage } from '../../core/line/normalize-line.js';
import { normalizeToMnist } from '../../core/normalize.js';
import { ctcFramesFromLogits, type CtcFrames } from '../../core/read/ctc-align.js';
import {
  ctcBeamSearch,
  ctcGreedy,
  type CharacterLanguageModel,
  type CtcDecodeOptions,
  type CtcReading,
} from '../../core/read/ctc-decode.js';
import { IMAGE_PIXELS } from '../../core/types.js';
import type {
  HandwritingDrawingSegment,
  HandwritingPrediction,
  HandwritingSegment,
} from './types.js';

/** Pen width for a glyph, at renderInk's 64 px: about MNIST's stroke once scaled to 20 px. */
const GLYPH_PEN = 8;
/** A gap wider than this share of a character's height is a space, in per-character mode. */
const SPACE_GAP = 0.7;

/** What a line model says about a normalized line: per-frame logits, blank first. */
export interface LineLogits {
  readonly logits: Float32Array;
  readonly frames: number;
  readonly classes: number;
}

/** A glyph model: probabilities of `count` 28x28 images given back to back. */
export interface GlyphClassifier {
  readonly classes: readonly string[];
  classify(pixels: Uint8Array, count: number): Promise<Float32Array>;
}

/** The models a reading uses. */
export interface InkModels {
  /** Runs the line model on one normalized line. */
  runLine(line: LineImage): Promise<LineLogits>;
  /** The line model's characters (class i is charset[i - 1]). Default: LINE_CHARSET. */
  readonly charset?: string;
  readonly languageModel?: CharacterLanguageModel;
  /** The glyph model, for per-character reading (loaded on first use). */
  glyphs?(): Promise<GlyphClassifier>;
  /** The CTC decoder. Default: core's ctcBeamSearch. */
  decode?(frames: CtcFrames, options: CtcDecodeOptions): CtcReading[];
  /**
   * Readings of lines already read, by their ink and hints: after a pen-up only the line written
   * on is read again (see {@link lineReadingCache}). Default: none, every line is read.
   */
  readonly lineReadings?: Map<string, LineReading[]>;
}

/** The hints a reading follows, resolved. */
export interface InkReadHints {
  readonly recognitionType: 'text' | 'per-character';
  /** Text before the drawing; its last unfinished word primes the language model. */
  readonly textContext: string;
  /** Most predictions, at least 1. */
  readonly alternatives: number;
}

/** One grapheme of a line's reading, and where its ink is. */
interface LineGrapheme {
  readonly grapheme: string;
  /** Offset in the line's text. */
  readonly index: number;
  /** Ink x of its middle (text mode), or the strokes it was read from (per-character mode). */
  readonly x?: number;
  readonly strokes?: readonly number[];
}

/** One reading of a line: its text, score and graphemes. */
export interface LineReading {
  readonly text: string;
  readonly logScore: number;
  readonly graphemes: readonly LineGrapheme[];
}

/**
 * The language model with its first word started by the unfinished word that ends
 * `textContext` ("hel" before a drawing of "lo"). The beam search asks for the start of a word
 * once for the line's start and again after each space, so only the first call is primed; a
 * wrapper serves one decoding.
 */
export function primeLanguageModel(
  lm: CharacterLanguageModel,
  textContext: string,
): CharacterLanguageModel {
  const tail = /(\S+)$/.exec(textContext)?.[1];
  if (!tail) return lm;
  let primed = lm.wordStart();
  for (const ch of tail.slice(-16)) primed = lm.extend(primed, ch).state;
  let first = true;
  return {
    wordStart: () => {
      if (!first) return lm.wordStart();
      first = false;
      return primed;
    },
    extend: (state, ch) => lm.extend(state, ch),
    end: (state) => lm.end(state),
  };
}

/**
 * Reads a drawing into at most `hints.alternatives` predictions, best first; none for a
 * drawing without ink.
 *
 * @example
 * const [best] = await readInk(strokes, { recognitionType: 'text', textContext: '', alternatives: 3 }, models);
 * best.text; // 'hello'
 */
export async function readInk(
  strokes: readonly InkStroke[],
  hints: InkReadHints,
  models: InkModels,
): Promise<HandwritingPrediction[]> {
  const lines = groupStrokesIntoLines(strokes);
  const n = Math.max(1, hints.alternatives);
  const perLine: LineReading[][] = [];
  const lineStrokes: number[][] = [];
  for (const [l, indices] of lines.entries()) {
    const readings =
      hints.recognitionType === 'per-character'
        ? await readCharacters(strokes, indices, n, models)
        : await readLine(
            { strokes, indices, alternatives: n, textContext: l === 0 ? hints.textContext : '' },
            models,
          );
    if (readings.length === 0) continue;
    perLine.push(readings);
    lineStrokes.push(indices);
  }
  if (perLine.length === 0) return [];
  return combineLines(perLine, n).map((choice) =>
    prediction(
      strokes,
      choice.map((k, l) => perLine[l]![k]!),
      lineStrokes,
    ),
  );
}

/** One line of a drawing to read. */
interface LineToRead {
  /** The drawing's strokes. */
  readonly strokes: readonly InkStroke[];
  /** The line's strokes among them. */
  readonly indices: readonly number[];
  /** Readings asked for. */
  readonly alternatives: number;
  /** The text before the line, for the language model. */
  readonly textContext: string;
}

async function readLine(task: LineToRead, models: InkModels): Promise<LineReading[]> {
  const cache = models.lineReadings;
  const key = cache && lineKey(task);
  const known = key === undefined ? undefined : cache?.get(key);
  if (known) {
    // Most recently used last, so the oldest is the first to go.
    cache!.delete(key!);
    cache!.set(key!, known);
    return known;
  }
  const readings = await readLineAfresh(task, models);
  if (cache && key !== undefined) {
    cache.set(key, readings);
    while (cache.size > LINE_READINGS_KEPT) cache.delete(cache.keys().next().value!);
  }
  return readings;
}

/** Most line readings a {@link lineReadingCache} keeps. */
const LINE_READINGS_KEPT = 64;

/** A cache of line readings for {@link InkModels.lineReadings}. */
export function lineReadingCache(): Map<string, LineReading[]> {
  return new Map();
}

/** What a line's reading depends on: its points, the alternatives and the context. */
function lineKey({ strokes, indices, alternatives, textContext }: LineToRead): string {
  const ink = indices.map((i) => strokes[i]!.map((p) => `${p.x},${p.y}`).join(' ')).join(';');
  return `${alternatives}\u0000${textContext}\u0000${ink}`;
}

async function readLineAfresh(
  { strokes, indices, alternatives, textContext }: LineToRead,
  models: InkModels,
): Promise<LineReading[]> {
  const rendered = renderInk(indices.map((i) => strokes[i]!));
  const line = normalizeLine(rendered, { inkIsBright: true });
  if (line.empty) return [];
  const { logits, frames, classes } = await models.runLine(line);
  if (frames === 0) return [];
  const ctc = ctcFramesFromLogits(logits, frames, classes);
  const charset = models.charset ?? LINE_CHARSET;
  const decode = models.decode ?? ctcBeamSearch;
  let readings = decode(ctc, {
    charset,
    alternatives,
    ...(models.languageModel
      ? { languageModel: primeLanguageModel(models.languageModel, textContext) }
      : {}),
  });
  if (readings.length === 0) readings = [ctcGreedy(ctc, { charset })];
  const inkX = (frame: number): number => {
    const column = (frame + 0.5) * LINE_FRAME_STRIDE;
    const x = line.box.x + (column - LINE_MARGIN) / line.scaleX;
    return (x - rendered.offset) / rendered.scale + rendered.originX;
  };
  return readings
    .filter((r) => r.text.length > 0)
    .map((r) => {
      const graphemes: LineGrapheme[] = [];
      let k = 0;
      for (let i = 0; i < r.text.length; i++) {
        if (r.text[i] === ' ') continue;
        const c = r.characters[k++];
        graphemes.push({
          grapheme: r.text[i]!,
          index: i,
          ...(c ? { x: inkX((c.firstFrame + c.lastFrame) / 2) } : {}),
        });
      }
      return { text: r.text, logScore: r.score, graphemes };
    });
}

/** The strokes of one line grouped into characters by horizontal overlap, left to right. */
function characterGroups(strokes: readonly InkStroke[], indices: readonly number[]): number[][] {
  const spans = indices
    .map((i) => {
      let left = Infinity;
      let right = -Infinity;
      for (const p of strokes[i]!) {
        left = Math.min(left, p.x);
        right = Math.max(right, p.x);
      }
      return { i, left, right };
    })
    .filter((s) => s.left <= s.right)
    .sort((a, b) => a.left - b.left);
  const groups: { right: number; strokes: number[] }[] = [];
  for (const s of spans) {
    const last = groups.at(-1);
    if (last && s.left <= last.right) {
      last.strokes.push(s.i);
      last.right = Math.max(last.right, s.right);
    } else groups.push({ right: s.right, strokes: [s.i] });
  }
  return groups.map((g) => g.strokes.sort((a, b) => a - b));
}

async function readCharacters(
  strokes: readonly InkStroke[],
  indices: readonly number[],
  alternatives: number,
  models: InkModels,
): Promise<LineReading[]> {
  if (!models.glyphs) throw new Error('per-character reading needs a glyph model');
  const glyphs = await models.glyphs();
  const groups = characterGroups(strokes, indices);
  const pixels = new Uint8Array(groups.length * IMAGE_PIXELS);
  const kept: { strokes: number[]; left: number; right: number; height: number }[] = [];
  for (const group of groups) {
    const ink = group.map((i) => strokes[i]!);
    const normalized = normalizeToMnist(renderInk(ink, { penWidth: GLYPH_PEN }), {
      polarity: 'light-on-dark',
    });
    if (normalized.empty) continue;
    pixels.set(normalized.pixels, kept.length * IMAGE_PIXELS);
    let left = Infinity;
    let right = -Infinity;
    let top = Infinity;
    let bottom = -Infinity;
    for (const stroke of ink) {
      for (const p of stroke) {
        left = Math.min(left, p.x);
        right = Math.max(right, p.x);
        top = Math.min(top, p.y);
        bottom = Math.max(bottom, p.y);
      }
    }
    kept.push({ strokes: group, left, right, height: bottom - top });
  }
  if (kept.length === 0) return [];
  const count = kept.length;
  const probs = await glyphs.classify(pixels.subarray(0, count * IMAGE_PIXELS), count);
  const classes = glyphs.classes.length;
  const ranked = kept.map((_, g) =>
    Array.from({ length: classes }, (_, c) => c)
      .sort((a, b) => probs[g * classes + b]! - probs[g * classes + a]!)
      .slice(0, 3),
  );
  const heights = kept.map((k) => k.height).sort((a, b) => a - b);
  const typical = Math.max(heights[heights.length >> 1]!, 1e-9);
  // The best reading, and readings that swap one character for its second or third choice.
  const choices: number[][] = [kept.map(() => 0)];
  for (let g = 0; g < count; g++) {
    for (let r = 1; r < ranked[g]!.length; r++) {
      choices.push(kept.map((_, h) => (h === g ? r : 0)));
    }
  }
  const readings = choices.map((choice) => {
    let text = '';
    let logScore = 0;
    const graphemes: LineGrapheme[] = [];
    choice.forEach((r, g) => {
      if (g > 0 && kept[g]!.left - kept[g - 1]!.right > SPACE_GAP * typical) text += ' ';
      const c = ranked[g]![r]!;
      logScore += Math.log(Math.max(probs[g * classes + c]!, 1e-12));
      graphemes.push({
        grapheme: glyphs.classes[c]!,
        index: text.length,
        strokes: kept[g]!.strokes,
      });
      text += glyphs.classes[c]!;
    });
    return { text, logScore, graphemes };
  });
  return readings.sort((a, b) => b.logScore - a.logScore).slice(0, alternatives);
}

/**
 * The `n` best choices of one reading per line (indices into each line's readings): the best
 * of every line, then one line at a time swapped for one of its alternatives, by total score.
 */
function combineLines(perLine: readonly LineReading[][], n: number): number[][] {
  const best = perLine.map(() => 0);
  const scored: { choice: number[]; score: number }[] = [];
  const total = (choice: number[]): number =>
    choice.reduce((sum, k, l) => sum + perLine[l]![k]!.logScore, 0);
  scored.push({ choice: best, score: total(best) });
  perLine.forEach((readings, l) => {
    for (let k = 1; k < readings.length; k++) {
      const choice = best.map((b, m) => (m === l ? k : b));
      scored.push({ choice, score: total(choice) });
    }
  });
  const [first, ...rest] = scored;
  return [first!, ...rest.sort((a, b) => b.score - a.score)].slice(0, n).map((s) => s.choice);
}

/** One prediction: the lines' texts joined by newlines, and each grapheme's ink. */
function prediction(
  strokes: readonly InkStroke[],
  lines: readonly LineReading[],
  lineStrokes: readonly number[][],
): HandwritingPrediction {
  let text = '';
  const segmentationResult: HandwritingSegment[] = [];
  lines.forEach((line, l) => {
    if (l > 0) text += '\n';
    const offset = text.length;
    text += line.text;
    const segments = segmentLine(strokes, lineStrokes[l]!, line.graphemes);
    line.graphemes.forEach((g, i) => {
      segmentationResult.push({
        grapheme: g.grapheme,
        beginIndex: offset + g.index,
        endIndex: offset + g.index + g.grapheme.length,
        drawingSegments: segments[i]!,
      });
    });
  });
  return { text, segmentationResult };
}

/**
 * The ink of each grapheme of a line: whole strokes when the reading knows them, else each
 * point given to the grapheme whose middle is nearest in x, as runs of consecutive points.
 */
export function segmentLine(
  strokes: readonly InkStroke[],
  indices: readonly number[],
  graphemes: readonly { readonly x?: number; readonly strokes?: readonly number[] }[],
): HandwritingDrawingSegment[][] {
  const out: HandwritingDrawingSegment[][] = graphemes.map(() => []);
  if (graphemes.every((g) => g.strokes)) {
    graphemes.forEach((g, i) => {
      for (const s of g.strokes!) {
        out[i]!.push({ strokeIndex: s, beginPointIndex: 0, endPointIndex: strokes[s]!.length });
      }
    });
    return out;
  }
  const placed = graphemes
    .map((g, i) => ({ i, x: g.x }))
    .filter((g): g is { i: number; x: number } => g.x !== undefined);
  if (placed.length === 0) return out;
  for (const s of indices) {
    const stroke = strokes[s]!;
    let owner = -1;
    let begin = 0;
    for (let p = 0; p <= stroke.length; p++) {
      let nearest = -1;
      if (p < stroke.length) {
        let distance = Infinity;
        for (const g of placed) {
          const d = Math.abs(stroke[p]!.x - g.x);
          if (d < distance) {
            distance = d;
            nearest = g.i;
          }
        }
      }
      if (nearest !== owner) {
        if (owner >= 0)
          out[owner]!.push({ strokeIndex: s, beginPointIndex: begin, endPointIndex: p });
        owner = nearest;
        begin = p;
      }
    }
  }
  return out;
}
