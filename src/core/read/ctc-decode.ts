// Decoding a line model's per-frame probabilities into text (docs/DESIGN.md §8 "Reading is
// decoding"): the best path (greedy), and a CTC prefix beam search (Hannun et al. 2014) that
// sums every alignment of a prefix and weighs it with the character language model and the
// user's constraints (a charset, a pattern, a lexicon; constraints.ts parses them). A reading's
// score is
//   log P_ctc(text | frames) + lmWeight * log P_lm(text) + insertionBonus * characters
// (the last two with a language model only),
// spaces being word breaks for the language model (each word scored whole, its end included).
// Every reading returned is described by its best alignment (ctc-align.ts): per-character frame
// spans, top classes and per-word confidence. The work is bounded: frames (MAX_CTC_FRAMES),
// beam width and classes tried per frame and prefix (the most probable ones the constraints
// allow), a pattern's automaton by its own budget (pattern-automaton.ts).

import { HcrError } from '../errors.js';
import { CTC_BLANK, LINE_CHARSET } from '../line/charset.js';
import { alignCtc, checkCtcFrames } from './ctc-align.js';
import type { CtcAlignment, CtcFrames } from './ctc-align.js';
import type { Lexicon, LexiconNode, Pattern } from './constraints.js';
import { compilePattern } from './pattern-automaton.js';
import type { WordState } from './language-model.js';

/** Most frames decoded (a normalized line is at most 2048 columns: 512 frames of 4). */
export const MAX_CTC_FRAMES = 1024;

/**
 * What the beam search needs of a character language model: a word scored character by
 * character (`LanguageModel` and its line view implement it).
 */
export interface CharacterLanguageModel {
  wordStart(): WordState;
  extend(state: WordState, char: string): { state: WordState; logProb: number };
  end(state: WordState): number;
}

/** Options of {@link ctcBeamSearch}; defaults in {@link CTC_DECODE_DEFAULTS}. */
export interface CtcDecodeOptions {
  /** The model's characters: class i is `charset[i - 1]`, class 0 the blank. Default: LINE_CHARSET. */
  readonly charset?: string;
  /** The character language model; none: the frames and constraints alone. */
  readonly languageModel?: CharacterLanguageModel;
  /** Weight of the language model's log-probability. Default: 0.65. */
  readonly lmWeight?: number;
  /**
   * Added per character written (spaces included), against the language model's cost; not
   * used without a language model. Default: 2.
   */
  readonly insertionBonus?: number;
  /** Prefixes kept per frame. Default: 16. */
  readonly beamWidth?: number;
  /** Readings returned, best first. Default: 1. */
  readonly alternatives?: number;
  /** Characters a reading may use (a space is always allowed); all when absent. */
  readonly allowed?: ReadonlySet<string>;
  /** The shape the reading must have; its spaces may be written or not. */
  readonly pattern?: Pattern;
  /** The entries the reading must be one of (case and spaces aside). */
  readonly lexicon?: Lexicon;
  /** Classes listed per character. Default: 3. */
  readonly top?: number;
  /**
   * A class below this log-probability in a frame is not tried there (a repeat of a prefix's
   * last character always is). Default: log(1e-4).
   */
  readonly minLogProb?: number;
  /**
   * Most classes tried per frame and prefix, most probable first (under a pattern or a lexicon,
   * the most probable ones it allows for that prefix). Default: 8.
   */
  readonly classesPerFrame?: number;
}

/**
 * The defaults of {@link CtcDecodeOptions}.
 *
 * @example
 * CTC_DECODE_DEFAULTS.beamWidth; // 16
 */
export const CTC_DECODE_DEFAULTS = Object.freeze({
  charset: LINE_CHARSET,
  // Tuned with bench:decode-lines on 400 words of the validation writers (models/line-en at
  // 6,500 steps): weights 0.3-1.2 x bonuses 0-2.5; 0.65 and 2 read 78.8% of characters and 52%
  // of words, against 69.6% / 24% without the language model.
  lmWeight: 0.65,
  insertionBonus: 2,
  beamWidth: 16,
  alternatives: 1,
  top: 3,
  minLogProb: Math.log(1e-4),
  classesPerFrame: 8,
});

