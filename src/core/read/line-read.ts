// Reading an image with a line model (issue 21 §4, docs/DESIGN.md §8 "a line is read whole"): the
// lines are found as the glyph reader finds them (segment.ts), but not cut into characters;
// each is brought to the line convention (normalizeLine), read whole by an injected line
// recognizer (a tfjs model in Node or the page, a stub in tests), and decoded by CTC beam
// search with the line reader's language model and the user's charset, pattern and lexicon
// (ctc-decode.ts). Character boxes come from the alignment: each character owns the columns
// between the midpoints of its neighbours' frame spans, tightened to the line's ink there.
// The result has the glyph reader's shape (ReadResult), plus each line's words and confidence.

import { HcrError } from '../errors.js';
import { normalizeLine, LINE_MARGIN, type LineImage } from '../line/normalize-line.js';
import type { PixelBox } from '../pixels.js';
import type { GrayImage } from '../types.js';
import { ctcFramesFromLogits } from './ctc-align.js';
import type { CtcCharacter } from './ctc-align.js';
import { CTC_DECODE_DEFAULTS, ctcBeamSearch, ctcGreedy } from './ctc-decode.js';
import type { CtcDecodeOptions, CtcReading } from './ctc-decode.js';
import { resolveReadOptions } from './options.js';
import type { ReadOptions, ResolvedReadOptions } from './options.js';
import { matchLexicon, prepareReading } from './reading-constraints.js';
import type { PreparedReading } from './reading-constraints.js';
import { boxUnion, linesResult, pageFields, unreadResult } from './result.js';
import type {
  ChangeReason,
  ReadAlternative,
  ReadCharacter,
  ReadLine,
  ReadResult,
  ReadResultBase,
  ReadWord,
} from './result.js';
import { segmentLines } from './segment-lines.js';
import type { TextLine } from './segment-lines.js';

/**
 * The line model a line reader is given: its charset (class i is `charset[i - 1]`, class 0
 * CTC's blank), its frame stride, and a function from one normalized line to its logits,
 * `floor(line.width / frameStride)` frames of `charset.length + 1` classes, row-major.
 *
 * @example
 * const recognizer: LineRecognizer = {
 *   charset: LINE_CHARSET,
 *   frameStride: LINE_FRAME_STRIDE,
 *   recognize: (line) => runLineModel(model, line),
 * };
 */
export interface LineRecognizer {
  readonly charset: string;
  readonly frameStride: number;
  recognize(line: LineImage): Float32Array | Promise<Float32Array>;
}

/**
 * How much less likely (natural log) than the line's free reading its best reading that fits the
 * pattern may be and still count as the pattern's: 1000 times.
 */
export const PATTERN_MAX_COST = Math.log(1000);

/**
 * The narrowest line given to a line model, in columns: its pooling and its height-wide
 * convolution need a few frames; a narrower line is padded with background on the right and
 * its extra frames dropped.
 */
export const MIN_LINE_MODEL_WIDTH = 16;

/**
 * A normalized line as a line model's input: floats in [0, 1], `LINE_HEIGHT` rows of `width`
 * columns (the line padded to {@link MIN_LINE_MODEL_WIDTH}), and the frames of its own width to
 * keep from the output. Node and the page run the model on it alike.
 *
 * @example
 * const { input, width, frames } = lineModelInput(line, 4);
 * const logits = run(tf.tensor4d(input, [1, line.height, width, 1])).slice(0, frames * classes);
 */
export function lineModelInput(
  line: LineImage,
  frameStride: number,
): { input: Float32Array; width: number; frames: number } {
  const width = Math.max(line.width, MIN_LINE_MODEL_WIDTH);
  const input = new Float32Array(line.height * width);
  for (let y = 0; y < line.height; y++) {
    for (let x = 0; x < line.width; x++)
      input[y * width + x] = line.data[y * line.width + x]! / 255;
  }
  return { input, width, frames: Math.floor(line.width / frameStride) };
}

/** Most look-alikes listed per character: the other top classes at least this probable. */
const ALTERNATIVE_SHARE = 0.05;

/** A character's pixel box from the columns it owns, tightened to the line's ink there. */
function characterBox(line: TextLine, x0: number, x1: number): PixelBox {
  const { box, top, bottom } = line;
  const from = Math.max(box.x, Math.floor(x0));
  const to = Math.min(box.x + box.width - 1, Math.ceil(x1) - 1);
  let left = -1;
  let right = -1;
  let y0 = Infinity;
  let y1 = -Infinity;
  for (let x = from; x <= to; x++) {
    const k = x - box.x;
    if (top[k]! < 0) continue;
    if (left < 0) left = x;
    right = x;
    y0 = Math.min(y0, top[k]!);
    y1 = Math.max(y1, bottom[k]!);
  }
  if (left < 0) {
    return { x: from, y: box.y, width: Math.max(1, to - from + 1), height: box.height };
  }
  return { x: left, y: y0, width: right - left + 1, height: y1 - y0 + 1 };
}

