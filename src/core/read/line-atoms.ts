// The atoms of a line for the glyph reader: its components, with specks joined to the character
// above or below them and rules dropped, and components too wide for one character cut where
// the vertical projection is low, along a path of least ink. segment.ts makes candidate
// characters of runs of neighbouring atoms.

import type { InkImage } from '../extract-ink.js';
import type { ResolvedReadOptions } from './options.js';
import { RULE_WIDTH, typicalHeight } from './page-lines.js';
import type { Component, Labelled } from './page-lines.js';

/** A component wider than this (a fraction of its line's character height) is tried cut into several. */
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
export function lineAtoms(
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
