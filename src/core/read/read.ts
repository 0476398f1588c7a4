// Reading an image of one or more lines of handwriting: segment it into candidate characters
// (segment.ts), classify every candidate in one batch with an injected classifier (a model in
// Node, tfjs in the browser, a stub in tests), keep per line the way of covering it with
// characters that the classifier is surest of, mark spaces at wide gaps, and settle
// look-alikes by their neighbours (context.ts).

import { HcrError } from '../errors.js';
import type { PixelBox } from '../normalize.js';
import type { GrayImage } from '../types.js';
import { applyLineContext, lookalikePartners } from './context.js';
import type { CharacterKind, ContextDecision } from './context.js';
import { resolveReadOptions } from './options.js';
import type { ReadOptions, ResolvedReadOptions } from './options.js';
import { segmentImage, upperMedian } from './segment.js';
import type { Segmentation } from './segment.js';

/**
 * The classifier a reader is given: its class names, and a function from `count` 28x28 images
 * (MNIST convention, 784 bytes each, back to back) to `count` rows of class probabilities.
 *
 * @example
 * const classifier: Classifier = {
 *   classes: labelSet.classes,
 *   classify: (images, count) => predictProbabilities(model, images, count),
 * };
 */
export interface Classifier {
  readonly classes: readonly string[];
  classify(images: Uint8Array, count: number): Float32Array | Promise<Float32Array>;
}

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
  /** Set when the context replaced the classifier's label: the kind of run it sits in. */
  readonly context?: CharacterKind;
  /** Look-alikes the label could also be (the classifier's label when the context changed it). */
  readonly alternatives: readonly string[];
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
}

/** Added to the score of each character, so that a confident split beats a doubtful whole. */
const CHARACTER_BONUS = 0.1;

