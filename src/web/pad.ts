// The drawing pad: a canvas that takes strokes from a mouse, a finger or a pen (pointer events,
// coalesced for smoothness; a palm resting on a stylus screen is ignored), draws them as smooth
// curves, and keeps them as strokes with their time, pressure and tilt (ink-pad.ts) so that
// undo, redo, erasing a stroke, clear and a change of size redraw them exactly, and a line can be
// read from the strokes themselves. An uploaded image can sit under the strokes.
// The pad is square for one character and wide for a line (its shape comes from CSS); what is
// on it can be set aside and brought back, so each mode of the page keeps its own drawing.

import type { InkStroke } from '../core/ink/types.js';
import {
  StrokeHistory,
  hitStroke,
  inkOf,
  isPalm,
  type PadStroke,
  type PenPoint,
} from './ink-pad.js';

type Point = PenPoint;
type Stroke = PadStroke;

/** What a pointer does on the pad: write, or erase the strokes it touches. */
export type PadTool = 'pen' | 'erase';

/**
 * Why the pad changed: a stroke in progress, a finished stroke, an undo, a clear, an image, a
 * drawing brought back ({@link DrawingPad.restore}), or a new size (only when not blank: the
 * pixels changed, the drawing did not).
 */
export type PadChange =
  'drawing' | 'stroke' | 'undo' | 'redo' | 'erase' | 'clear' | 'image' | 'restore' | 'resize';

/** Options of {@link DrawingPad}. */
export interface PadOptions {
  /** Pen width in CSS pixels. Default: 26. */
  readonly penWidth?: number;
  /** Called after every change, with its kind. */
  readonly onChange?: (change: PadChange) => void;
}

/** An image shown under the strokes, fitted into the pad. */
interface Backdrop {
  readonly bitmap: ImageBitmap;
  /** The paper's gray level (0-255), which also fills the pad around the image. */
  readonly paper: number;
}

/** What is on a pad, set aside by {@link DrawingPad.snapshot}. */
export interface PadState {
  readonly strokes: readonly Stroke[];
  readonly backdrop: Backdrop | undefined;
}

/** Where an uploaded image sits on the pad, in canvas (backing-store) pixels. */
export interface PadRect {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** Most backing-store pixels per CSS pixel: sharp on phones, yet a bounded image to normalize. */
const MAX_PIXEL_RATIO = 2;

/**
 * A drawing surface on a `<canvas>` (square or wide, as CSS sizes it): white paper and black ink
 * (or the reverse on a dark uploaded image), strokes kept for undo and redrawn on resize.
 *
 * @example
 * const pad = new DrawingPad(canvas, { onChange: (kind) => schedule(kind) });
 * pad.undo();
 */
export class DrawingPad {
  readonly canvas: HTMLCanvasElement;
  /** Pen width in CSS pixels, used for the next stroke. */
  penWidth: number;
  /** What the pointer does: write (default) or erase the strokes it touches. */
  tool: PadTool = 'pen';
  readonly #context: CanvasRenderingContext2D;
  readonly #history = new StrokeHistory();
  readonly #onChange: (change: PadChange) => void;
  #backdrop: Backdrop | undefined;
  #current: { id: number; width: number; points: Point[] } | undefined;
  #pointerId: number | undefined;
  #pointerType = '';
  /** The last time a pen was seen (down, moving or hovering), for palm rejection. */
  #penSeenAt = -Infinity;
  /** Backing-store size in pixels; `#height` is also the length of one pad unit. */
  #width = 0;
  #height = 0;

