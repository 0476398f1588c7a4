// What a reader returns, whichever read the lines (the glyph reader, read.ts, or the line reader,
// line-read.ts): the result, its lines, words and characters, and the helpers both readers build
// it with.

import type { PixelBox } from '../pixels.js';
import type { LineGuides } from './case.js';
import type { CharacterKind } from './context.js';
import type { Decoder, ResolvedReadOptions } from './options.js';
import type { PageSegmentation } from './page-lines.js';

/** A class and its probability. */
export interface RankedClass {
  readonly label: string;
  readonly probability: number;
}

/** One character read. */
export interface ReadCharacter {
  /** The label chosen (after the line context, when it is on). */
  readonly label: string;
  /** The classifier's own best label. */
  readonly raw: string;
  /** Where the character's ink is, in image pixels. */
  readonly box: PixelBox;
  /** The classifier's top-k classes, best first (never changed by the context). */
  readonly top: readonly RankedClass[];
  /** True when a space precedes this character. */
  readonly spaceBefore: boolean;
  /** Set when the label is not the classifier's: the kind of the label chosen. */
  readonly context?: CharacterKind;
  /** Set when the label is not the classifier's: what decided it. */
  readonly changedBy?: ChangeReason;
  /**
   * What the language model said of the label here: log P(label | the word so far), natural
   * log (0 is certain; about -3.3 is a uniform guess among 26 letters). Absent without it.
   */
  readonly languageModel?: number;
  /** Look-alikes the label could also be (the classifier's label when the context changed it). */
  readonly alternatives: readonly string[];
}

/** What replaced the classifier's own label of a character. */
export type ChangeReason = 'language-model' | 'case' | 'rules' | 'charset' | 'pattern' | 'lexicon';

/** One of a line's N best readings. */
export interface ReadAlternative {
  readonly text: string;
  /** Its score: log-probability of the classifier plus the weighted language-model gain. */
  readonly score: number;
  /** Its share among the N best (their scores' softmax). */
  readonly probability: number;
}

/** The lexicon entry a line was read as. */
export interface LexiconMatch {
  /** The entry: the line's text. */
  readonly entry: string;
  /** What the line reads without the lexicon. */
  readonly reading: string;
  /**
   * How much less likely the image makes the entry than its best reading, in log-probability
   * (0: the image reads exactly the entry). Absent when no way of cutting the line spells an
   * entry and the entry nearest in spelling was taken.
   */
  readonly score?: number;
  /** Edit distance between the reading and the entry (spaces and case ignored). */
  readonly distance: number;
}

/** One line read. */
export interface ReadLine {
  /** The line's text, spaces included. */
  readonly text: string;
  /** The text without the context (the classifier's best labels). */
  readonly rawText: string;
  /** The box around the line's characters. */
  readonly box: PixelBox;
  /** The (upper) median height of the line's characters in pixels: the unit of the space gap. */
  readonly charHeight: number;
  readonly characters: readonly ReadCharacter[];
  /** The N best readings, best first, when more than one was asked for. */
  readonly alternatives?: readonly ReadAlternative[];
  /** With a lexicon: the entry read, and the reading beside it. */
  readonly lexicon?: LexiconMatch;
  /** With a pattern: whether a reading fits it (false: the line is read without it). */
  readonly patternMatched?: boolean;
  /**
   * The line's baseline, x-height and cap height, when the classifier has both cases and the
   * line could be measured: what decided the case of its letters (case.ts).
   */
  readonly guides?: LineGuides;
  /** The line's words with how sure the reader is of each (the line reader gives them). */
  readonly words?: readonly ReadWord[];
}

/** One word of a line read by the line reader. */
export interface ReadWord {
  readonly text: string;
  /** How sure the line model is of it, 0-1 (the geometric mean of its characters' probabilities). */
  readonly confidence: number;
  /** Where it is, in image pixels. */
  readonly box: PixelBox;
}

