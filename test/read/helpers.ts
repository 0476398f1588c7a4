// Synthetic pages of handwriting for the reading tests: glyphs drawn from a few strokes (so
// every box is known), dark ink on light paper, and a template-matching classifier that
// stands in for a model (no tfjs, no data): it scores a 28x28 candidate by its likeness to
// each glyph drawn the same way, so fragments and merged pairs score low, as with a real model.

import { normalizeToMnist, type PixelBox } from '../../src/core/normalize.js';
import type { Classifier } from '../../src/core/read/read.js';
import { IMAGE_PIXELS } from '../../src/core/types.js';
import type { GrayImage } from '../../src/core/types.js';

type Stroke = readonly [number, number, number, number];

/** Glyphs as strokes in a unit box (x right, y down), with their width / height. */
export const GLYPHS: Readonly<Record<string, { aspect: number; strokes: readonly Stroke[] }>> = {
  '1': { aspect: 0.25, strokes: [[0.5, 0, 0.5, 1]] },
  '4': {
    aspect: 0.75,
    strokes: [
      [0.75, 0, 0.75, 1],
      [0.75, 0, 0, 0.65],
      [0, 0.65, 1, 0.65],
    ],
  },
  '7': {
    aspect: 0.7,
    strokes: [
      [0, 0, 1, 0],
      [1, 0, 0.35, 1],
    ],
  },
  A: {
    aspect: 0.8,
    strokes: [
      [0, 1, 0.5, 0],
      [0.5, 0, 1, 1],
      [0.25, 0.55, 0.75, 0.55],
    ],
  },
  E: {
    aspect: 0.65,
    strokes: [
      [1, 0, 0, 0],
      [0, 0, 0, 1],
      [0, 1, 1, 1],
      [0, 0.5, 0.8, 0.5],
    ],
  },
  H: {
    aspect: 0.75,
    strokes: [
      [0, 0, 0, 1],
      [1, 0, 1, 1],
      [0, 0.5, 1, 0.5],
    ],
  },
  L: {
    aspect: 0.6,
    strokes: [
      [0, 0, 0, 1],
      [0, 1, 1, 1],
    ],
  },
  O: { aspect: 0.75, strokes: ring() },
  T: {
    aspect: 0.75,
    strokes: [
      [0, 0, 1, 0],
      [0.5, 0, 0.5, 1],
    ],
  },
  X: {
    aspect: 0.8,
    strokes: [
      [0, 0, 1, 1],
      [1, 0, 0, 1],
    ],
  },
};

function ring(): Stroke[] {
  const strokes: Stroke[] = [];
  const n = 24;
  for (let k = 0; k < n; k++) {
    const a = (2 * Math.PI * k) / n;
    const b = (2 * Math.PI * (k + 1)) / n;
    strokes.push([
      0.5 + 0.5 * Math.cos(a),
      0.5 + 0.5 * Math.sin(a),
      0.5 + 0.5 * Math.cos(b),
      0.5 + 0.5 * Math.sin(b),
    ]);
  }
  return strokes;
}

/** A glyph to draw: its label (a key of GLYPHS) and its box's top-left corner and height. */
export interface Placement {
  readonly label: string;
  readonly x: number;
  readonly y: number;
  readonly height: number;
}

/** Options of {@link drawPage}. */
export interface PageOptions {
  /** Stroke width in pixels. Default: 4. */
  readonly thickness?: number;
  /** Dots of ink (centre x, y, radius). Default: none. */
  readonly specks?: readonly (readonly [number, number, number])[];
  /** Regions painted back to paper after drawing (to break a stroke). Default: none. */
  readonly erase?: readonly PixelBox[];
  /** White ink on black instead of dark ink on light paper. Default: false. */
  readonly lightOnDark?: boolean;
}

function segmentDistance(px: number, py: number, s: Stroke): number {
  const [x0, y0, x1, y1] = s;
  const dx = x1 - x0;
  const dy = y1 - y0;
  const length2 = dx * dx + dy * dy;
  const t =
    length2 === 0 ? 0 : Math.max(0, Math.min(1, ((px - x0) * dx + (py - y0) * dy) / length2));
  return Math.hypot(px - (x0 + t * dx), py - (y0 + t * dy));
}

/** Width in pixels of a glyph drawn `height` pixels tall. */
export function glyphWidth(label: string, height: number): number {
  return Math.round(GLYPHS[label]!.aspect * height);
}

/**
 * Draws glyphs on a page; returns the image and each glyph's box (where its ink is at least
 * half dark), in the order given.
 */