/** One reading of a line's frames. */
export interface CtcReading extends CtcAlignment {
  /** The characters with their spaces (leading and trailing spaces dropped). */
  readonly text: string;
  /** The search's score (see the file header); the greedy reading's is its path's log-probability. */
  readonly score: number;
  /** log P(text | frames), summed over alignments (the greedy reading: its best path). */
  readonly ctcLogProb: number;
  /** log P_lm of the text (natural log, unweighted); 0 without a language model. */
  readonly lmLogProb: number;
  /** Its share among the readings returned (their scores' softmax); 1 for a single reading. */
  readonly probability: number;
  /** With a lexicon: the index of the entry read. */
  readonly entry?: number;
}

const logAdd = (a: number, b: number): number => {
  if (a === -Infinity) return b;
  if (b === -Infinity) return a;
  return a > b ? a + Math.log1p(Math.exp(b - a)) : b + Math.log1p(Math.exp(a - b));
};

function checkFrameCount(frames: CtcFrames): void {
  if (frames.frames > MAX_CTC_FRAMES) {
    throw new HcrError(
      'BAD_IMAGE',
      `ctc: expected at most ${MAX_CTC_FRAMES} frames, got ${frames.frames}`,
    );
  }
}

/**
 * The best path: each frame's most probable class, repeats merged and blanks dropped. No
 * language model and no constraints; fast, and what training reports.
 *
 * @throws HcrError BAD_MODEL when the frames do not fit the charset
 * @example
 * ctcGreedy(frames).text; // 'Hello'
 */
export function ctcGreedy(
  frames: CtcFrames,
  options: Pick<CtcDecodeOptions, 'charset' | 'top'> = {},
): CtcReading {
  const charset = options.charset ?? CTC_DECODE_DEFAULTS.charset;
  checkCtcFrames(frames, charset);
  checkFrameCount(frames);
  const { logProbs, frames: T, classes: C } = frames;
  let text = '';
  let previous = CTC_BLANK;
  let pathLog = 0;
  for (let t = 0; t < T; t++) {
    let best = 0;
    for (let c = 1; c < C; c++) if (logProbs[t * C + c]! > logProbs[t * C + best]!) best = c;
    pathLog += logProbs[t * C + best]!;
    if (best !== CTC_BLANK && best !== previous) text += charset[best - 1]!;
    previous = best;
  }
  return describe(frames, text, charset, options.top ?? CTC_DECODE_DEFAULTS.top, {
    score: pathLog,
    ctcLogProb: pathLog,
    lmLogProb: 0,
    probability: 1,
  });
}

/** The other case of a letter (the character itself otherwise). */
const otherCase = (ch: string) => {
  const up = ch.toUpperCase();
  return up === ch ? ch.toLowerCase() : up;
};

interface Beam {
  /** The text so far, spaces included (leading spaces kept: they are frames' choices). */
  readonly prefix: string;
  /** Class of its last character (the blank for the empty prefix). */
  readonly last: number;
  /** log P(prefix, path ends in a blank) and (path ends in its last character). */
  pb: number;
  pnb: number;
  /** Weighted language-model score plus bonuses, and the unweighted log-probability. */
  readonly lm: number;
  readonly lmLog: number;
  readonly word: WordState | undefined;
  /** The pattern automaton's state (pattern-automaton.ts). */
  readonly pattern: number | undefined;
  readonly lexicon: LexiconNode | undefined;
}

/**
 * The N best readings of a line's frames by CTC prefix beam search with the language model and
 * the constraints, best first. Empty when no reading satisfies the constraints (e.g. a pattern
 * longer than the frames can write): the caller reads without them.
 *
 * @param options - see {@link CTC_DECODE_DEFAULTS}
 * @throws HcrError BAD_MODEL when the frames do not fit the charset; BAD_IMAGE over
 *   {@link MAX_CTC_FRAMES}; BAD_OPTION for a beam width or alternatives out of range
 * @example
 * const [best] = ctcBeamSearch(frames, { languageModel: lm.line, beamWidth: 16 });
 * best.text; // 'Hello world'
 */