/** What {@link readText} found. */
export interface ReadResult {
  /** `blank`: no ink at all (empty text); `no-characters`: ink, but nothing character-shaped. */
  readonly status: 'ok' | 'blank' | 'no-characters';
  /** The lines' texts joined by newlines; empty unless `status` is `ok`. */
  readonly text: string;
  /** The same without the context. */
  readonly rawText: string;
  /** A sentence for people when `status` is not `ok`. */
  readonly message?: string;
  readonly lines: readonly ReadLine[];
  readonly width: number;
  readonly height: number;
  /** True when the image was dark ink on light paper. */
  readonly inverted: boolean;
  /** Slant of the lines, in degrees. */
  readonly slant: number;
  /** Components dropped as specks, rules or noise. */
  readonly specks: number;
  /** How many candidate characters were classified. */
  readonly candidates: number;
  /** Whether the line context was applied. */
  readonly context: boolean;
  /** How the lines were decoded: `none` when the context is off. */
  readonly decoder: Decoder | 'none';
  /**
   * What read the lines: `line`, a line model reading each line whole (line-read.ts), or
   * `glyphs`, the classifier reading the candidate characters cut from them. Absent: glyphs.
   */
  readonly reader?: 'line' | 'glyphs';
}

/** What a result says of its page and its reader, besides the lines read. */
export type ReadResultBase = Omit<ReadResult, 'status' | 'text' | 'rawText' | 'message' | 'lines'>;

/**
 * What a result repeats of its page's segmentation: size, polarity, slant and specks.
 *
 * @example
 * const base = { ...pageFields(segmentation), candidates: 0, context: true, decoder: 'none' };
 */
export function pageFields(
  segmentation: PageSegmentation,
): Pick<ReadResult, 'width' | 'height' | 'inverted' | 'slant' | 'specks'> {
  const { width, height, inverted, slant, specks } = segmentation;
  return { width, height, inverted, slant, specks };
}

/**
 * The result of a page whose segmentation found nothing to read: empty text, and for
 * `no-characters` a message saying why.
 *
 * @example
 * unreadResult(base, 'no-characters', segmentation, options).message; // 'no character-like components: ...'
 */
export function unreadResult(
  base: ReadResultBase,
  status: 'blank' | 'no-characters',
  segmentation: PageSegmentation,
  options: ResolvedReadOptions,
): ReadResult {
  return {
    ...base,
    status,
    text: '',
    rawText: '',
    lines: [],
    ...(status === 'no-characters'
      ? {
          message:
            `no character-like components: ${segmentation.specks} piece(s) of ink, ` +
            `all too small or thin for a character (at least ${options.minCharHeight} px tall)`,
        }
      : {}),
  };
}

/**
 * The result of a page whose lines were read: their texts joined by newlines.
 *
 * @example
 * linesResult(base, lines).text; // 'AB 12\nCD'
 */
export function linesResult(base: ReadResultBase, lines: readonly ReadLine[]): ReadResult {
  return {
    ...base,
    status: 'ok',
    text: lines.map((l) => l.text).join('\n'),
    rawText: lines.map((l) => l.rawText).join('\n'),
    lines,
  };
}

/**
 * The smallest box holding every box (an empty box for none).
 *
 * @example
 * boxUnion([{ x: 0, y: 0, width: 2, height: 2 }, { x: 4, y: 1, width: 1, height: 1 }]); // 0,0 5x2
 */
export function boxUnion(boxes: readonly PixelBox[]): PixelBox {
  if (boxes.length === 0) return { x: 0, y: 0, width: 0, height: 0 };
  const x0 = Math.min(...boxes.map((b) => b.x));
  const y0 = Math.min(...boxes.map((b) => b.y));
  const x1 = Math.max(...boxes.map((b) => b.x + b.width));
  const y1 = Math.max(...boxes.map((b) => b.y + b.height));
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}
