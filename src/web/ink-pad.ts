// The writing area's ink as strokes (docs/DESIGN.md §8, "Ink is the native input"): each stroke
// keeps its pen points with their time, pressure and tilt, in pad units (the pad's height is 1),
// whatever width the display draws it with; a history of edits gives undo and redo of strokes,
// erasing and clearing; a tap finds the stroke under it; a palm resting on a stylus screen is
// told from a finger. The pad (pad.ts) draws; this file knows the strokes.

import type { InkStroke } from '../core/ink/types.js';

/** One pen sample, in pad units (y 0-1, x 0 to width / height) and page milliseconds. */
export interface PenPoint {
  readonly x: number;
  readonly y: number;
  /** Milliseconds (the pointer event's timeStamp). */
  readonly t: number;
  /** 0-1, from a pen (a mouse's and a finger's are not kept: browsers make them up). */
  readonly pressure?: number;
  /** Degrees, from a pen. */
  readonly tiltX?: number;
  readonly tiltY?: number;
}

/** One stroke: an id that outlives edits of other strokes, its display width and its points. */
export interface PadStroke {
  readonly id: number;
  /** Display width as a fraction of the pad's height (the model never sees it). */
  readonly width: number;
  readonly points: readonly PenPoint[];
}

/** Ink units per pad unit in {@link inkOf}: a pad 1 unit high is 1000 ink units. */
export const INK_UNITS = 1000;

/**
 * Palm rejection: a touch is a palm while a pen is down, or when its contact is at least
 * `palmContact` CSS pixels across while a pen was near in the last `penNearMs`.
 */
export const PALM = Object.freeze({ palmContact: 30, penNearMs: 1500 });

/** What {@link isPalm} needs of a pointer event. */
export interface ContactLike {
  readonly pointerType: string;
  /** Contact size in CSS pixels (1 for a mouse or a pen). */
  readonly width: number;
  readonly height: number;
  readonly timeStamp: number;
}

/**
 * True when a touch is a palm resting on a stylus screen: any touch while a pen is down, and a
 * large contact while a pen was near (hovering or writing) in the last PALM.penNearMs.
 *
 * @param penSeenAt - timeStamp of the pen's last event, or -Infinity when no pen was seen
 * @example
 * isPalm({ pointerType: 'touch', width: 60, height: 45, timeStamp: 1000 }, false, 900); // true
 */
export function isPalm(e: ContactLike, penDown: boolean, penSeenAt: number): boolean {
  if (e.pointerType !== 'touch') return false;
  if (penDown) return true;
  const large = Math.max(e.width, e.height) >= PALM.palmContact;
  return large && e.timeStamp - penSeenAt < PALM.penNearMs;
}

/** Squared distance from p to the segment a-b. */
function segmentDistance2(p: PenPoint, a: PenPoint, b: PenPoint): number {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const len2 = dx * dx + dy * dy;
  const k = len2 > 0 ? Math.max(0, Math.min(1, ((p.x - a.x) * dx + (p.y - a.y) * dy) / len2)) : 0;
  const x = a.x + k * dx - p.x;
  const y = a.y + k * dy - p.y;
  return x * x + y * y;
}

/**
 * The id of the newest stroke that passes within `radius` (plus its own half width) of `p`, or
 * undefined.
 *
 * @example
 * hitStroke(history.strokes, { x: 0.5, y: 0.4, t: 0 }, 0.02); // 7
 */
export function hitStroke(
  strokes: readonly PadStroke[],
  p: PenPoint,
  radius: number,
): number | undefined {
  for (let s = strokes.length - 1; s >= 0; s--) {
    const stroke = strokes[s]!;
    const reach = radius + stroke.width / 2;
    const points = stroke.points;
    for (let i = 0; i < points.length; i++) {
      const a = points[i]!;
      const b = points[Math.min(i + 1, points.length - 1)]!;
      if (segmentDistance2(p, a, b) <= reach * reach) return stroke.id;
    }
  }
  return undefined;
}

/**
 * Strokes as core's ink (the Handwriting Recognition API's points): x and y in
 * {@link INK_UNITS} per pad unit, t in milliseconds from the first point.
 *
 * @example
 * const strokes = inkOf(history.strokes); // [[{ x: 120, y: 300, t: 0 }, ...], ...]
 */
export function inkOf(strokes: readonly PadStroke[]): InkStroke[] {
  const t0 = strokes[0]?.points[0]?.t ?? 0;
  return strokes.map((s) =>
    s.points.map((p) => ({ x: p.x * INK_UNITS, y: p.y * INK_UNITS, t: p.t - t0 })),
  );
}

/**
 * The strokes on the pad and the edits that made them: adding a stroke, erasing strokes and
 * clearing are each one step of undo and redo; a new edit forgets what could be redone.
 *
 * @example
 * const history = new StrokeHistory();
 * history.add({ id: 1, width: 0.03, points });
 * history.undo(); // true: the stroke is gone
 * history.redo(); // true: it is back
 */
export class StrokeHistory {
  #strokes: readonly PadStroke[] = [];
  readonly #undo: (readonly PadStroke[])[] = [];
  readonly #redo: (readonly PadStroke[])[] = [];
  #nextId = 1;

  /** The strokes, oldest first. */
  get strokes(): readonly PadStroke[] {
    return this.#strokes;
  }

  get canUndo(): boolean {
    return this.#undo.length > 0;
  }

  get canRedo(): boolean {
    return this.#redo.length > 0;
  }

  /** A fresh stroke id. */
  newId(): number {
    return this.#nextId++;
  }

  #edit(next: readonly PadStroke[]): void {
    this.#undo.push(this.#strokes);
    this.#redo.length = 0;
    this.#strokes = next;
  }

  add(stroke: PadStroke): void {
    this.#edit([...this.#strokes, stroke]);
  }

  /** Removes the strokes with these ids; false when none is on the pad. */
  erase(ids: readonly number[]): boolean {
    const next = this.#strokes.filter((s) => !ids.includes(s.id));
    if (next.length === this.#strokes.length) return false;
    this.#edit(next);
    return true;
  }

  /** Removes every stroke (one step of undo brings them back); false when there were none. */
  clear(): boolean {
    if (this.#strokes.length === 0) return false;
    this.#edit([]);
    return true;
  }

  undo(): boolean {
    const before = this.#undo.pop();
    if (!before) return false;
    this.#redo.push(this.#strokes);
    this.#strokes = before;
    return true;
  }

  redo(): boolean {
    const after = this.#redo.pop();
    if (!after) return false;
    this.#undo.push(this.#strokes);
    this.#strokes = after;
    return true;
  }

  /** Puts these strokes on the pad with no history (a mode's drawing brought back). */
  reset(strokes: readonly PadStroke[]): void {
    this.#strokes = [...strokes];
    this.#undo.length = 0;
    this.#redo.length = 0;
    for (const s of strokes) this.#nextId = Math.max(this.#nextId, s.id + 1);
  }
}