  constructor(canvas: HTMLCanvasElement, options: PadOptions = {}) {
    this.canvas = canvas;
    this.penWidth = options.penWidth ?? 26;
    this.#onChange = options.onChange ?? (() => {});
    const context = canvas.getContext('2d', { willReadFrequently: true });
    if (!context) throw new Error('canvas: the browser gave no 2D context');
    this.#context = context;
    canvas.addEventListener('pointerdown', (e) => this.#down(e));
    canvas.addEventListener('pointermove', (e) => this.#move(e));
    canvas.addEventListener('pointerup', (e) => this.#up(e));
    canvas.addEventListener('pointercancel', (e) => this.#up(e));
    new ResizeObserver(() => this.resize()).observe(canvas);
    this.resize();
  }

  get #strokes(): readonly Stroke[] {
    return this.#history.strokes;
  }

  /** True when there is nothing on the pad: no stroke and no image. */
  get isBlank(): boolean {
    return this.#strokes.length === 0 && !this.#backdrop && !this.#current;
  }

  /** True when the pad shows an uploaded image and nothing was drawn on it. */
  get isImageOnly(): boolean {
    return Boolean(this.#backdrop) && this.#strokes.length === 0 && !this.#current;
  }

  /** True when the pad holds strokes and no image: what is on it is ink. */
  get isInk(): boolean {
    return !this.#backdrop && this.#strokes.length > 0;
  }

  /** The finished strokes as core's ink (ink-pad.ts inkOf), and their ids in the same order. */
  get ink(): { strokes: InkStroke[]; ids: number[] } {
    return { strokes: inkOf(this.#strokes), ids: this.#strokes.map((s) => s.id) };
  }

  /** The finished strokes, oldest first. */
  get strokes(): readonly Stroke[] {
    return this.#strokes;
  }

  /** Backing-store pixels per pad unit (the canvas's height). */
  get unitPixels(): number {
    return this.#height;
  }

  get canUndo(): boolean {
    return this.#history.canUndo || Boolean(this.#backdrop);
  }

  get canRedo(): boolean {
    return this.#history.canRedo;
  }

  /** Matches the backing store to the canvas's displayed size and redraws. */
  resize(): void {
    const rect = this.canvas.getBoundingClientRect();
    const ratio = Math.min(window.devicePixelRatio || 1, MAX_PIXEL_RATIO);
    const width = Math.max(1, Math.round(rect.width * ratio));
    const height = Math.max(1, Math.round((rect.height || rect.width) * ratio));
    if (width === this.#width && height === this.#height) return;
    this.#width = width;
    this.#height = height;
    this.canvas.width = width;
    this.canvas.height = height;
    this.#redraw();
    if (!this.isBlank) this.#onChange('resize');
  }

  /**
   * Where the uploaded image is drawn, in canvas pixels (it is fitted and centred), or undefined
   * when there is none: maps boxes found in the image onto the pad.
   */
  get backdropRect(): PadRect | undefined {
    if (!this.#backdrop) return undefined;
    const { bitmap } = this.#backdrop;
    const scale = Math.min(this.#width / bitmap.width, this.#height / bitmap.height);
    const width = bitmap.width * scale;
    const height = bitmap.height * scale;
    return { x: (this.#width - width) / 2, y: (this.#height - height) / 2, width, height };
  }

  /** What is on the pad (strokes and image), to bring back later with {@link restore}. */
  snapshot(): PadState {
    return { strokes: [...this.#strokes], backdrop: this.#backdrop };
  }

  /** Replaces what is on the pad with a {@link snapshot}; a stroke in progress is dropped. */
  restore(state: PadState): void {
    this.#history.reset(state.strokes);
    this.#backdrop = state.backdrop;
    this.#current = undefined;
    this.#pointerId = undefined;
    this.#redraw();
    this.#onChange('restore');
  }

  /**
   * Takes back the last edit: a stroke, an erase or a clear (or removes the uploaded image once
   * no edit is left).
   */
  undo(): void {
    if (!this.#history.undo()) {
      if (!this.#backdrop) return;
      this.#backdrop = undefined;
    }
    this.#redraw();
    this.#onChange('undo');
  }

  /** Does again the edit the last undo took back. */
  redo(): void {
    if (!this.#history.redo()) return;
    this.#redraw();
    this.#onChange('redo');
  }

  /** Removes the strokes with these ids (one step of undo). */
  erase(ids: readonly number[]): void {
    if (!this.#history.erase(ids)) return;
    this.#redraw();
    this.#onChange('erase');
  }

  /** Removes every stroke (undo brings them back) and the image. */
  clear(): void {
    const had = !this.isBlank;
    this.#history.clear();
    this.#current = undefined;
    this.#backdrop = undefined;
    this.#redraw();
    if (had) this.#onChange('clear');
  }

  /**
   * Shows an uploaded image (fitted, centred) instead of the drawing; strokes go on top of it in
   * black on light paper, white on dark. The pad around the image takes the paper's gray level,
   * so the image's edge does not look like ink to the model.
   */
  setImage(bitmap: ImageBitmap, paper: number): void {
    this.#history.reset([]);
    this.#current = undefined;
    this.#backdrop = { bitmap, paper };
    this.#redraw();
    this.#onChange('image');
  }

  get #paper(): string {
    const level = this.#backdrop ? Math.round(this.#backdrop.paper) : 255;
    return `rgb(${level} ${level} ${level})`;
  }

  get #ink(): string {
    return !this.#backdrop || this.#backdrop.paper > 127 ? '#000000' : '#ffffff';
  }

  #redraw(): void {
    const ctx = this.#context;
    ctx.fillStyle = this.#paper;
    ctx.fillRect(0, 0, this.#width, this.#height);
    const fit = this.backdropRect;
    if (this.#backdrop && fit) {
      ctx.imageSmoothingQuality = 'high';
      ctx.drawImage(this.#backdrop.bitmap, fit.x, fit.y, fit.width, fit.height);
    }
    for (const stroke of this.#strokes) this.#drawStroke(stroke, 0);
    if (this.#current) this.#drawStroke(this.#current, 0);
  }

  /** Draws a stroke from point `from` on, as quadratic curves through the points' midpoints. */
  #drawStroke(
    stroke: { readonly width: number; readonly points: readonly Point[] },
    from: number,
  ): void {
    const ctx = this.#context;
    const unit = this.#height;
    const p = stroke.points;
    ctx.strokeStyle = this.#ink;
    ctx.fillStyle = this.#ink;
    ctx.lineWidth = stroke.width * unit;
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    if (p.length === 1) {
      const only = p[0]!;
      ctx.beginPath();
      ctx.arc(only.x * unit, only.y * unit, (stroke.width * unit) / 2, 0, Math.PI * 2);
      ctx.fill();
      return;
    }
    const mid = (a: Point, b: Point) => ({
      x: ((a.x + b.x) / 2) * unit,
      y: ((a.y + b.y) / 2) * unit,
    });
    ctx.beginPath();
    const start = Math.max(1, from);
    const first =
      start === 1 ? { x: p[0]!.x * unit, y: p[0]!.y * unit } : mid(p[start - 2]!, p[start - 1]!);
    ctx.moveTo(first.x, first.y);
    for (let i = start; i < p.length; i++) {
      const control = p[i - 1]!;
      const end =
        i === p.length - 1 ? { x: p[i]!.x * unit, y: p[i]!.y * unit } : mid(control, p[i]!);
      if (i === 1 && p.length > 2) {
        ctx.lineTo(end.x, end.y);
      } else {
        ctx.quadraticCurveTo(control.x * unit, control.y * unit, end.x, end.y);
      }
    }
    ctx.stroke();
  }

  #point(e: PointerEvent): Point {
    const rect = this.canvas.getBoundingClientRect();
    const unit = rect.height || 1;
    const pen = e.pointerType === 'pen';
    return {
      x: Math.min(rect.width / unit, Math.max(0, (e.clientX - rect.left) / unit)),
      y: Math.min(1, Math.max(0, (e.clientY - rect.top) / unit)),
      t: e.timeStamp,
      ...(pen ? { pressure: e.pressure, tiltX: e.tiltX, tiltY: e.tiltY } : {}),
    };
  }

  /** Erases the stroke under the pointer, if any (the erase tool). */
  #eraseAt(e: PointerEvent): void {
    const rect = this.canvas.getBoundingClientRect();
    // A finger's contact, else 8 CSS pixels, around the point.
    const radius = Math.max(8, e.width / 2) / (rect.height || 1);
    const id = hitStroke(this.#strokes, this.#point(e), radius);
    if (id !== undefined) this.erase([id]);
  }

  #down(e: PointerEvent): void {
    if (e.pointerType === 'pen') this.#penSeenAt = e.timeStamp;
    const penDown = this.#pointerId !== undefined && this.#pointerType === 'pen';
    if (isPalm(e, penDown, this.#penSeenAt)) return;
    // A pen coming down while a touch draws: the touch was a palm, and its stroke goes.
    if (e.pointerType === 'pen' && this.#pointerType === 'touch' && this.#pointerId !== undefined) {
      this.#current = undefined;
      this.#pointerId = undefined;
      this.#redraw();
    }
    if (this.#pointerId !== undefined || (e.pointerType === 'mouse' && e.button !== 0)) return;
    e.preventDefault();
    try {
      this.canvas.setPointerCapture(e.pointerId);
    } catch {
      // A pointer the browser no longer knows (or a scripted one): draw without capture.
    }
    this.#pointerId = e.pointerId;
    this.#pointerType = e.pointerType;
    if (this.tool === 'erase') {
      this.#eraseAt(e);
      return;
    }
    const rect = this.canvas.getBoundingClientRect();
    this.#current = {
      id: this.#history.newId(),
      width: this.penWidth / (rect.height || 1),
      points: [this.#point(e)],
    };
    this.#drawStroke(this.#current, 0);
    this.#onChange('drawing');
  }

  #move(e: PointerEvent): void {
    if (e.pointerType === 'pen') this.#penSeenAt = e.timeStamp;
    if (e.pointerId !== this.#pointerId) return;
    if (this.tool === 'erase' && !this.#current) {
      e.preventDefault();
      this.#eraseAt(e);
      return;
    }
    if (!this.#current) return;
    e.preventDefault();
    const events = typeof e.getCoalescedEvents === 'function' ? e.getCoalescedEvents() : [];
    const stroke = this.#current;
    const before = stroke.points.length;
    for (const event of events.length ? events : [e]) stroke.points.push(this.#point(event));
    // Redraw from the last finished curve so the joint between old and new segments stays smooth.
    this.#drawStroke(stroke, Math.max(1, before - 1));
    this.#onChange('drawing');
  }

  #up(e: PointerEvent): void {
    if (e.pointerType === 'pen') this.#penSeenAt = e.timeStamp;
    if (e.pointerId !== this.#pointerId) return;
    this.#pointerId = undefined;
    this.#pointerType = '';
    if (this.#current) {
      this.#history.add(this.#current);
      this.#current = undefined;
      this.#redraw();
      this.#onChange('stroke');
    }
  }
}
