// Reading a line is decoding (docs/DESIGN.md §8): a beam search over the ways of covering the
// line's atoms with candidate characters × the classifier's probabilities of each candidate ×
// a character language model, under the user's constraints (a charset, a pattern, a lexicon).
// A hypothesis is a reading of the atoms up to a position; hypotheses with the same text (and
// constraint state) are merged, keeping the better (so the beam holds distinct readings, and
// its survivors at the end of the line are the N best). The score of a reading is
//   sum over its characters of [log p(label | image) + bonus - shape penalty]
//   + weight * sum over its words of [log P_lm(word) + length * log(classes)]
//   + case weight * sum over its letters of the case model's cost (case.ts),
// the second term being the language model's gain over a uniform guess, so that the language
// model favours likely words without favouring fewer characters.

import { caseCost } from './case.js';
import type { LanguageModel, WordState } from './language-model.js';
import type { Lexicon, LexiconNode, Pattern } from './constraints.js';
import { compilePattern } from './pattern-automaton.js';

/** Added to the score of each character, so that a confident split beats a doubtful whole. */
export const CHARACTER_BONUS = 0.1;

/** One candidate character of a line, as the decoder sees it. */
export interface DecodeCandidate {
  /** First and last atom it covers (inclusive). */
  readonly first: number;
  readonly last: number;
  /** Shape penalty (a fragment, too wide, a cut through strokes), subtracted from its score. */
  readonly penalty: number;
  /** Its row of class probabilities. */
  readonly row: number;
}

/** A line to decode: its atoms, its candidates and where its words break. */
export interface DecodeLine {
  /** Number of atoms. */
  readonly atoms: number;
  readonly candidates: readonly DecodeCandidate[];
  /**
   * `wordBreaks[b]`: a word ends before atom b (a wide gap). Ignored when a pattern is given:
   * the pattern's spaces are the word breaks.
   */
  readonly wordBreaks: readonly boolean[];
}

/** What the search is given besides the line. */
export interface DecodeSettings {
  /** Candidates' class probabilities, `classes.length` per row. */
  readonly probs: Float32Array;
  readonly classes: readonly string[];
  /** The language model; none: the classifier and constraints alone. */
  readonly languageModel?: LanguageModel;
  /** Weight of the language model against the classifier. */
  readonly lmWeight: number;
  /** Classes the reading may use (a charset); all when absent. */
  readonly allowed?: ReadonlySet<string>;
  readonly pattern?: Pattern;
  readonly lexicon?: Lexicon;
  /** Hypotheses kept per position. */
  readonly beamWidth: number;
  /**
   * Classes tried per candidate, most probable first; under a pattern or a lexicon, the most
   * probable ones it allows there (so a constraint costs about what none does).
   */
  readonly classesPerCandidate: number;
  /** Readings returned, best first. */
  readonly nBest: number;
  /** Weight of the case model of words (case.ts `caseCost`); 0 or absent: off. */
  readonly caseWeight?: number;
}

/** One character of a decoded reading. */
export interface DecodedStep {
  /** Index into the line's candidates. */
  readonly candidate: number;
  readonly label: string;
  /** log p(label | image) from the classifier. */
  readonly classifierLogProb: number;
  /** log P(label | word so far) from the language model (natural log); 0 without one. */
  readonly lmLogProb: number;
  /** A word break comes before it. */
  readonly spaceBefore: boolean;
}

/** One reading of a line. */
export interface DecodedReading {
  /** The characters, with a space at each word break. */
  readonly text: string;
  /** Its total score (see the file header). */
  readonly score: number;
  readonly steps: readonly DecodedStep[];
  /** The lexicon entry read, when a lexicon was given. */
  readonly entry?: number;
}

interface Hypothesis {
  readonly score: number;
  readonly text: string;
  readonly prev: Hypothesis | undefined;
  readonly step: DecodedStep | undefined;
  readonly word: WordState | undefined;
  /** The pattern automaton's state (pattern-automaton.ts). */
  readonly pattern: number | undefined;
  readonly lexicon: LexiconNode | undefined;
  readonly key: string;
}

/**
 * The N best readings of one line, best first (empty when no reading satisfies the
 * constraints, e.g. a pattern longer than the line can be cut into).
 *
 * @example
 * const [best] = decodeLine(line, { probs, classes, lmWeight: 0, beamWidth: 16,
 *   classesPerCandidate: 5, nBest: 1 });
 * best.text; // 'AB12'
 */