function boxUnion(boxes: readonly PixelBox[]): PixelBox {
  if (boxes.length === 0) return { x: 0, y: 0, width: 0, height: 0 };
  const x0 = Math.min(...boxes.map((b) => b.x));
  const y0 = Math.min(...boxes.map((b) => b.y));
  const x1 = Math.max(...boxes.map((b) => b.x + b.width));
  const y1 = Math.max(...boxes.map((b) => b.y + b.height));
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

/**
 * The second half of reading, given the segmentation and the classifier's probabilities for
 * its candidates: per line the cover of its atoms by candidates with the highest total score
 * (log probability of the best class, plus a small bonus per character, minus shape
 * penalties), spaces at gaps of `spaceGap` character heights, then the line context.
 *
 * @param probs - `segmentation.candidates.length` rows of `classes.length` probabilities
 * @throws HcrError BAD_MODEL when `probs` does not have one row per candidate
 * @example
 * const seg = segmentImage(image, options);
 * const result = chooseCharacters(seg, await classify(seg.images, seg.candidates.length), classes, options);
 */
export function chooseCharacters(
  segmentation: Segmentation,
  probs: Float32Array,
  classes: readonly string[],
  options: ResolvedReadOptions,
): ReadResult {
  const numClasses = classes.length;
  const count = segmentation.candidates.length;
  if (numClasses === 0 || probs.length !== count * numClasses) {
    throw new HcrError(
      'BAD_MODEL',
      `read: expected ${count} x ${numClasses} probabilities from the classifier, got ${probs.length}`,
    );
  }
  const base = {
    width: segmentation.width,
    height: segmentation.height,
    inverted: segmentation.inverted,
    slant: segmentation.slant,
    specks: segmentation.specks,
    candidates: count,
    context: options.context,
  };
  if (segmentation.status !== 'ok') {
    return {
      ...base,
      status: segmentation.status,
      text: '',
      rawText: '',
      lines: [],
      ...(segmentation.status === 'no-characters'
        ? {
            message:
              `no character-like components: ${segmentation.specks} piece(s) of ink, ` +
              `all too small or thin for a character (at least ${options.minCharHeight} px tall)`,
          }
        : {}),
    };
  }
  const best = (row: number): { index: number; probability: number } => {
    let index = 0;
    for (let c = 1; c < numClasses; c++) {
      if (probs[row * numClasses + c]! > probs[row * numClasses + index]!) index = c;
    }
    return { index, probability: probs[row * numClasses + index]! };
  };
  const rank = (row: number): RankedClass[] => {
    const order = Array.from({ length: numClasses }, (_, c) => c).sort(
      (a, b) => probs[row * numClasses + b]! - probs[row * numClasses + a]!,
    );
    return order.slice(0, options.top).map((c) => ({
      label: classes[c]!,
      probability: probs[row * numClasses + c]!,
    }));
  };
  const partners = lookalikePartners(options.lookalikes, classes);
  const lines: ReadLine[] = [];
  for (const line of segmentation.lines) {
    const n = line.atoms.length;
    const score = new Float64Array(n + 1).fill(-Infinity);
    const choice = new Int32Array(n + 1).fill(-1);
    score[0] = 0;
    const byFirst = [...line.candidates].sort(
      (a, b) => segmentation.candidates[a]!.first - segmentation.candidates[b]!.first,
    );
    for (const index of byFirst) {
      const c = segmentation.candidates[index]!;
      if (score[c.first] === -Infinity) continue;
      const s =
        score[c.first]! +
        Math.log(Math.max(best(c.row).probability, 1e-9)) +
        CHARACTER_BONUS -
        c.penalty;
      if (s > score[c.last + 1]!) {
        score[c.last + 1] = s;
        choice[c.last + 1] = index;
      }
    }
    const chosen: number[] = [];
    for (let end = n; end > 0;) {
      const index = choice[end]!;
      chosen.unshift(index);
      end = segmentation.candidates[index]!.first;
    }
    // Spaces are measured in the height of the characters chosen (broken pieces joined).
    const charHeight = upperMedian(chosen.map((i) => segmentation.candidates[i]!.box.height));
    let right = -Infinity;
    const raw = chosen.map((index, k) => {
      const c = segmentation.candidates[index]!;
      const spaceBefore = k > 0 && c.box.x - right - 1 >= options.spaceGap * charHeight;
      right = Math.max(right, c.box.x + c.box.width - 1);
      const top = best(c.row);
      const probabilities: Record<string, number> = {};
      classes.forEach((label, i) => {
        probabilities[label] = probs[c.row * numClasses + i]!;
      });
      return { c, spaceBefore, label: classes[top.index]!, probabilities };
    });
    const decisions: ContextDecision[] = options.context
      ? applyLineContext(raw, partners, { scope: options.contextScope })
      : raw.map((r) => ({ label: r.label, alternatives: [...(partners.get(r.label) ?? [])] }));
    const characters: ReadCharacter[] = raw.map((r, k) => {
      const d = decisions[k]!;
      return {
        label: d.label,
        raw: r.label,
        box: r.c.box,
        top: rank(r.c.row),
        spaceBefore: r.spaceBefore,
        ...(d.context ? { context: d.context } : {}),
        alternatives: d.alternatives,
      };
    });
    const join = (pick: (c: ReadCharacter) => string) =>
      characters.map((c) => (c.spaceBefore ? ' ' : '') + pick(c)).join('');
    lines.push({
      text: join((c) => c.label),
      rawText: join((c) => c.raw),
      box: boxUnion(characters.map((c) => c.box)),
      charHeight,
      characters,
    });
  }
  return {
    ...base,
    status: 'ok',
    text: lines.map((l) => l.text).join('\n'),
    rawText: lines.map((l) => l.rawText).join('\n'),
    lines,
  };
}

/**
 * Reads the text in an image of one or more lines of handwritten characters: lines by a
 * slant-tolerant horizontal projection, characters by connected components (broken strokes
 * joined, touching characters cut where the classifier is surest), specks dropped, spaces at
 * wide gaps; every candidate is normalized with the shared MNIST convention and classified in
 * one batch by `classifier`; look-alikes (O/0, I/1, S/5, Z/2, B/8, G/6) are settled by the
 * line (`context: false` turns that off; each character keeps its top-k and alternatives).
 *
 * A blank image gives status `blank` and empty text; ink without anything character-shaped
 * gives `no-characters` with a `message`. Neither is an error.
 *
 * @param options - see {@link READ_DEFAULTS}
 * @throws HcrError BAD_IMAGE for an image over `maxPixels` (the message names the limit);
 *   BAD_OPTION for a bad option; BAD_MODEL when the classifier returns the wrong shape
 * @example
 * const result = await readText(gray, { classes, classify });
 * result.text; // 'AB 12'
 */
export async function readText(
  image: GrayImage,
  classifier: Classifier,
  options: ReadOptions = {},
): Promise<ReadResult> {
  const resolved = resolveReadOptions(options);
  const segmentation = segmentImage(image, resolved);
  const count = segmentation.candidates.length;
  const probs =
    count > 0 ? await classifier.classify(segmentation.images, count) : new Float32Array(0);
  return chooseCharacters(segmentation, probs, classifier.classes, resolved);
}
