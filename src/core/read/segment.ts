// Segmentation of an image of handwriting into candidate characters for the glyph reader, before
// any classifier runs: the page's lines (page-lines.ts), each a row of atoms (line-atoms.ts).
// Every run of up to a few neighbouring atoms that could be one character is a candidate; all
// candidates are normalized to 28x28 with normalizeToMnist and classified in one batch, and
// read.ts (chooseCharacters) keeps the best-scoring way to cover each line.

import { normalizeToMnist } from '../normalize.js';
import type { InkImage } from '../extract-ink.js';
import type { PixelBox } from '../pixels.js';
import { IMAGE_PIXELS } from '../types.js';
import type { GrayImage } from '../types.js';
import type { DecodeCandidate } from './decode.js';
import { lineAtoms } from './line-atoms.js';
import type { Atom } from './line-atoms.js';
import type { ResolvedReadOptions } from './options.js';
import { findPageLines, slantDegrees } from './page-lines.js';
import type { PageSegmentation } from './page-lines.js';

export type { Atom } from './line-atoms.js';
export { upperMedian } from './page-lines.js';

/**
 * Separate components join into one character only when one of them is narrower or shorter
 * than these fractions of the character height (a broken-off piece); two pieces that each look
 * like a whole character are two characters.
 */
const PARTIAL_WIDTH = 0.4;
const PARTIAL_HEIGHT = 0.5;
/** Most atoms one character may be made of (a broken stroke, or pieces of a cut). */
const MAX_GROUP_ATOMS = 4;
/** Atoms this close (a fraction of the character height) may belong to one character. */
const MERGE_GAP = 0.2;
/** A character is at most this wide (a fraction of its line's character height). */
const MAX_CHAR_WIDTH = 1.5;
/** Score cost of a cut (log-probability units), and of each stroke it crosses after the first. */
const CUT_COST = 0.3;
const CUT_STROKE_COST = 0.5;
/** Score cost of a run less than half the character height tall (a fragment on its own). */
const FRAGMENT_COST = 1.5;
/** Score cost per character height of width beyond WIDE_START character heights. */
const WIDE_START = 1;
const WIDE_COST = 2;

/**
 * A run of neighbouring atoms that may be one character, with its 28x28 image: a candidate of
 * the decoder whose `row` is also its image's row in {@link Segmentation.images}.
 */
export interface Candidate extends DecodeCandidate {
  /** Line index. */
  readonly line: number;
  /** The ink's box in image coordinates. */
  readonly box: PixelBox;
}

/** One line of the image. */
export interface SegmentedLine {
  /** Median height of the line's characters, in pixels: the unit of gaps and sizes. */
  readonly charHeight: number;
  /** The line's atoms, left to right. */
  readonly atoms: readonly Atom[];
  /** Indices into {@link Segmentation.candidates} of this line's candidates. */
  readonly candidates: readonly number[];
}

/** What {@link segmentImage} found: every candidate character, ready to classify in one batch. */
export interface Segmentation extends PageSegmentation {
  readonly lines: readonly SegmentedLine[];
  readonly candidates: readonly Candidate[];
  /** `candidates.length` 28x28 images in the MNIST convention, back to back. */
  readonly images: Uint8Array;
}

/** The 28x28 image of a run of atoms: their ink (and the faint edge around it) normalized. */
function candidateImage(
  atoms: readonly Atom[],
  ink: InkImage,
  labels: Int32Array,
  box: PixelBox,
  out: Uint8Array,
): void {
  const { width, height } = ink;
  const cx0 = Math.max(0, box.x - 1);
  const cy0 = Math.max(0, box.y - 1);
  const cw = Math.min(width, box.x + box.width + 1) - cx0;
  const ch = Math.min(height, box.y + box.height + 1) - cy0;
  const crop = new Uint8Array(cw * ch);
  for (const atom of atoms) {
    for (const p of atom.pixels) {
      const y = (p / width) | 0;
      const x = p - y * width;
      crop[(y - cy0) * cw + (x - cx0)] = ink.data[p]!;
      // The anti-aliased edge: unlabelled faint ink next to the stroke.
      for (let dy = -1; dy <= 1; dy++) {
        const yy = y + dy;
        if (yy < cy0 || yy >= cy0 + ch) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx;
          if (xx < cx0 || xx >= cx0 + cw) continue;
          const q = yy * width + xx;
          if (labels[q] === 0) crop[(yy - cy0) * cw + (xx - cx0)] = ink.data[q]!;
        }
      }
    }
  }
  const image: GrayImage = { width: cw, height: ch, data: crop };
  const normalized = normalizeToMnist(image, { polarity: 'light-on-dark', flattenMinSide: 0 });
  out.set(normalized.pixels);
}