/** Each character's box: the columns between its neighbours' span midpoints, in image pixels. */
function characterBoxes(
  characters: readonly CtcCharacter[],
  line: TextLine,
  normalized: LineImage,
  stride: number,
): PixelBox[] {
  const toImage = (column: number) =>
    line.box.x + normalized.box.x + (column - LINE_MARGIN) / normalized.scaleX;
  const centres = characters.map((c) => (stride * (c.firstFrame + c.lastFrame + 1)) / 2);
  return characters.map((_, i) => {
    const left = i === 0 ? 0 : (centres[i - 1]! + centres[i]!) / 2;
    const right =
      i === characters.length - 1 ? normalized.width : (centres[i]! + centres[i + 1]!) / 2;
    return characterBox(line, toImage(left), toImage(right));
  });
}

/** log P_lm of each character of `text` (spaces excluded) under the language model. */
function languageModelSteps(
  lm: NonNullable<CtcDecodeOptions['languageModel']>,
  text: string,
): number[] {
  const out: number[] = [];
  let state = lm.wordStart();
  for (const ch of text) {
    if (ch === ' ') {
      state = lm.wordStart();
      continue;
    }
    const next = lm.extend(state, ch);
    out.push(next.logProb);
    state = next.state;
  }
  return out;
}

/**
 * Decodes one line's frames under the options: the pattern first (read without it when no
 * reading fits), then the lexicon beside it, as the glyph reader does.
 */
function decodeLineFrames(
  frames: ReturnType<typeof ctcFramesFromLogits>,
  line: TextLine,
  normalized: LineImage,
  recognizer: LineRecognizer,
  options: ResolvedReadOptions,
  prepared: PreparedReading,
  lmWeight: number,
): ReadLine {
  const useLm = options.context && options.decoder === 'language-model';
  const lm = useLm ? options.languageModel?.line : undefined;
  const common: CtcDecodeOptions = {
    charset: recognizer.charset,
    beamWidth: options.beamWidth,
    alternatives: options.alternatives,
    top: options.top,
    ...(lm ? { languageModel: lm, lmWeight, insertionBonus: options.insertionBonus } : {}),
    ...(prepared.allowed ? { allowed: prepared.allowed } : {}),
  };
  const free = ctcBeamSearch(frames, common);
  let readings = free;
  let patternMatched: boolean | undefined;
  if (options.parsedPattern) {
    // A CTC reading can always drop characters to fit: a fit far less likely than the free
    // reading is no fit.
    const fitted = ctcBeamSearch(frames, { ...common, pattern: options.parsedPattern });
    patternMatched =
      fitted.length > 0 && fitted[0]!.ctcLogProb >= free[0]!.ctcLogProb - PATTERN_MAX_COST;
    if (patternMatched) readings = fitted;
  }
  const chosen = readings[0]!;
  const raw = ctcGreedy(frames, { charset: recognizer.charset, top: options.top });

  let shown: CtcReading = chosen;
  let lexicon: ReadLine['lexicon'];
  if (prepared.lexicon) {
    const { languageModel: _unused, ...withoutLm } = common;
    void _unused;
    const [match] = ctcBeamSearch(frames, {
      ...withoutLm,
      alternatives: 1,
      lexicon: prepared.lexicon,
    });
    const found =
      match?.entry !== undefined
        ? { entry: match.entry, score: match.ctcLogProb - chosen.ctcLogProb }
        : undefined;
    lexicon = matchLexicon(chosen.text, prepared.lexicon.entries, found);
    if (found) shown = match!;
  }

  const boxes = characterBoxes(shown.characters, line, normalized, recognizer.frameStride);
  const lmSteps = lm ? languageModelSteps(lm, shown.text) : undefined;
  const matched = shown !== chosen;
  const characters: ReadCharacter[] = shown.characters.map((c, k) => {
    const rawLabel = c.top[0]?.label ?? c.label;
    let changedBy: ChangeReason | undefined;
    if (c.label !== rawLabel) {
      if (matched) changedBy = 'lexicon';
      else if (prepared.allowed && !prepared.allowed.has(rawLabel)) changedBy = 'charset';
      else if (patternMatched) changedBy = 'pattern';
      else changedBy = 'language-model';
    }
    return {
      label: c.label,
      raw: rawLabel,
      box: boxes[k]!,
      top: c.top,
      spaceBefore: c.spaceBefore,
      ...(changedBy ? { changedBy } : {}),
      ...(lmSteps ? { languageModel: lmSteps[k]! } : {}),
      alternatives: c.top
        .filter((t) => t.label !== c.label && t.probability >= ALTERNATIVE_SHARE)
        .map((t) => t.label),
    };
  });
  const words: ReadWord[] = shown.words.map((w) => ({
    text: w.text,
    confidence: w.confidence,
    box: boxUnion(boxes.slice(w.start, w.end)),
  }));
  let alternatives: ReadAlternative[] | undefined;
  if (options.alternatives > 1) {
    alternatives = readings.map((r) => ({
      text: r.text,
      score: r.score,
      probability: r.probability,
    }));
  }
  return {
    text: lexicon ? lexicon.entry : shown.text,
    rawText: raw.text,
    box: characters.length > 0 ? boxUnion(boxes) : line.box,
    charHeight: line.charHeight,
    characters,
    ...(alternatives ? { alternatives } : {}),
    ...(lexicon ? { lexicon } : {}),
    ...(patternMatched !== undefined ? { patternMatched } : {}),
    words,
  };
}