export function drawPage(
  width: number,
  height: number,
  placements: readonly Placement[],
  options: PageOptions = {},
): { image: GrayImage; boxes: PixelBox[] } {
  const thickness = options.thickness ?? 4;
  const ink = new Float32Array(width * height);
  const boxes: PixelBox[] = [];
  const half = thickness / 2;
  for (const p of placements) {
    const glyph = GLYPHS[p.label];
    if (!glyph) throw new Error(`no glyph ${p.label}`);
    const w = glyphWidth(p.label, p.height);
    const strokes = glyph.strokes.map(
      ([a, b, c, d]) => [p.x + a * w, p.y + b * p.height, p.x + c * w, p.y + d * p.height] as const,
    );
    const x0 = Math.floor(p.x - half);
    const y0 = Math.floor(p.y - half);
    const x1 = Math.ceil(p.x + w + half);
    const y1 = Math.ceil(p.y + p.height + half);
    let bx0 = Infinity;
    let by0 = Infinity;
    let bx1 = -1;
    let by1 = -1;
    for (let y = Math.max(0, y0); y < Math.min(height, y1); y++) {
      for (let x = Math.max(0, x0); x < Math.min(width, x1); x++) {
        let d = Infinity;
        for (const s of strokes) d = Math.min(d, segmentDistance(x, y, s));
        const v = Math.max(0, Math.min(1, half + 0.5 - d));
        if (v > ink[y * width + x]!) ink[y * width + x] = v;
        if (v >= 0.5) {
          bx0 = Math.min(bx0, x);
          by0 = Math.min(by0, y);
          bx1 = Math.max(bx1, x);
          by1 = Math.max(by1, y);
        }
      }
    }
    boxes.push({ x: bx0, y: by0, width: bx1 - bx0 + 1, height: by1 - by0 + 1 });
  }
  for (const [cx, cy, r] of options.specks ?? []) {
    for (let y = Math.floor(cy - r); y <= Math.ceil(cy + r); y++) {
      for (let x = Math.floor(cx - r); x <= Math.ceil(cx + r); x++) {
        if (x >= 0 && y >= 0 && x < width && y < height && (x - cx) ** 2 + (y - cy) ** 2 <= r * r) {
          ink[y * width + x] = 1;
        }
      }
    }
  }
  for (const box of options.erase ?? []) {
    for (let y = box.y; y < box.y + box.height; y++) {
      for (let x = box.x; x < box.x + box.width; x++) {
        if (x >= 0 && y >= 0 && x < width && y < height) ink[y * width + x] = 0;
      }
    }
  }
  const data = new Uint8Array(width * height);
  for (let i = 0; i < data.length; i++) {
    const v = options.lightOnDark ? 10 + 235 * ink[i]! : 235 - 205 * ink[i]!;
    data[i] = Math.round(v);
  }
  return { image: { width, height, data }, boxes };
}

/**
 * Lays glyphs out left to right on one baseline: `gaps[k]` pixels between glyph k and k+1
 * (negative overlaps), starting at `x`, tops at `y`. Returns the placements.
 */
export function layout(
  labels: string,
  height: number,
  gaps: readonly number[] | number,
  x = 20,
  y = 20,
): Placement[] {
  const placements: Placement[] = [];
  let at = x;
  [...labels].forEach((label, k) => {
    placements.push({ label, x: at, y, height });
    at += glyphWidth(label, height) + (typeof gaps === 'number' ? gaps : (gaps[k] ?? 0));
  });
  return placements;
}

/** The classes of {@link templateClassifier}: each glyph, and 0 as a second name for the ring. */
export const TEMPLATE_CLASSES: readonly string[] = Object.freeze([
  '0',
  '1',
  '4',
  '7',
  'A',
  'E',
  'H',
  'L',
  'O',
  'T',
  'X',
]);

/** A synchronous {@link Classifier} that counts its calls. */
export interface TemplateClassifier extends Classifier {
  calls: number;
  classify(images: Uint8Array, count: number): Float32Array;
}

/**
 * A classifier that compares each candidate with every glyph of {@link GLYPHS} drawn 40 px
 * tall and normalized the same way (cosine similarity, softmax with a sharp temperature).
 * The ring is both `O` and `0`, with equal probability: only the context can tell them apart.
 * Counts calls in `calls`.
 */
export function templateClassifier(): TemplateClassifier {
  const templates = TEMPLATE_CLASSES.map((label) => {
    const glyph = label === '0' ? 'O' : label;
    const { image } = drawPage(80, 80, [{ label: glyph, x: 20, y: 20, height: 40 }]);
    const pixels = normalizeToMnist(image).pixels;
    const norm = Math.hypot(...pixels);
    return Float32Array.from(pixels, (v) => v / norm);
  });
  const classifier = {
    classes: TEMPLATE_CLASSES,
    calls: 0,
    classify(images: Uint8Array, count: number): Float32Array {
      classifier.calls++;
      const n = TEMPLATE_CLASSES.length;
      const out = new Float32Array(count * n);
      for (let i = 0; i < count; i++) {
        const image = images.subarray(i * IMAGE_PIXELS, (i + 1) * IMAGE_PIXELS);
        const norm = Math.hypot(...image) || 1;
        const scores = templates.map((t) => {
          let dot = 0;
          for (let k = 0; k < IMAGE_PIXELS; k++) dot += t[k]! * image[k]!;
          return 25 * (dot / norm);
        });
        const max = Math.max(...scores);
        const exp = scores.map((s) => Math.exp(s - max));
        const sum = exp.reduce((a, b) => a + b, 0);
        exp.forEach((e, c) => (out[i * n + c] = e / sum));
      }
      return out;
    },
  };
  return classifier;
}

/** Intersection over union of two boxes. */
export function iou(a: PixelBox, b: PixelBox): number {
  const x0 = Math.max(a.x, b.x);
  const y0 = Math.max(a.y, b.y);
  const x1 = Math.min(a.x + a.width, b.x + b.width);
  const y1 = Math.min(a.y + a.height, b.y + b.height);
  const inter = Math.max(0, x1 - x0) * Math.max(0, y1 - y0);
  return inter / (a.width * a.height + b.width * b.height - inter);
}
