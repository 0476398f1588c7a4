// Reading an image of one or more lines of handwriting: segment it into candidate characters
// (segment.ts), classify every candidate in one batch with an injected classifier (a model in
// Node, tfjs in the browser, a stub in tests), find the word breaks from the line's own
// spacing, and decode each line (decode.ts): a search over the ways of covering it with
// characters × the classifier's probabilities × the character language model
// (language-model.ts), under the user's charset, pattern and lexicon (constraints.ts). The
// rules of context.ts (look-alikes settled by each word's kind) remain as the 'rules' decoder.

import { HcrError } from '../errors.js';
import type { PixelBox } from '../pixels.js';
import type { GrayImage } from '../types.js';
import { applyShapeFit, hasBothCases, measureLine } from './case.js';
import { applyLineContext, characterKind, lookalikePartners } from './context.js';
import type { ContextDecision } from './context.js';
import { decodeLine } from './decode.js';
import type { DecodedReading, DecodedStep, DecodeSettings } from './decode.js';
import { resolveReadOptions } from './options.js';
import type { ReadOptions, ResolvedReadOptions } from './options.js';
import { upperMedian } from './page-lines.js';
import { matchLexicon, prepareReading } from './reading-constraints.js';
import type { PreparedReading } from './reading-constraints.js';
import { boxUnion, linesResult, pageFields, unreadResult } from './result.js';
import type {
  ChangeReason,
  RankedClass,
  ReadAlternative,
  ReadCharacter,
  ReadLine,
  ReadResult,
  ReadResultBase,
} from './result.js';
import { segmentImage } from './segment.js';
import type { Segmentation } from './segment.js';

// The result types and the constraint checks were declared here before they had their own
// modules; callers that import them from here keep working.
export * from './result.js';
export { editDistance, prepareReading, type PreparedReading } from './reading-constraints.js';

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

/** Classes tried per candidate by the search (all of them under a pattern or a lexicon). */
const CLASSES_PER_CANDIDATE = 6;

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
  const base: ReadResultBase = {
    ...pageFields(segmentation),
    candidates: count,
    context: options.context,
    decoder,
  };
  if (segmentation.status !== 'ok') {
    return unreadResult(base, segmentation.status, segmentation, options);
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
      const [match] = decodeLineWith({ lexicon, languageModel: undefined, lmWeight: 0, nBest: 1 });
      const found =
        match?.entry !== undefined
          ? { entry: match.entry, score: match.score - plain.score }
          : undefined;
      lexiconMatch = matchLexicon(chosen.text, lexicon.entries, found);
      if (found) lexiconSteps = match!.steps;
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
  return linesResult(base, lines);
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
