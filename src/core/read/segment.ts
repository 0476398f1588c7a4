// Segmentation of an image of handwriting into candidate characters, before any classifier
// runs: ink from the shared normalization (paper removed), connected components, specks
// dropped, lines by a horizontal projection taken at the slant that makes it sharpest, and per
// line a row of "atoms" (components, with specks joined to the character above or below, and
// components too wide for one character cut where the vertical projection is low, along a
// path of least ink). Every run of up to a few neighbouring atoms that could be one character
// is a candidate; all candidates are normalized to 28x28 with normalizeToMnist and classified
// in one batch, and read.ts (chooseCharacters) keeps the best-scoring way to cover each line.

import { labelInk } from '../components.js';
import { HcrError } from '../errors.js';
import { extractInk, normalizeToMnist } from '../normalize.js';
import type { InkImage, PixelBox } from '../normalize.js';
import { IMAGE_PIXELS } from '../types.js';
import type { GrayImage } from '../types.js';
import type { ResolvedReadOptions } from './options.js';

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
/** A character is at most this wide (a fraction of its line's character height)... */
const MAX_CHAR_WIDTH = 1.5;
/** ...and a component wider than this is tried cut into several. */
const CUT_WIDTH = 1.1;
/** A cut leaves at least this much (a fraction of the character height) on either side. */
const MIN_PIECE_WIDTH = 0.2;
/** Cuts tried per character height of width: one per this fraction of it. */
const CUT_SPACING = 0.35;
/** Cut positions are at least this far apart (a fraction of the character height). */
const CUT_SEPARATION = 0.3;
/** How far a cut path may wander from its column, as a fraction of the character height. */
const CUT_DRIFT = 0.25;
/** Cost of a sideways step of a cut path, in ink levels (keeps paths straight on paper). */
const CUT_STEP_COST = 4;
/** Components shorter than this fraction of the page's character height never form a line. */
const NOISE_SIZE = 0.15;
/** A thin component this many character heights wide is a ruled line or underline. */
const RULE_WIDTH = 2;
/** Score cost of a cut (log-probability units), and of each stroke it crosses after the first. */
const CUT_COST = 0.3;
const CUT_STROKE_COST = 0.5;
/** Score cost of a run less than half the character height tall (a fragment on its own). */
const FRAGMENT_COST = 1.5;
/** Score cost per character height of width beyond WIDE_START character heights. */
const WIDE_START = 1;
const WIDE_COST = 2;
/** Slant search step, in degrees. */
const SLANT_STEP = 0.5;

/** A connected component of ink (8-neighbour) at or above the ink threshold. */
interface Component {
  readonly x0: number;
  readonly y0: number;
  readonly x1: number;
  readonly y1: number;
  /** Its pixel indices are `order[start .. start + count)`. */
  readonly start: number;
  readonly count: number;
  readonly mass: number;
  readonly cx: number;
  readonly cy: number;
}

/** A piece of a line that is part of one character: a component, or a piece of one cut. */
export interface Atom {
  /** Pixel indices (`y * width + x`) into the image. */
  readonly pixels: Int32Array;
  readonly x0: number;
  readonly y0: number;
  readonly x1: number;
  readonly y1: number;
  /** The index of the atom this was cut from, for pieces of a cut; -1 otherwise. */
  readonly parent: number;
  /** For a piece right of a cut: how many strokes the cut crosses; 0 otherwise. */
  readonly cutStrokes: number;
}