/** The runs of neighbouring atoms of one line that may each be one character. */
function lineCandidates(
  atoms: readonly Atom[],
  charHeight: number,
): { first: number; last: number; box: PixelBox; penalty: number }[] {
  const out: { first: number; last: number; box: PixelBox; penalty: number }[] = [];
  for (let i = 0; i < atoms.length; i++) {
    let x0 = Infinity;
    let y0 = Infinity;
    let x1 = -1;
    let y1 = -1;
    for (let j = i; j < atoms.length && j < i + MAX_GROUP_ATOMS; j++) {
      const a = atoms[j]!;
      if (j > i) {
        const prev = atoms[j - 1]!;
        const sameCut = a.parent >= 0 && a.parent === prev.parent;
        if (!sameCut && a.x0 - x1 - 1 > MERGE_GAP * charHeight) break;
        // Two pieces that each look like a whole character are two characters.
        const partial = (w: number, h: number) =>
          w < PARTIAL_WIDTH * charHeight || h < PARTIAL_HEIGHT * charHeight;
        if (
          !sameCut &&
          !partial(a.x1 - a.x0 + 1, a.y1 - a.y0 + 1) &&
          !partial(x1 - x0 + 1, y1 - y0 + 1)
        ) {
          break;
        }
      }
      x0 = Math.min(x0, a.x0);
      y0 = Math.min(y0, a.y0);
      x1 = Math.max(x1, a.x1);
      y1 = Math.max(y1, a.y1);
      const w = x1 - x0 + 1;
      const h = y1 - y0 + 1;
      const whole = isWholeCut(atoms, i, j);
      if (j > i && w > MAX_CHAR_WIDTH * charHeight && !whole) break;
      let penalty = 0;
      // A cut at the run's left edge costs more the more strokes it crosses.
      const cut = atoms[i]!.cutStrokes;
      if (cut > 0) penalty += CUT_COST + CUT_STROKE_COST * (cut - 1);
      if (h < 0.5 * charHeight) penalty += FRAGMENT_COST;
      if (w > WIDE_START * charHeight) penalty += WIDE_COST * (w / charHeight - WIDE_START);
      out.push({ first: i, last: j, box: { x: x0, y: y0, width: w, height: h }, penalty });
    }
  }
  return out;
}

/** True when atoms i..j are exactly all the pieces of one cut atom. */
function isWholeCut(atoms: readonly Atom[], i: number, j: number): boolean {
  const parent = atoms[i]!.parent;
  if (parent < 0 || i === j) return false;
  for (let k = i; k <= j; k++) if (atoms[k]!.parent !== parent) return false;
  return atoms[i - 1]?.parent !== parent && atoms[j + 1]?.parent !== parent;
}

/**
 * Segments an image of one or more lines of handwriting into candidate characters and their
 * 28x28 images (the shared MNIST convention), ready to classify in one batch; see
 * `chooseCharacters` for the second half. A blank image gives status `blank`; ink with
 * nothing character-shaped gives `no-characters`; both with no candidates.
 *
 * @param options - resolved read options (see `resolveReadOptions`)
 * @throws HcrError BAD_IMAGE when the image is larger than `maxPixels` or malformed
 * @example
 * const seg = segmentImage(gray, resolveReadOptions());
 * const probs = await classify(seg.images, seg.candidates.length);
 */
export function segmentImage(image: GrayImage, options: ResolvedReadOptions): Segmentation {
  const { width, height } = image;
  const page = findPageLines(image, options);
  const { ink, lab, t, groups } = page;
  const empty = (status: Segmentation['status'], specks: number): Segmentation => ({
    status,
    width,
    height,
    inverted: ink.inverted,
    slant: 0,
    specks,
    lines: [],
    candidates: [],
    images: new Uint8Array(0),
  });
  if (page.status !== 'ok') return empty(page.status, page.specks);
  let specks = page.specks;

  const lines: SegmentedLine[] = [];
  const candidates: Candidate[] = [];
  const found: { atoms: Atom[]; charHeight: number; runs: ReturnType<typeof lineCandidates> }[] =
    [];
  for (const members of groups) {
    const { atoms, charHeight, dropped } = lineAtoms(lab, members, ink, options);
    specks += dropped;
    if (atoms.length === 0) continue;
    if (!atoms.some((a) => a.y1 - a.y0 + 1 >= options.minCharHeight)) {
      specks += atoms.length;
      continue;
    }
    found.push({ atoms, charHeight, runs: lineCandidates(atoms, charHeight) });
  }
  if (found.length === 0) return empty('no-characters', specks);
  const total = found.reduce((n, f) => n + f.runs.length, 0);
  const images = new Uint8Array(total * IMAGE_PIXELS);
  for (const [line, f] of found.entries()) {
    const indices: number[] = [];
    for (const run of f.runs) {
      const row = candidates.length;
      candidateImage(
        f.atoms.slice(run.first, run.last + 1),
        ink,
        lab.labels,
        run.box,
        images.subarray(row * IMAGE_PIXELS, (row + 1) * IMAGE_PIXELS),
      );
      indices.push(row);
      candidates.push({ line, ...run, row });
    }
    lines.push({ charHeight: f.charHeight, atoms: f.atoms, candidates: indices });
  }
  return {
    status: 'ok',
    width,
    height,
    inverted: ink.inverted,
    slant: slantDegrees(t),
    specks,
    lines,
    candidates,
    images,
  };
}
