// Reading an image of one or more lines of handwriting: segment it into candidate characters
// (segment.ts), classify every candidate in one batch with an injected classifier (a model in
// Node, tfjs in the browser, a stub in tests), find the word breaks from the line's own
// spacing, and decode each line (decode.ts): a search over the ways of covering it with
// characters × the classifier's probabilities × the character language model
// (language-model.ts), under the user's charset, pattern and lexicon (constraints.ts). The
// rules of context.ts (look-alikes settled by each word's kind) remain as the 'rules' decoder.

import { HcrError } from '../errors.js';
import type { PixelBox } from '../normalize.js';
import type { GrayImage } from '../types.js';
import { applyShapeFit, hasBothCases, measureLine } from './case.js';
import type { LineGuides } from './case.js';
import { charsetClasses, parseLexicon, patternError } from './constraints.js';
import { compilePattern } from './pattern-automaton.js';
import type { Lexicon } from './constraints.js';
import { applyLineContext, characterKind, lookalikePartners } from './context.js';
import type { CharacterKind, ContextDecision } from './context.js';
import { decodeLine } from './decode.js';
import type { DecodedReading, DecodedStep, DecodeSettings } from './decode.js';
import { resolveReadOptions } from './options.js';
import type { Decoder } from './options.js';
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

/** Classes tried per candidate by the search (all of them under a pattern or a lexicon). */
const CLASSES_PER_CANDIDATE = 6;

/** The classes and constraints of a reading, checked once against the classifier's classes. */
export interface PreparedReading {
  /** The classes the charset allows (absent: all). */
  readonly allowed?: ReadonlySet<string>;
  readonly lexicon?: Lexicon;
}

/**
 * Checks the charset, the pattern and the lexicon against the classifier's classes, before any
 * work is done on the image.
 *
 * @throws HcrError BAD_OPTION naming the charset, the pattern position or the lexicon line and
 *   column that the model cannot read
 * @example
 * prepareReading(resolveReadOptions({ charset: 'digits' }), classes).allowed; // Set {'0', ...}
 */