export function ctcBeamSearch(frames: CtcFrames, options: CtcDecodeOptions = {}): CtcReading[] {
  const o = { ...CTC_DECODE_DEFAULTS, ...definedOnly(options) };
  const { charset, languageModel: lm, pattern, lexicon, allowed } = o;
  checkCtcFrames(frames, charset);
  checkFrameCount(frames);
  for (const [name, value, max] of [
    ['beamWidth', o.beamWidth, 1000],
    ['alternatives', o.alternatives, 100],
    ['classesPerFrame', o.classesPerFrame, 1000],
  ] as const) {
    if (!Number.isInteger(value) || value < 1 || value > max) {
      throw new HcrError('BAD_OPTION', `ctc: expected ${name} an integer 1-${max}, got ${value}`);
    }
  }
  const { logProbs, frames: T, classes: C } = frames;
  const weight = lm ? o.lmWeight : 0;
  // The bonus balances the language model's cost per character: without one, no bonus.
  const bonus = lm ? o.insertionBonus : 0;
  const automaton = pattern ? compilePattern(pattern, [...charset]) : undefined;
  const usable = new Uint8Array(C);
  for (let c = 1; c < C; c++) {
    const ch = charset[c - 1]!;
    usable[c] = !allowed || ch === ' ' || allowed.has(ch) ? 1 : 0;
  }

  // The language-model score of a prefix does not depend on the frame: computed once.
  const lmCache = new Map<string, { lm: number; lmLog: number; word: WordState | undefined }>();
  const extendLm = (beam: Beam, ch: string, prefix: string) => {
    let hit = lmCache.get(prefix);
    if (!hit) {
      let lmLog = beam.lmLog;
      let word = beam.word;
      if (lm && word) {
        if (ch === ' ') {
          lmLog += lm.end(word);
          word = lm.wordStart();
        } else {
          const next = lm.extend(word, ch);
          lmLog += next.logProb;
          word = next.state;
        }
      }
      hit = { lm: beam.lm + weight * (lmLog - beam.lmLog) + bonus, lmLog, word };
      lmCache.set(prefix, hit);
    }
    return hit;
  };

  let beams = new Map<string, Beam>();
  beams.set('', {
    prefix: '',
    last: CTC_BLANK,
    pb: 0,
    pnb: -Infinity,
    lm: 0,
    lmLog: 0,
    word: lm?.wordStart(),
    pattern: automaton?.start,
    lexicon: lexicon?.root,
  });
  const order = Array.from({ length: C - 1 }, (_, i) => i + 1);
  for (let t = 0; t < T; t++) {
    const row = logProbs.subarray(t * C, (t + 1) * C);
    // The classes worth trying at this frame.
    const tried = order.filter((c) => usable[c] && row[c]! >= o.minLogProb);
    tried.sort((a, b) => row[b]! - row[a]!);
    const next = new Map<string, Beam>();
    const entry = (beam: Beam): Beam => {
      let e = next.get(beam.prefix);
      if (!e) {
        e = { ...beam, pb: -Infinity, pnb: -Infinity };
        next.set(beam.prefix, e);
      }
      return e;
    };
    // The prefixes as they are (a blank, or a repeat of their last character) come first: the
    // beamWidth-th best of them is a floor no extension scoring below can enter the beam above.
    for (const beam of beams.values()) {
      const total = logAdd(beam.pb, beam.pnb);
      const same = entry(beam);
      same.pb = logAdd(same.pb, total + row[CTC_BLANK]!);
      if (beam.last !== CTC_BLANK) same.pnb = logAdd(same.pnb, beam.pnb + row[beam.last]!);
    }
    let floor = -Infinity;
    if (next.size >= o.beamWidth) {
      const scores = [...next.values()].map((e) => logAdd(e.pb, e.pnb) + e.lm);
      floor = scores.sort((a, b) => b - a)[o.beamWidth - 1]!;
    }
    for (const beam of beams.values()) {
      const total = logAdd(beam.pb, beam.pnb);
      let extended = 0;
      for (const c of tried) {
        if (extended >= o.classesPerFrame) break;
        // The language model only costs: this bounds the extension's score from above.
        if (total + row[c]! + beam.lm + bonus < floor) break;
        const ch = charset[c - 1]!;
        // A repeat needs a blank between: from a path ending in a blank only.
        const from = c === beam.last ? beam.pb : total;
        if (from === -Infinity) continue;
        const prefix = beam.prefix + ch;
        let e = next.get(prefix) ?? beams.get(prefix);
        if (e && e !== next.get(prefix)) e = entry(e);
        if (!e) {
          let patternState = beam.pattern;
          if (automaton && patternState !== undefined) {
            patternState =
              ch === ' '
                ? automaton.space(patternState)
                : automaton.next(patternState, c - 1, 'any');
            if (patternState < 0) continue;
          }
          let node = beam.lexicon;
          if (node && ch !== ' ') {
            node = node.children.get(ch) ?? node.children.get(otherCase(ch));
            if (!node) continue;
          } else if (
            node &&
            ch === ' ' &&
            (beam.prefix.length === 0 || beam.prefix.endsWith(' '))
          ) {
            continue;
          }
          const scored = extendLm(beam, ch, prefix);
          e = {
            prefix,
            last: c,
            pb: -Infinity,
            pnb: -Infinity,
            lm: scored.lm,
            lmLog: scored.lmLog,
            word: scored.word,
            pattern: patternState,
            lexicon: node,
          };
          next.set(prefix, e);
        }
        e.pnb = logAdd(e.pnb, from + row[c]!);
        extended++;
      }
    }
    const scored = [...next.values()].map((b) => ({ b, score: logAdd(b.pb, b.pnb) + b.lm }));
    scored.sort((a, b) => b.score - a.score);
    beams = new Map(scored.slice(0, o.beamWidth).map(({ b }) => [b.prefix, b]));
  }

  const finals = [...beams.values()]
    .filter((b) => {
      if (automaton && b.pattern !== undefined && !automaton.accepts(b.pattern)) return false;
      if (b.lexicon && b.lexicon.entry === undefined) return false;
      if (lexicon && b.prefix.trim().length === 0) return false;
      return true;
    })
    .map((b) => {
      let lmLog = b.lmLog;
      let score = logAdd(b.pb, b.pnb) + b.lm;
      if (lm && b.word && b.word.word.length > 0) {
        const end = lm.end(b.word);
        lmLog += end;
        score += weight * end;
      }
      return { beam: b, score, lmLog };
    })
    .sort((a, b) => b.score - a.score);
  // Readings that differ only in leading or trailing spaces are one reading.
  const chosen: typeof finals = [];
  const seen = new Set<string>();
  for (const f of finals) {
    const text = f.beam.prefix.trim();
    if (seen.has(text)) continue;
    seen.add(text);
    chosen.push(f);
    if (chosen.length >= o.alternatives) break;
  }
  const top = chosen[0]?.score ?? 0;
  const shares = chosen.map((f) => Math.exp(f.score - top));
  const sum = shares.reduce((a, b) => a + b, 0);
  return chosen.map((f, i) =>
    describe(frames, f.beam.prefix, charset, o.top, {
      score: f.score,
      ctcLogProb: logAdd(f.beam.pb, f.beam.pnb),
      lmLogProb: f.lmLog,
      probability: shares[i]! / sum,
      ...(f.beam.lexicon?.entry !== undefined ? { entry: f.beam.lexicon.entry } : {}),
    }),
  );
}

/** `options` without its undefined fields (so they do not hide the defaults). */
function definedOnly<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(options).filter(([, v]) => v !== undefined),
  ) as Partial<T>;
}

function describe(
  frames: CtcFrames,
  prefix: string,
  charset: string,
  top: number,
  scores: Omit<CtcReading, keyof CtcAlignment | 'text'>,
): CtcReading {
  const alignment = alignCtc(frames, prefix, charset, top);
  return { text: prefix.trim(), ...scores, ...alignment };
}