/**
 * Reads the text in an image of one or more lines of handwriting with a line model: lines found
 * as the glyph reader finds them (slant-tolerant projection), each normalized whole
 * (normalizeLine) and read by `recognizer`, then decoded by CTC beam search with the line
 * reader's language model (`options.languageModel.line`) under the charset, pattern and
 * lexicon given. Each character keeps its box (from the alignment), its top classes and what
 * changed it; each line its words with their confidence. `context: false` (or the `rules`
 * decoder, which is the glyph reader's) decodes without the language model.
 *
 * A blank image gives status `blank` and empty text; ink without anything character-shaped
 * gives `no-characters` with a `message`. Neither is an error.
 *
 * @param options - see READ_DEFAULTS (`keepSpacing`, `contextScope`, `lookalikes`,
 *   `lookalikeShare`, `caseWeight` and `spaceGap` are the glyph reader's and are not used)
 * @throws HcrError BAD_IMAGE for an image over `maxPixels`; BAD_OPTION for a bad option,
 *   charset, pattern or lexicon (before any work on the image); BAD_MODEL when the recognizer
 *   returns the wrong number of logits
 * @example
 * const result = await readTextByLines(gray, recognizer, { languageModel: lm });
 * result.lines[0].words; // [{ text: 'Hello', confidence: 0.93, box }, ...]
 */
export async function readTextByLines(
  image: GrayImage,
  recognizer: LineRecognizer,
  options: ReadOptions = {},
): Promise<ReadResult> {
  const resolved = resolveReadOptions(options);
  // The glyph reader's default weight is not the line reader's.
  const lmWeight = options.lmWeight ?? CTC_DECODE_DEFAULTS.lmWeight;
  const classes = [...recognizer.charset];
  const prepared = prepareReading(resolved, classes);
  const segmentation = segmentLines(image, resolved);
  const useLm = resolved.context && resolved.decoder === 'language-model';
  const base: ReadResultBase = {
    ...pageFields(segmentation),
    candidates: 0,
    context: resolved.context,
    decoder: useLm && resolved.languageModel ? ('language-model' as const) : ('none' as const),
    reader: 'line' as const,
  };
  const empty = (status: 'blank' | 'no-characters'): ReadResult =>
    unreadResult(base, status, segmentation, resolved);
  if (segmentation.status !== 'ok') return empty(segmentation.status);
  const C = recognizer.charset.length + 1;
  const lines: ReadLine[] = [];
  for (const line of segmentation.lines) {
    const normalized = normalizeLine(line.image, { inkIsBright: true });
    if (normalized.empty) continue;
    const T = Math.floor(normalized.width / recognizer.frameStride);
    const logits = await recognizer.recognize(normalized);
    if (logits.length !== T * C) {
      throw new HcrError(
        'BAD_MODEL',
        `read: expected ${T} frames x ${C} classes = ${T * C} logits from the line model for a ` +
          `line ${normalized.width} columns wide, got ${logits.length}`,
      );
    }
    const frames = ctcFramesFromLogits(logits, T, C);
    lines.push(
      decodeLineFrames(frames, line, normalized, recognizer, resolved, prepared, lmWeight),
    );
  }
  if (lines.length === 0) return empty('no-characters');
  return linesResult(base, lines);
}