export function prepareReading(
  options: ResolvedReadOptions,
  classes: readonly string[],
): PreparedReading {
  const allowed =
    options.charset === 'alnum' ? undefined : charsetClasses(options.charset, classes);
  const pattern = options.parsedPattern;
  if (pattern) {
    // Compiling checks the pattern's work budget (positions × classes) before any image work.
    const automaton = compilePattern(pattern, classes);
    pattern.items.forEach((item, i) => {
      const row = automaton.itemClasses[i]!;
      const ok = classes.some((c, k) => row[k] === 1 && (!allowed || allowed.has(c)));
      if (!ok) {
        throw patternError(
          pattern.source,
          item.at,
          `allows no character the model reads${allowed ? ` within charset '${options.charset}'` : ''} ` +
            `(${(allowed ? [...allowed] : classes).join('')})`,
        );
      }
    });
  }
  const lexicon =
    options.lexicon === undefined
      ? undefined
      : typeof options.lexicon === 'string'
        ? parseLexicon(options.lexicon, classes, options.lexiconName)
        : options.lexicon;
  return { ...(allowed ? { allowed } : {}), ...(lexicon ? { lexicon } : {}) };
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

/**
 * Where the words of a line break, from the gaps between its neighbouring characters (in
 * reading order): a gap of at least `spaceGap` character heights is `wide`; it is a `word`
 * break when it is also at least `spaceRatio` times the line's typical gap between letters
 * (the lower quartile of its gaps), so that evenly letter-spaced writing (`D O G`) is one word.
 *
 * @param gaps - the gaps between neighbouring characters, in pixels (negative: overlapping)
 * @example
 * lineSpacing([40, 42], 40, 0.6, 2).word; // [false, false]: D O G is one word
 * lineSpacing([2, 45, 3], 40, 0.6, 2).word; // [false, true, false]: AB CD
 */
export function lineSpacing(
  gaps: readonly number[],
  charHeight: number,
  spaceGap: number,
  spaceRatio: number,
): { wide: boolean[]; word: boolean[] } {
  const sorted = gaps.map((g) => Math.max(0, g)).sort((a, b) => a - b);
  const typical = sorted.length > 0 ? sorted[Math.floor((sorted.length - 1) / 4)]! : 0;
  const wide = gaps.map((g) => g >= spaceGap * charHeight);
  const word = gaps.map((g, i) => wide[i]! && g >= spaceRatio * typical);
  return { wide, word };
}

/** The gaps between neighbouring `boxes` (left to right): each left edge minus the right-most edge before it. */
function gapsBetween(boxes: readonly PixelBox[]): number[] {
  let right = -Infinity;
  return boxes.flatMap((b, k) => {
    const gap = b.x - right - 1;
    right = Math.max(right, b.x + b.width - 1);
    return k === 0 ? [] : [gap];
  });
}

/**
 * The second half of reading, given the segmentation and the classifier's probabilities for
 * its candidates. Per line: the classifier's best cover of the atoms gives the character height
 * and the gaps, hence the word breaks (see {@link lineSpacing}); then the line is decoded
 * (decode.ts: segmentations × classifier × language model × constraints), or with the
 * `'rules'` decoder the best cover's look-alikes are settled by each word's kind. With a
 * lexicon, the entry the image reads best (else the one nearest in spelling) is the line's
 * text, and the reading stays beside it.
 *
 * @param probs - `segmentation.candidates.length` rows of `classes.length` probabilities
 * @param prepared - from {@link prepareReading} (computed here when absent)
 * @throws HcrError BAD_MODEL when `probs` does not have one row per candidate; BAD_OPTION for a
 *   charset, pattern or lexicon the classes cannot satisfy
 * @example
 * const seg = segmentImage(image, options);
 * const result = chooseCharacters(seg, await classify(seg.images, seg.candidates.length), classes, options);
 */
export function chooseCharacters(
  segmentation: Segmentation,
  probs: Float32Array,
  classes: readonly string[],
  options: ResolvedReadOptions,
  prepared: PreparedReading = prepareReading(options, classes),
): ReadResult {
  const numClasses = classes.length;
  const count = segmentation.candidates.length;
  if (numClasses === 0 || probs.length !== count * numClasses) {
    throw new HcrError(
      'BAD_MODEL',
      `read: expected ${count} x ${numClasses} probabilities from the classifier, got ${probs.length}`,
    );
  }
  const decoder: ReadResult['decoder'] = options.context ? options.decoder : 'none';
  const base = {
    width: segmentation.width,
    height: segmentation.height,
    inverted: segmentation.inverted,
    slant: segmentation.slant,
    specks: segmentation.specks,
    candidates: count,
    context: options.context,
    decoder,
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
  const searchProbs =
    decoder === 'language-model' && options.lookalikeShare > 0
      ? shareLookalikes(probs, classes, partners, options.lookalikeShare)
      : probs;
  // A line of a model with both cases is measured (its guides are the unit of its spaces, since
  // its median height is the x-height); the guides decide case with the language-model decoder
  // only (the rules and no context keep the classifier's labels).
  const bothCases = hasBothCases(classes);
  const caseWeight = decoder === 'language-model' && bothCases ? options.caseWeight : 0;
  // The search's probabilities with each measured line's guides applied, copied once for all
  // lines (a line rewrites only its own candidates' rows).
  let shaped: Float32Array | undefined;
  const lines: ReadLine[] = [];
  for (const line of segmentation.lines) {
    const n = line.atoms.length;
    const candidates = line.candidates.map((index) => {
      const c = segmentation.candidates[index]!;
      return { first: c.first, last: c.last, penalty: c.penalty, row: c.row, index };
    });
    // The classifier's best cover (exact dynamic programme): the rules' reading, and the
    // characters whose heights and gaps measure the line's spacing.
    const settings = {
      probs,
      classes,
      lmWeight: 0,
      beamWidth: options.beamWidth,
      classesPerCandidate: 1,
      nBest: 1,
    };
    const plain = decodeLine({ atoms: n, candidates, wordBreaks: [] }, settings)[0]!;
    const plainBoxes = plain.steps.map(
      (s) => segmentation.candidates[candidates[s.candidate]!.index]!.box,
    );
    const charHeight = upperMedian(plainBoxes.map((b) => b.height));
    const guides = bothCases
      ? measureLine(
          plain.steps.map((s, k) => {
            const row = candidates[s.candidate]!.row;
            return {
              box: plainBoxes[k]!,
              probabilities: probs.subarray(row * numClasses, (row + 1) * numClasses),
            };
          }),
          classes,
        )
      : undefined;
    // Spaces are measured in cap heights: a lowercase line's median height is its x-height.
    const spaceUnit = guides ? Math.max(charHeight, guides.capHeight) : charHeight;
    const spacing = lineSpacing(
      gapsBetween(plainBoxes),
      spaceUnit,
      options.spaceGap,
      options.spaceRatio,
    );
    const wordBreaks = new Array<boolean>(n + 1).fill(false);
    plain.steps.forEach((s, k) => {
      if (k > 0 && spacing.word[k - 1]) wordBreaks[candidates[s.candidate]!.first] = true;
    });
    const lineProbs =
      guides && caseWeight > 0
        ? applyShapeFit(
            searchProbs,
            classes,
            candidates.map((c) => ({ row: c.row, box: segmentation.candidates[c.index]!.box })),
            guides,
            caseWeight,
            (shaped ??= Float32Array.from(searchProbs)),
          )
        : searchProbs;
    const decodeLineWith = (extra: Partial<DecodeSettings>) =>
      decodeLine(
        { atoms: n, candidates, wordBreaks },
        {
          ...settings,
          probs: lineProbs,
          caseWeight,
          classesPerCandidate: CLASSES_PER_CANDIDATE,
          nBest: options.alternatives,
          ...(prepared.allowed ? { allowed: prepared.allowed } : {}),
          ...(decoder === 'language-model' && options.languageModel
            ? { languageModel: options.languageModel, lmWeight: options.lmWeight }
            : {}),
          ...extra,
        },
      );

    let readings: DecodedReading[];
    let patternMatched: boolean | undefined;
    if (decoder === 'rules') {
      // The same best cover, now with its word breaks.
      readings = decodeLine({ atoms: n, candidates, wordBreaks }, settings);
    } else {
      readings = options.parsedPattern ? decodeLineWith({ pattern: options.parsedPattern }) : [];
      if (options.parsedPattern) patternMatched = readings.length > 0;
      if (readings.length === 0) readings = decodeLineWith({});
      if (readings.length === 0) readings = [plain];
    }
    const chosen = readings[0]!;

    let lexiconMatch: ReadLine['lexicon'];
    let lexiconSteps: readonly DecodedStep[] | undefined;
    if (prepared.lexicon) {
      const lexicon = prepared.lexicon;
      const bare = (t: string) => t.replace(/ /g, '').toUpperCase();
      const [match] = decodeLineWith({ lexicon, languageModel: undefined, lmWeight: 0, nBest: 1 });
      if (match?.entry !== undefined) {
        const entry = lexicon.entries[match.entry]!;
        lexiconMatch = {
          entry,
          reading: chosen.text,
          score: match.score - plain.score,
          distance: editDistance(bare(chosen.text), bare(entry)),
        };
        lexiconSteps = match.steps;
      } else {
        let nearest = 0;
        let distance = Infinity;
        lexicon.entries.forEach((e, i) => {
          const d = editDistance(bare(chosen.text), bare(e));
          if (d < distance) {
            distance = d;
            nearest = i;
          }
        });
        lexiconMatch = { entry: lexicon.entries[nearest]!, reading: chosen.text, distance };
      }
    }

    const steps = lexiconSteps ?? chosen.steps;
    const boxes = steps.map((s) => segmentation.candidates[candidates[s.candidate]!.index]!.box);
    const wide = lineSpacing(
      gapsBetween(boxes),
      spaceUnit,
      options.spaceGap,
      options.spaceRatio,
    ).wide;
    const raw = steps.map((s, k) => {
      const c = segmentation.candidates[candidates[s.candidate]!.index]!;
      const spaceBefore =
        options.keepSpacing && !options.parsedPattern ? k > 0 && wide[k - 1]! : s.spaceBefore;
      const probabilities: Record<string, number> = {};
      classes.forEach((label, i) => {
        probabilities[label] = probs[c.row * numClasses + i]!;
      });
      return { c, step: s, spaceBefore, label: classes[best(c.row).index]!, probabilities };
    });
    const decisions: ContextDecision[] =
      decoder === 'rules'
        ? applyLineContext(raw, partners, { scope: options.contextScope })
        : raw.map((r) => {
            const label = r.step.label;
            if (label === r.label) return { label, alternatives: [...(partners.get(label) ?? [])] };
            const kind = characterKind(label);
            return { label, ...(kind ? { context: kind } : {}), alternatives: [r.label] };
          });
    const changedBy = (r: (typeof raw)[number], label: string): ChangeReason | undefined => {
      if (label === r.label) return undefined;
      if (decoder === 'rules') return 'rules';
      if (caseWeight > 0 && label !== r.label && label.toUpperCase() === r.label.toUpperCase()) {
        return 'case';
      }
      if (lexiconSteps) return 'lexicon';
      if (prepared.allowed && !prepared.allowed.has(r.label)) return 'charset';
      if (options.parsedPattern && patternMatched) return 'pattern';
      return 'language-model';
    };
    const characters: ReadCharacter[] = raw.map((r, k) => {
      const d = decisions[k]!;
      const reason = changedBy(r, d.label);
      return {
        label: d.label,
        raw: r.label,
        box: r.c.box,
        top: rank(r.c.row),
        spaceBefore: r.spaceBefore,
        ...(d.context ? { context: d.context } : {}),
        ...(reason ? { changedBy: reason } : {}),
        ...(decoder === 'language-model' && options.languageModel
          ? { languageModel: r.step.lmLogProb }
          : {}),
        alternatives: d.alternatives,
      };
    });
    const join = (pick: (c: ReadCharacter) => string) =>
      characters.map((c) => (c.spaceBefore ? ' ' : '') + pick(c)).join('');
    const text = lexiconMatch ? lexiconMatch.entry : join((c) => c.label);
    let alternatives: ReadAlternative[] | undefined;
    if (options.alternatives > 1) {
      const top = readings[0]!.score;
      const weights = readings.map((r) => Math.exp(r.score - top));
      const sum = weights.reduce((a, b) => a + b, 0);
      alternatives = readings.map((r, i) => ({
        text: r.text,
        score: r.score,
        probability: weights[i]! / sum,
      }));
    }
    lines.push({
      text,
      rawText: join((c) => c.raw),
      box: boxUnion(characters.map((c) => c.box)),
      charHeight,
      characters,
      ...(alternatives ? { alternatives } : {}),
      ...(lexiconMatch ? { lexicon: lexiconMatch } : {}),
      ...(patternMatched !== undefined ? { patternMatched } : {}),
      ...(guides ? { guides } : {}),
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
 * Probabilities where each label borrows `share` of its look-alike partners' probability (the
 * search's view of a glyph: "O or 0", to be decided by the line).
 *
 * @example
 * shareLookalikes(Float32Array.of(0.7, 0.2, 0.1), ['0', 'O', 'X'], partners, 1); // [0.9, 0.9, 0.1]
 */
export function shareLookalikes(
  probs: Float32Array,
  classes: readonly string[],
  partners: ReadonlyMap<string, readonly string[]>,
  share: number,
): Float32Array {
  const n = classes.length;
  const index = new Map(classes.map((c, i) => [c, i]));
  const borrow = classes.map((c) => (partners.get(c) ?? []).map((p) => index.get(p)!));
  const out = new Float32Array(probs.length);
  for (let row = 0; row < probs.length / n; row++) {
    for (let k = 0; k < n; k++) {
      let p = probs[row * n + k]!;
      for (const j of borrow[k]!) p += share * probs[row * n + j]!;
      out[row * n + k] = p;
    }
  }
  return out;
}

/**
 * Levenshtein distance between two strings (insertions, deletions, substitutions).
 *
 * @example
 * editDistance('LONDON', 'L0NDON'); // 1
 */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        previous[j]! + 1,
        current[j - 1]! + 1,
        previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length]!;
}

/**
 * Reads the text in an image of one or more lines of handwritten characters: lines by a
 * slant-tolerant horizontal projection, characters by connected components (broken strokes
 * joined, touching characters cut where the classifier is surest), specks dropped, spaces at
 * wide gaps; every candidate is normalized with the shared MNIST convention and classified in
 * one batch by `classifier`; each line is decoded with the language model given in `options`
 * (look-alikes such as O/0, I/1, S/5 are settled by the words around them; `context: false`
 * turns that off) under the charset, pattern and lexicon given; each character keeps its top-k,
 * what decided its label and what the language model said.
 *
 * A blank image gives status `blank` and empty text; ink without anything character-shaped
 * gives `no-characters` with a `message`. Neither is an error.
 *
 * @param options - see {@link READ_DEFAULTS}
 * @throws HcrError BAD_IMAGE for an image over `maxPixels` (the message names the limit);
 *   BAD_OPTION for a bad option, charset, pattern or lexicon (before any work on the image);
 *   BAD_MODEL when the classifier returns the wrong shape
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
  const prepared = prepareReading(resolved, classifier.classes);
  const segmentation = segmentImage(image, resolved);
  const count = segmentation.candidates.length;
  const probs =
    count > 0 ? await classifier.classify(segmentation.images, count) : new Float32Array(0);
  return chooseCharacters(segmentation, probs, classifier.classes, resolved, prepared);
}