/** A run of neighbouring atoms that may be one character, with its 28x28 image. */
export interface Candidate {
  /** Line index. */
  readonly line: number;
  /** First and last atom of the run (inclusive), indices into the line's atoms. */
  readonly first: number;
  readonly last: number;
  /** The ink's box in image coordinates. */
  readonly box: PixelBox;
  /** Penalty for an implausible shape (a fragment, or too wide), subtracted from its score. */
  readonly penalty: number;
  /** Row of the candidate's image in {@link Segmentation.images}. */
  readonly row: number;
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
export interface Segmentation {
  /** `blank`: no ink at all; `no-characters`: ink, but nothing shaped like a character. */
  readonly status: 'ok' | 'blank' | 'no-characters';
  readonly width: number;
  readonly height: number;
  /** True when the image was dark ink on light paper. */
  readonly inverted: boolean;
  /** The slant of the lines found, in degrees (positive: rising to the right). */
  readonly slant: number;
  /** Components dropped as specks, rules or noise. */
  readonly specks: number;
  readonly lines: readonly SegmentedLine[];
  readonly candidates: readonly Candidate[];
  /** `candidates.length` 28x28 images in the MNIST convention, back to back. */
  readonly images: Uint8Array;
}

/** The ink threshold of the image and its components, with pixel lists in one array. */
interface Labelled {
  readonly labels: Int32Array;
  readonly order: Int32Array;
  readonly components: Component[];
}

function labelComponents(ink: InkImage, threshold: number): Labelled {
  const { width: w, height: h, data } = ink;
  const n = w * h;
  const labels = new Int32Array(n);
  const raw = labelInk(data, w, h, threshold, labels, new Int32Array(n));
  // Pixel lists in raster order, one contiguous range per component.
  const starts = new Int32Array(raw.length + 1);
  for (let k = 0; k < raw.length; k++) starts[k + 1] = starts[k]! + raw[k]!.count;
  const fill = starts.slice(0, raw.length);
  const order = new Int32Array(starts[raw.length]!);
  for (let p = 0; p < n; p++) {
    const id = labels[p]!;
    if (id > 0) order[fill[id - 1]!++] = p;
  }
  const components = raw.map((c, k) => ({
    x0: c.x0,
    y0: c.y0,
    x1: c.x1,
    y1: c.y1,
    start: starts[k]!,
    count: c.count,
    mass: c.mass,
    cx: c.sx / c.mass,
    cy: c.sy / c.mass,
  }));
  return { labels, order, components };
}

/**
 * The upper median: of two middle values the larger, so that a broken piece never wins a tie
 * against a whole character's height.
 *
 * @example
 * upperMedian([23, 44]); // 44
 */
export function upperMedian(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Typical character height: the (upper) median height of the taller components. */
function typicalHeight(components: readonly Component[]): number {
  const heights = components.map((c) => c.y1 - c.y0 + 1);
  const tallest = Math.max(0, ...heights);
  return upperMedian(heights.filter((hh) => hh >= 0.5 * tallest));
}

/**
 * The slant (tangent) at which the horizontal projection of the ink is sharpest: lines of
 * writing that rise or fall slightly still give one narrow peak each.
 */
function estimateSlant(
  lab: Labelled,
  components: readonly Component[],
  width: number,
  height: number,
  maxSlant: number,
): number {
  let total = 0;
  for (const c of components) total += c.count;
  const stride = Math.max(1, Math.floor(total / 4000));
  const xs = new Float64Array(Math.ceil(total / stride) + components.length);
  const ys = new Float64Array(xs.length);
  let n = 0;
  for (const c of components) {
    for (let k = c.start; k < c.start + c.count; k += stride) {
      const p = lab.order[k]!;
      const y = (p / width) | 0;
      xs[n] = p - y * width - width / 2;
      ys[n++] = y;
    }
  }
  const reach = Math.ceil((width / 2) * Math.tan((maxSlant * Math.PI) / 180)) + 1;
  const bins = new Float64Array(height + 2 * reach + 1);
  const sharpness = (degrees: number): number => {
    const t = Math.tan((degrees * Math.PI) / 180);
    bins.fill(0);
    for (let i = 0; i < n; i++) bins[Math.round(ys[i]! - t * xs[i]!) + reach]! += 1;
    let score = 0;
    for (let b = 0; b < bins.length; b++) score += bins[b]! * bins[b]!;
    return score;
  };
  // Coarse steps, then fine ones around the best; from 0 outwards so that ties keep 0.
  let best = 0;
  let bestScore = sharpness(0);
  const search = (centre: number, step: number, count: number) => {
    const from = best;
    for (let k = 1; k <= count; k++) {
      for (const degrees of [centre + k * step, centre - k * step]) {
        if (Math.abs(degrees) > maxSlant || degrees === from) continue;
        const score = sharpness(degrees);
        if (score > bestScore * 1.02) {
          bestScore = score;
          best = degrees;
        }
      }
    }
  };
  search(0, SLANT_STEP * 4, Math.floor(maxSlant / (SLANT_STEP * 4)));
  search(best, SLANT_STEP, 3);
  return Math.tan((best * Math.PI) / 180);
}

/**
 * Groups components into lines: the horizontal projection (at slant `t`) of the components'
 * boxes splits into bands separated by empty rows; a band of only short components (a broken
 * piece above or below its line) joins the nearest band.
 */
function findLines(
  components: readonly Component[],
  width: number,
  t: number,
  charHeight: number,
): Component[][] {
  const shift = (c: Component) => -t * (c.cx - width / 2);
  let lo = Infinity;
  let hi = -Infinity;
  for (const c of components) {
    lo = Math.min(lo, Math.floor(c.y0 + shift(c)));
    hi = Math.max(hi, Math.ceil(c.y1 + shift(c)));
  }
  const rows = hi - lo + 1;
  const profile = new Float64Array(rows);
  for (const c of components) {
    const a = Math.floor(c.y0 + shift(c)) - lo;
    const b = Math.ceil(c.y1 + shift(c)) - lo;
    const weight = c.count / (b - a + 1);
    for (let y = a; y <= b; y++) profile[y]! += weight;
  }
  const bands: { a: number; b: number; members: Component[]; tallest: number }[] = [];
  for (let y = 0; y < rows; y++) {
    if (profile[y]! <= 0) continue;
    const last = bands.at(-1);
    if (last && y - last.b <= 1) last.b = y;
    else bands.push({ a: y, b: y, members: [], tallest: 0 });
  }
  const bandOf = (c: Component): number => {
    const y = c.cy + shift(c) - lo;
    let best = 0;
    let bestDistance = Infinity;
    bands.forEach((band, i) => {
      const d = y < band.a ? band.a - y : y > band.b ? y - band.b : 0;
      if (d < bestDistance) {
        bestDistance = d;
        best = i;
      }
    });
    return best;
  };
  for (const c of components) {
    const band = bands[bandOf(c)]!;
    band.members.push(c);
    band.tallest = Math.max(band.tallest, c.y1 - c.y0 + 1);
  }
  // A band of short pieces belongs to the nearest band of full-height characters.
  const full = bands.filter((b) => b.tallest >= 0.5 * charHeight);
  if (full.length === 0) return bands.map((b) => b.members);
  for (const band of bands) {
    if (band.tallest >= 0.5 * charHeight) continue;
    const centre = (band.a + band.b) / 2;
    let nearest = full[0]!;
    for (const f of full) {
      const d = Math.max(0, f.a - centre, centre - f.b);
      if (d < Math.max(0, nearest.a - centre, centre - nearest.b)) nearest = f;
    }
    nearest.members.push(...band.members);
  }
  return full.map((b) => b.members);
}

function atomOf(lab: Labelled, parts: readonly Component[], width: number): Atom {
  let count = 0;
  for (const c of parts) count += c.count;
  const pixels = new Int32Array(count);
  let at = 0;
  for (const c of parts) {
    pixels.set(lab.order.subarray(c.start, c.start + c.count), at);
    at += c.count;
  }
  return boxAtom(pixels, width, -1);
}

function boxAtom(pixels: Int32Array, width: number, parent: number): Atom {
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -1;
  let y1 = -1;
  for (const p of pixels) {
    const y = (p / width) | 0;
    const x = p - y * width;
    if (x < x0) x0 = x;
    if (x > x1) x1 = x;
    if (y < y0) y0 = y;
    if (y > y1) y1 = y;
  }
  return { pixels, x0, y0, x1, y1, parent, cutStrokes: 0 };
}

/**
 * Cuts an atom too wide for one character at up to a few columns where its vertical projection
 * has a local minimum, each along the path of least ink from top to bottom near that column.
 * Returns the pieces left to right (just the atom when no cut is possible).
 */
function cutAtom(atom: Atom, ink: InkImage, charHeight: number, parent: number): Atom[] {
  const { width } = ink;
  const bw = atom.x1 - atom.x0 + 1;
  const bh = atom.y1 - atom.y0 + 1;
  const local = new Float32Array(bw * bh);
  const columns = new Float64Array(bw);
  for (const p of atom.pixels) {
    const y = (p / width) | 0;
    const x = p - y * width;
    local[(y - atom.y0) * bw + (x - atom.x0)] = ink.data[p]!;
    columns[x - atom.x0]! += 1;
  }
  const smooth = columns.map((v, i) => (2 * v + (columns[i - 1] ?? v) + (columns[i + 1] ?? v)) / 4);
  const margin = Math.max(2, Math.round(MIN_PIECE_WIDTH * charHeight));
  // Local minima of the projection; a flat valley (a bar joining two characters) gives its
  // middle column.
  const minima: number[] = [];
  for (let x = 1; x < bw - 1;) {
    let end = x;
    while (end + 1 < bw - 1 && Math.abs(smooth[end + 1]! - smooth[x]!) < 1e-9) end++;
    const v = smooth[x]!;
    const middle = Math.round((x + end) / 2);
    if (v < smooth[x - 1]! && v < smooth[end + 1]! && middle >= margin && middle < bw - margin) {
      minima.push(middle);
    }
    x = end + 1;
  }
  if (minima.length === 0 && bw > 2 * margin) minima.push(Math.round(bw / 2));
  minima.sort((a, b) => smooth[a]! - smooth[b]!);
  // About one cut per third of a character height, the lowest valleys first.
  const wanted = Math.max(1, Math.ceil(bw / (CUT_SPACING * charHeight)) - 1);
  const separation = Math.max(2, CUT_SEPARATION * charHeight);
  const cuts: number[] = [];
  for (const x of minima) {
    if (cuts.length >= wanted) break;
    if (cuts.every((c) => Math.abs(c - x) >= separation)) cuts.push(x);
  }
  cuts.sort((a, b) => a - b);
  if (cuts.length === 0) return [atom];

  const drift = Math.max(1, Math.round(CUT_DRIFT * charHeight));
  const paths = cuts.map((c) => cutPath(local, bw, bh, c, drift));
  // Keep paths apart so pieces never interleave.
  for (let k = 1; k < paths.length; k++) {
    for (let y = 0; y < bh; y++) {
      paths[k]![y] = Math.max(paths[k]![y]!, paths[k - 1]![y]! + 1);
    }
  }
  const pieceOf = new Uint8Array(atom.pixels.length);
  const sizes = new Int32Array(paths.length + 1);
  atom.pixels.forEach((p, i) => {
    const y = (p / width) | 0;
    const x = p - y * width - atom.x0;
    let piece = 0;
    while (piece < paths.length && x >= paths[piece]![y - atom.y0]!) piece++;
    pieceOf[i] = piece;
    sizes[piece]!++;
  });
  const pieces: Atom[] = [];
  for (let k = 0; k <= paths.length; k++) {
    if (sizes[k] === 0) continue;
    const pixels = new Int32Array(sizes[k]!);
    let at = 0;
    atom.pixels.forEach((p, i) => {
      if (pieceOf[i] === k) pixels[at++] = p;
    });
    const cutStrokes =
      k === 0 || pieces.length === 0 ? 0 : strokesCrossed(local, bw, paths[k - 1]!);
    pieces.push({ ...boxAtom(pixels, width, parent), cutStrokes });
  }
  return pieces.length > 1 ? pieces : [atom];
}

/** How many separate strokes a cut path crosses: runs of rows where it cuts through ink. */
function strokesCrossed(local: Float32Array, bw: number, path: Int32Array): number {
  let strokes = 0;
  let inside = false;
  for (let y = 0; y < path.length; y++) {
    const x = path[y]!;
    const ink = local[y * bw + x]! > 0 && local[y * bw + x - 1]! > 0;
    if (ink && !inside) strokes++;
    inside = ink;
  }
  return strokes;
}

/**
 * The path from the top to the bottom row of `local` (bw x bh ink) that crosses the least ink,
 * staying within `drift` columns of `column` and moving at most one column per row. Entry y is
 * the first column of row y that goes to the right-hand piece.
 */
function cutPath(
  local: Float32Array,
  bw: number,
  bh: number,
  column: number,
  drift: number,
): Int32Array {
  const a = Math.max(1, column - drift);
  const b = Math.min(bw - 1, column + drift);
  const span = b - a + 1;
  const cost = new Float64Array(bh * span);
  const from = new Int8Array(bh * span);
  for (let y = 0; y < bh; y++) {
    for (let i = 0; i < span; i++) {
      const x = a + i;
      // Cutting between x-1 and x crosses the lighter of the two pixels.
      const here = Math.min(local[y * bw + x]!, local[y * bw + x - 1]!);
      const centre = Math.abs(x - column) * 0.5;
      if (y === 0) {
        cost[i] = here + centre;
        continue;
      }
      let best = Infinity;
      let step = 0;
      for (let d = -1; d <= 1; d++) {
        const j = i + d;
        if (j < 0 || j >= span) continue;
        const c = cost[(y - 1) * span + j]! + (d === 0 ? 0 : CUT_STEP_COST);
        if (c < best) {
          best = c;
          step = d;
        }
      }
      cost[y * span + i] = best + here + centre;
      from[y * span + i] = step;
    }
  }
  let end = 0;
  for (let i = 1; i < span; i++) {
    if (cost[(bh - 1) * span + i]! < cost[(bh - 1) * span + end]!) end = i;
  }
  const path = new Int32Array(bh);
  for (let y = bh - 1; y >= 0; y--) {
    path[y] = a + end;
    end += from[y * span + end]!;
  }
  return path;
}

/**
 * The atoms of one line: specks join the character whose columns they share (a broken piece
 * above or below) or are dropped; ruled lines are dropped; components too wide for one
 * character are cut into pieces.
 */
function lineAtoms(
  lab: Labelled,
  members: readonly Component[],
  ink: InkImage,
  options: ResolvedReadOptions,
): { atoms: Atom[]; charHeight: number; dropped: number } {
  const charHeight = Math.max(1, typicalHeight(members));
  const isSmall = (c: Component) =>
    Math.max(c.x1 - c.x0 + 1, c.y1 - c.y0 + 1) < options.speckSize * charHeight;
  const isRule = (c: Component) =>
    c.y1 - c.y0 + 1 < 0.3 * charHeight && c.x1 - c.x0 + 1 > RULE_WIDTH * charHeight;
  const main = members.filter((c) => !isSmall(c) && !isRule(c));
  const parts = main.map((c) => [c]);
  let dropped = members.filter(isRule).length;
  for (const c of members) {
    if (!isSmall(c)) continue;
    // Join the main component sharing most of this one's columns, or one it nearly touches.
    let best = -1;
    let bestScore = -Infinity;
    main.forEach((m, i) => {
      const overlap = Math.min(c.x1, m.x1) - Math.max(c.x0, m.x0) + 1;
      const gapX = Math.max(0, c.x0 - m.x1 - 1, m.x0 - c.x1 - 1);
      const gapY = Math.max(0, c.y0 - m.y1 - 1, m.y0 - c.y1 - 1);
      const shares = overlap >= 0.5 * (c.x1 - c.x0 + 1);
      const near = Math.max(gapX, gapY) <= 0.1 * charHeight;
      if (!shares && !near) return;
      const score = overlap - gapY;
      if (score > bestScore) {
        bestScore = score;
        best = i;
      }
    });
    if (best >= 0) parts[best]!.push(c);
    else dropped++;
  }
  const whole = parts
    .map((p) => atomOf(lab, p, ink.width))
    .sort((a, b) => a.x0 + a.x1 - (b.x0 + b.x1));
  const atoms: Atom[] = [];
  whole.forEach((atom, i) => {
    if (atom.x1 - atom.x0 + 1 > CUT_WIDTH * charHeight) {
      atoms.push(...cutAtom(atom, ink, charHeight, i));
    } else {
      atoms.push(atom);
    }
  });
  return { atoms, charHeight, dropped };
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

/** The lines of a page, before anything is cut: what both readers start from. */
interface PageLines {
  readonly status: 'ok' | 'blank' | 'no-characters';
  readonly ink: InkImage;
  readonly lab: Labelled;
  /** Components left out as noise (too small for the page's writing). */
  readonly noise: readonly Component[];
  readonly specks: number;
  /** The slant's tangent. */
  readonly t: number;
  readonly pageHeight: number;
  /** The lines' components, top to bottom. */
  readonly groups: readonly Component[][];
}

/**
 * Ink, components, slant and lines of a page (the shared start of {@link segmentImage} and
 * {@link segmentLines}).
 */
function findPageLines(image: GrayImage, options: ResolvedReadOptions): PageLines {
  const { width, height } = image;
  if (width * height > options.maxPixels) {
    throw new HcrError(
      'BAD_IMAGE',
      `read: ${width}x${height} = ${width * height} px exceeds the limit of ${options.maxPixels}`,
    );
  }
  const ink = extractInk(image, { polarity: options.polarity });
  const none = { t: 0, pageHeight: 0, groups: [], noise: [] };
  const emptyLab: Labelled = {
    labels: new Int32Array(0),
    order: new Int32Array(0),
    components: [],
  };
  if (ink.max < 32) return { status: 'blank', ink, lab: emptyLab, specks: 0, ...none };
  const lab = labelComponents(ink, Math.max(1, options.inkThreshold * ink.max));
  const characterLike = lab.components.filter((c) => c.y1 - c.y0 + 1 >= options.minCharHeight);
  if (characterLike.length === 0) {
    return { status: 'no-characters', ink, lab, specks: lab.components.length, ...none };
  }
  const pageHeight = typicalHeight(characterLike);
  const isKept = (c: Component) =>
    Math.max(c.x1 - c.x0 + 1, c.y1 - c.y0 + 1) >= NOISE_SIZE * pageHeight;
  const kept = lab.components.filter(isKept);
  const noise = lab.components.filter((c) => !isKept(c));
  const t = estimateSlant(lab, kept, width, height, options.maxSlant);
  const groups = findLines(kept, width, t, pageHeight).sort(
    (a, b) => Math.min(...a.map((c) => c.cy)) - Math.min(...b.map((c) => c.cy)),
  );
  return { status: 'ok', ink, lab, noise, specks: noise.length, t, pageHeight, groups };
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
    slant: t === 0 ? 0 : (-Math.atan(t) * 180) / Math.PI,
    specks,
    lines,
    candidates,
    images,
  };
}

/** One line of writing cut out for a line model: its ink, deskewed, and where it came from. */
export interface TextLine {
  /** The line's ink, bright on 0 (other lines' ink left out), its rows sheared by the slant. */
  readonly image: GrayImage;
  /** The line's ink box in the image. */
  readonly box: PixelBox;
  /** Median height of the line's characters, in pixels. */
  readonly charHeight: number;
  /**
   * Per column of the box (x - box.x): the topmost and bottommost ink row in the image, -1
   * where the column holds none of the line's ink; so a span of columns gives a character's box.
   */
  readonly top: Int32Array;
  readonly bottom: Int32Array;
}

/** What {@link segmentLines} found. */
export interface LineSegmentation {
  readonly status: 'ok' | 'blank' | 'no-characters';
  readonly width: number;
  readonly height: number;
  readonly inverted: boolean;
  /** The slant of the lines found, in degrees (positive: rising to the right). */
  readonly slant: number;
  /** Components left out as noise (and lines without a character-tall component). */
  readonly specks: number;
  readonly lines: readonly TextLine[];
}

/**
 * The lines of an image for a line model, found as {@link segmentImage} finds them but not cut
 * into characters: each line's ink (its components, the faint pixels bordering them, and the
 * small marks near it: dots, commas, full stops), sheared so the line runs level.
 *
 * @param options - resolved read options (see `resolveReadOptions`)
 * @throws HcrError BAD_IMAGE when the image is larger than `maxPixels` or malformed
 * @example
 * const { lines } = segmentLines(gray, resolveReadOptions());
 * const line = normalizeLine(lines[0].image, { inkIsBright: true });
 */
export function segmentLines(image: GrayImage, options: ResolvedReadOptions): LineSegmentation {
  const { width, height } = image;
  const page = findPageLines(image, options);
  const { ink, lab, t } = page;
  const base = {
    width,
    height,
    inverted: ink.inverted,
    slant: t === 0 ? 0 : (-Math.atan(t) * 180) / Math.PI,
  };
  if (page.status !== 'ok') return { ...base, status: page.status, specks: page.specks, lines: [] };
  const shift = (x: number) => -t * (x - width / 2);
  // Rules (underlines, form lines) are dropped as the glyph reader drops them: a line model
  // would see the text squeezed above them.
  let rules = 0;
  const groups = page.groups
    .filter((g) => g.some((c) => c.y1 - c.y0 + 1 >= options.minCharHeight))
    .map((g) => {
      const height = typicalHeight(g);
      const kept = g.filter(
        (c) => !(c.y1 - c.y0 + 1 < 0.3 * height && c.x1 - c.x0 + 1 > RULE_WIDTH * height),
      );
      rules += g.length - kept.length;
      return kept;
    })
    .filter((g) => g.length > 0);
  let specks = page.specks + rules + (page.groups.length - groups.length);
  // Small marks go to the line whose band (in level coordinates) holds them.
  const bands = groups.map((g) => {
    const band = { a: Infinity, b: -Infinity, x0: Infinity, x1: -Infinity, h: typicalHeight(g) };
    for (const c of g) {
      band.a = Math.min(band.a, c.y0 + shift(c.cx));
      band.b = Math.max(band.b, c.y1 + shift(c.cx));
      band.x0 = Math.min(band.x0, c.x0);
      band.x1 = Math.max(band.x1, c.x1);
    }
    return band;
  });
  for (const c of page.noise) {
    const y = c.cy + shift(c.cx);
    let best = -1;
    let bestDistance = Infinity;
    bands.forEach((band, i) => {
      if (c.cx < band.x0 - band.h || c.cx > band.x1 + band.h) return;
      const d = Math.max(0, band.a - y, y - band.b);
      if (d <= 0.3 * band.h && d < bestDistance) {
        bestDistance = d;
        best = i;
      }
    });
    if (best >= 0) {
      groups[best]!.push(c);
      specks--;
    }
  }
  const lines: TextLine[] = [];
  groups.forEach((g, i) => {
    let [x0, y0, x1, y1] = [width, height, -1, -1];
    for (const c of g) {
      x0 = Math.min(x0, c.x0);
      y0 = Math.min(y0, c.y0);
      x1 = Math.max(x1, c.x1);
      y1 = Math.max(y1, c.y1);
    }
    [x0, y0] = [Math.max(0, x0 - 1), Math.max(0, y0 - 1)];
    [x1, y1] = [Math.min(width - 1, x1 + 1), Math.min(height - 1, y1 + 1)];
    const cx = (x0 + x1) / 2;
    // Rows shift by the slant around the line's centre: the sheared image is taller.
    const lift = Math.ceil(Math.abs(t) * (x1 - x0 + 1)) + 1;
    const w = x1 - x0 + 1;
    const h = y1 - y0 + 1 + 2 * lift;
    const data = new Uint8Array(w * h);
    const top = new Int32Array(w).fill(-1);
    const bottom = new Int32Array(w).fill(-1);
    const put = (p: number, counted: boolean) => {
      const y = (p / width) | 0;
      const x = p - y * width;
      const yy = y - y0 + lift - Math.round(t * (x - cx));
      if (yy < 0 || yy >= h) return;
      data[yy * w + (x - x0)] = ink.data[p]!;
      const k = x - x0;
      if (counted) {
        if (top[k] === -1 || y < top[k]!) top[k] = y;
        if (y > bottom[k]!) bottom[k] = y;
      }
    };
    // The line's pixels, and the faint ones below the threshold that border them. Work in
    // proportion to the line's ink, not to its box (a slanted line's box is mostly paper).
    const faint = (q: number) => lab.labels[q] === 0 && ink.data[q]! > 0;
    for (const c of g) {
      for (let k = c.start; k < c.start + c.count; k++) {
        const p = lab.order[k]!;
        put(p, true);
        const x = p % width;
        if (x > 0 && faint(p - 1)) put(p - 1, false);
        if (x < width - 1 && faint(p + 1)) put(p + 1, false);
        if (p >= width && faint(p - width)) put(p - width, false);
        if (p + width < width * height && faint(p + width)) put(p + width, false);
      }
    }
    lines.push({
      image: { width: w, height: h, data },
      box: { x: x0, y: y0, width: w, height: y1 - y0 + 1 },
      charHeight: bands[i]!.h,
      top,
      bottom,
    });
  });
  return { ...base, status: lines.length > 0 ? 'ok' : 'no-characters', specks, lines };
}