export function decodeLine(line: DecodeLine, settings: DecodeSettings): DecodedReading[] {
  const { probs, classes, languageModel: lm, pattern, lexicon } = settings;
  const numClasses = classes.length;
  const weight = lm ? settings.lmWeight : 0;
  const caseWeight = settings.caseWeight ?? 0;
  const uniform = Math.log(new Set(classes.map((c) => c.toUpperCase())).size);
  const automaton = pattern ? compilePattern(pattern, classes) : undefined;
  const constrained = pattern !== undefined || lexicon !== undefined;
  // Each candidate's classes, most probable first, within the charset (all of them under a
  // constraint, which then tries the first classesPerCandidate it allows).
  const orders = line.candidates.map((c) => {
    const order: number[] = [];
    for (let k = 0; k < numClasses; k++) {
      if (!settings.allowed || settings.allowed.has(classes[k]!)) order.push(k);
    }
    order.sort((a, b) => probs[c.row * numClasses + b]! - probs[c.row * numClasses + a]!);
    return constrained ? order : order.slice(0, settings.classesPerCandidate);
  });
  // Under a pattern a character may start a word or not; the pattern says which (both at times).
  const modes = ['plain', 'spaced'] as const;
  // Many hypotheses extend the same word by the same label: the word decides the model's state.
  const extensions = new Map<string, { state: WordState; logProb: number }>();
  const ends = new Map<string, number>();
  const extend = (word: WordState, label: string) => {
    const key = `${word.word}|${label}`;
    let next = extensions.get(key);
    if (!next) {
      next = lm!.extend(word, label);
      extensions.set(key, next);
    }
    return next;
  };
  const end = (word: WordState) => {
    let value = ends.get(word.word);
    if (value === undefined) {
      value = lm!.end(word);
      ends.set(word.word, value);
    }
    return value;
  };
  const byFirst: number[][] = Array.from({ length: line.atoms }, () => []);
  line.candidates.forEach((c, i) => byFirst[c.first]?.push(i));

  const beams: Map<string, Hypothesis>[] = Array.from({ length: line.atoms + 1 }, () => new Map());
  const start: Hypothesis = {
    score: 0,
    text: '',
    prev: undefined,
    step: undefined,
    word: lm?.wordStart(),
    pattern: automaton?.start,
    lexicon: lexicon?.root,
    key: '',
  };
  beams[0]!.set('', start);
  const offer = (at: number, h: Hypothesis) => {
    const beam = beams[at]!;
    const old = beam.get(h.key);
    if (!old || h.score > old.score) beam.set(h.key, h);
  };

  for (let pos = 0; pos < line.atoms; pos++) {
    const hyps = [...beams[pos]!.values()]
      .sort((a, b) => b.score - a.score)
      .slice(0, settings.beamWidth);
    beams[pos]!.clear();
    for (const h of hyps) {
      for (const ci of byFirst[pos]!) {
        const c = line.candidates[ci]!;
        const after = c.last + 1;
        let tried = 0;
        for (const k of orders[ci]!) {
          if (tried >= settings.classesPerCandidate) break;
          const label = classes[k]!;
          let lexiconNode: LexiconNode | undefined;
          if (h.lexicon) {
            lexiconNode = h.lexicon.children.get(label);
            if (!lexiconNode) continue;
          }
          let offered = false;
          for (const mode of automaton && h.pattern !== undefined ? modes : [undefined]) {
            let patternState: number | undefined;
            let spaceBefore = h.text.length > 0 && line.wordBreaks[pos] === true;
            if (automaton && h.pattern !== undefined && mode) {
              patternState = automaton.next(h.pattern, k, mode);
              if (patternState < 0) continue;
              spaceBefore = mode === 'spaced';
            }
            offered = true;
            const p = probs[c.row * numClasses + k]!;
            const classifierLogProb = Math.log(Math.max(p, 1e-9));
            let score = h.score + classifierLogProb + CHARACTER_BONUS - c.penalty;
            if (caseWeight > 0) {
              const wordSoFar = spaceBefore ? '' : h.text.slice(h.text.lastIndexOf(' ') + 1);
              score += caseWeight * caseCost(wordSoFar, label);
            }
            let word = h.word;
            let lmLogProb = 0;
            if (lm && word) {
              let gain = 0;
              if (spaceBefore && word.word.length > 0) {
                gain += end(word);
                word = lm.wordStart();
              }
              const next = extend(word, label);
              lmLogProb = next.logProb;
              word = next.state;
              // A likely character earns nothing, an unlikely one costs: a reward would pay the
              // search to cut a letter into two digits (a digit is 1 of 10, a letter 1 of 26).
              gain += Math.min(0, next.logProb + uniform);
              if (after === line.atoms) gain += end(word);
              score += weight * gain;
            }
            const text = h.text + (spaceBefore ? ' ' : '') + label;
            const key =
              text +
              (patternState !== undefined ? `|${patternState}` : '') +
              (lexiconNode ? '|L' : '');
            offer(after, {
              score,
              text,
              prev: h,
              step: { candidate: ci, label, classifierLogProb, lmLogProb, spaceBefore },
              word,
              pattern: patternState,
              lexicon: lexiconNode,
              key,
            });
          }
          if (offered) tried++;
        }
      }
    }
  }

  const finals = [...beams[line.atoms]!.values()]
    .filter((h) => {
      if (automaton && h.pattern !== undefined && !automaton.accepts(h.pattern)) return false;
      if (h.lexicon && h.lexicon.entry === undefined) return false;
      return true;
    })
    .sort((a, b) => b.score - a.score);
  const readings: DecodedReading[] = [];
  const seen = new Set<string>();
  for (const h of finals) {
    if (readings.length >= settings.nBest) break;
    if (seen.has(h.text)) continue;
    seen.add(h.text);
    const steps: DecodedStep[] = [];
    for (let at: Hypothesis | undefined = h; at?.step; at = at.prev) steps.unshift(at.step);
    readings.push({
      text: h.text,
      score: h.score,
      steps,
      ...(h.lexicon?.entry !== undefined ? { entry: h.lexicon.entry } : {}),
    });
  }
  return readings;
}
