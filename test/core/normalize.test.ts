// Tests of the shared image convention (docs/DESIGN.md §2): the same glyph drawn in many ways must
// come out as nearly the same 28x28 MNIST-style image.

import { describe, expect, it } from 'vitest';
import { createRandom } from '../../src/core/random.js';
import {
  NORMALIZATION_VERSION,
  NORMALIZE_DEFAULTS,
  normalizeMnistImage,
  normalizeMnistImages,
  normalizeToMnist,
  rgbaToGray,
  transposeImages,
} from '../../src/core/normalize.js';
import type { GrayImage } from '../../src/core/types.js';

type Segment = readonly [number, number, number, number];

/** An "A" in unit coordinates (x to the right, y down), 0.7 wide and 1 tall. */
const LETTER_A: readonly Segment[] = [
  [0, 1, 0.35, 0],
  [0.35, 0, 0.7, 1],
  [0.15, 0.6, 0.55, 0.6],
];

function distanceToSegment(px: number, py: number, [x0, y0, x1, y1]: Segment): number {
  const dx = x1 - x0;
  const dy = y1 - y0;
  const t = Math.max(0, Math.min(1, ((px - x0) * dx + (py - y0) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - (x0 + t * dx), py - (y0 + t * dy));
}

interface Drawing {
  size?: number;
  left: number;
  top: number;
  height: number;
  paper?: number;
  ink?: number;
  noise?: number;
  specks?: readonly (readonly [number, number])[];
  glyph?: readonly Segment[];
}

/** Rasterizes a glyph with anti-aliased strokes 0.12 of its height thick. */
function draw({
  size = 200,
  left,
  top,
  height,
  paper = 0,
  ink = 255,
  noise = 0,
  specks = [],
  glyph = LETTER_A,
}: Drawing): GrayImage {
  const data = new Uint8Array(size * size);
  const rand = createRandom(9);
  const half = (0.12 * height) / 2;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const ux = (x + 0.5 - left) / height;
      const uy = (y + 0.5 - top) / height;
      const d = Math.min(...glyph.map((s) => distanceToSegment(ux, uy, s))) * height;
      const cover = Math.max(0, Math.min(1, half + 0.5 - d));
      const v = paper + (ink - paper) * cover + (rand() * 2 - 1) * noise;
      data[y * size + x] = Math.max(0, Math.min(255, Math.round(v)));
    }
  }
  for (const [sx, sy] of specks) {
    for (let y = sy; y < sy + 2; y++) for (let x = sx; x < sx + 2; x++) data[y * size + x] = ink;
  }
  return { width: size, height: size, data };
}

function meanAbsDiff(a: Uint8Array, b: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i]! - b[i]!);
  return sum / a.length;
}

function centreOfMass(p: Uint8Array): [number, number] {
  let m = 0;
  let sx = 0;
  let sy = 0;
  for (let i = 0; i < 784; i++) {
    m += p[i]!;
    sx += p[i]! * (i % 28);
    sy += p[i]! * Math.floor(i / 28);
  }
  return [sx / m, sy / m];
}

function inkBox(p: Uint8Array): { width: number; height: number } {
  let x0 = 28;
  let x1 = -1;
  let y0 = 28;
  let y1 = -1;
  for (let i = 0; i < 784; i++) {
    if (p[i]! === 0) continue;
    const x = i % 28;
    const y = Math.floor(i / 28);
    x0 = Math.min(x0, x);
    x1 = Math.max(x1, x);
    y0 = Math.min(y0, y);
    y1 = Math.max(y1, y);
  }
  return { width: x1 - x0 + 1, height: y1 - y0 + 1 };
}

describe('normalizeToMnist', () => {
  const reference = normalizeToMnist(draw({ left: 30, top: 25, height: 150 }));

  // A 15-px glyph has lost detail before normalization sees it (strokes under 2 px), hence the
  // looser bound for it.
  const variants: Record<string, Drawing & { within?: number }> = {
    'dark on light': { left: 30, top: 25, height: 150, paper: 255, ink: 0 },
    'small and off-centre': { left: 150, top: 20, height: 15, paper: 255, ink: 0, within: 10 },
    'large, off-centre': { left: 12, top: 38, height: 150 },
    'grey noisy paper with specks': {
      left: 60,
      top: 80,
      height: 60,
      paper: 185,
      ink: 50,
      noise: 8,
      specks: [
        [5, 5],
        [190, 10],
        [8, 185],
        [180, 190],
      ],
    },
  };

  it('gives the reference glyph the MNIST geometry', () => {
    expect(reference.empty).toBe(false);
    expect(reference.inverted).toBe(false);
    const [cx, cy] = centreOfMass(reference.pixels);
    expect(Math.abs(cx - 14)).toBeLessThanOrEqual(0.5);
    expect(Math.abs(cy - 14)).toBeLessThanOrEqual(0.5);
    const box = inkBox(reference.pixels);
    expect(Math.abs(Math.max(box.width, box.height) - 20)).toBeLessThanOrEqual(1);
    expect(Math.max(...reference.pixels)).toBe(255);
  });

  for (const [name, drawing] of Object.entries(variants)) {
    it(`brings a glyph drawn ${name} to nearly the same image`, () => {
      const result = normalizeToMnist(draw(drawing));
      expect(result.empty).toBe(false);
      expect(result.inverted).toBe((drawing.paper ?? 0) > 127);
      expect(meanAbsDiff(result.pixels, reference.pixels)).toBeLessThan(drawing.within ?? 8);
      const [cx, cy] = centreOfMass(result.pixels);
      expect(Math.abs(cx - 14)).toBeLessThanOrEqual(0.5);
      expect(Math.abs(cy - 14)).toBeLessThanOrEqual(0.5);
      const box = inkBox(result.pixels);
      expect(box.width).toBeLessThanOrEqual(21);
      expect(Math.abs(Math.max(box.width, box.height) - 20)).toBeLessThanOrEqual(1);
      // the input box hugs the glyph (0.7 wide plus round caps of 0.06 of its height on each
      // side): specks far away do not widen it
      const cap = 0.06 * drawing.height;
      expect(Math.abs(result.box.x - (drawing.left - cap))).toBeLessThanOrEqual(2);
      expect(Math.abs(result.box.y - (drawing.top - cap))).toBeLessThanOrEqual(2);
      expect(Math.abs(result.box.width - (0.7 * drawing.height + 2 * cap))).toBeLessThanOrEqual(3);
      expect(Math.abs(result.box.height - (drawing.height + 2 * cap))).toBeLessThanOrEqual(3);
    });
  }

  it('keeps a near small blob (the dot of an i) in the box', () => {
    const letterI: Segment[] = [
      [0.1, 0.35, 0.1, 1],
      [0.1, 0.1, 0.1, 0.12],
    ];
    const result = normalizeToMnist(draw({ left: 80, top: 40, height: 100, glyph: letterI }));
    expect(result.box.y).toBeLessThanOrEqual(40 + 10);
    expect(result.box.y + result.box.height).toBeGreaterThanOrEqual(40 + 98);
  });

  it('keeps a 1-pixel-wide stroke thin and centred', () => {
    const data = new Uint8Array(50 * 50);
    for (let y = 10; y < 40; y++) data[y * 50 + 7] = 255;
    const result = normalizeToMnist({ width: 50, height: 50, data });
    expect(result.box).toEqual({ x: 7, y: 10, width: 1, height: 30 });
    const box = inkBox(result.pixels);
    expect(box).toEqual({ width: 1, height: 20 });
    expect(result.pixels[14 * 28 + 14]).toBe(255);
  });

  it('returns an MNIST-style image nearly unchanged', () => {
    const again = normalizeToMnist({ width: 28, height: 28, data: reference.pixels });
    expect(again.inverted).toBe(false);
    expect(meanAbsDiff(again.pixels, reference.pixels)).toBeLessThan(1);
  });

  it('reports empty images with all-zero pixels', () => {
    const cases: GrayImage[] = [
      { width: 40, height: 30, data: new Uint8Array(1200) },
      { width: 40, height: 30, data: new Uint8Array(1200).fill(128) },
      { width: 40, height: 30, data: new Uint8Array(1200).fill(255) },
      draw({ size: 40, left: 0, top: 0, height: 1, paper: 200, ink: 200, noise: 10 }),
      draw({ size: 60, left: 10, top: 10, height: 40, paper: 200, ink: 190 }),
      { width: 1, height: 1, data: new Uint8Array([255]) },
      { width: 1, height: 1, data: new Uint8Array([0]) },
    ];
    for (const image of cases) {
      const result = normalizeToMnist(image);
      expect(result.empty).toBe(true);
      expect(result.pixels.length).toBe(784);
      expect(result.pixels.every((v) => v === 0)).toBe(true);
      expect(result.box).toEqual({ x: 0, y: 0, width: 0, height: 0 });
    }
  });

  it('finds no character in a strip longer than 2 * boxSize times its thickness (issue 22)', () => {
    // A 20000x1 upload with a 50-pixel dash: clamped to one pixel it became a 20x1 bar that the
    // shipped model read as a letter at 20-30%.
    const strip = (width: number, height: number, from: number, to: number): GrayImage => {
      const data = new Uint8Array(width * height).fill(255);
      for (let i = from; i < to; i++) data[i] = 0;
      return { width, height, data };
    };
    for (const image of [strip(20000, 1, 10000, 10050), strip(1, 20000, 10000, 10050)]) {
      const result = normalizeToMnist(image);
      expect(result.empty).toBe(true);
      expect(result.pixels.every((v) => v === 0)).toBe(true);
    }
    // Up to 40:1 the shorter side rounds to a pixel: a thin 1 or a dash is still a glyph.
    const thin = normalizeToMnist(strip(20000, 1, 10000, 10040));
    expect(thin.empty).toBe(false);
    expect(inkBox(thin.pixels)).toEqual({ width: 20, height: 1 });
    const one = new Uint8Array(100 * 100);
    for (let y = 10; y < 90; y++) one[y * 100 + 50] = one[y * 100 + 51] = 255;
    expect(inkBox(normalizeToMnist({ width: 100, height: 100, data: one }).pixels)).toEqual({
      width: 1,
      height: 20,
    });
  });

  it('handles tiny images and forced polarity', () => {
    const dot = normalizeToMnist(
      { width: 1, height: 1, data: new Uint8Array([255]) },
      { polarity: 'light-on-dark' },
    );
    expect(dot.empty).toBe(true); // the only pixel is the border, hence the background
    const bar = normalizeToMnist({ width: 3, height: 1, data: new Uint8Array([0, 255, 0]) });
    expect(bar.empty).toBe(false);
    expect(bar.box).toEqual({ x: 1, y: 0, width: 1, height: 1 });
    const forced = normalizeToMnist(draw({ left: 30, top: 25, height: 150 }), {
      polarity: 'dark-on-light',
    });
    expect(forced.inverted).toBe(true);
  });

  it('rejects images without pixels or with the wrong data length, naming the sizes', () => {
    expect(() => normalizeToMnist({ width: 0, height: 0, data: new Uint8Array(0) })).toThrow(
      /normalizeToMnist: expected an image of at least 1x1 with width\*height bytes, got 0x0 with 0 bytes/,
    );
    expect(() => normalizeToMnist({ width: 4, height: 3, data: new Uint8Array(11) })).toThrow(
      /got 4x3 with 11 bytes/,
    );
  });

  it('rejects options out of range and pins the defaults', () => {
    const image = { width: 2, height: 2, data: new Uint8Array(4) };
    expect(() => normalizeToMnist(image, { boxSize: 30 })).toThrow(
      /expected boxSize an integer 1-28, got 30/,
    );
    expect(() => normalizeToMnist(image, { polarity: 'up' as never })).toThrow(/polarity/);
    expect(NORMALIZE_DEFAULTS).toEqual({
      boxSize: 20,
      noiseThreshold: 0.2,
      minContrast: 32,
      minComponentMass: 0.25,
      nearDistance: 0.5,
      polarity: 'auto',
      flattenMinSide: 56,
    });
    expect(Object.isFrozen(NORMALIZE_DEFAULTS)).toBe(true);
    expect(NORMALIZATION_VERSION).toBe(2);
    expect(() => normalizeToMnist(image, { flattenMinSide: -1 })).toThrow(
      /expected flattenMinSide an integer >= 0 \(0 = off\), got -1/,
    );
  });

  it('reads a glyph under a shadow that darkens half the paper (photo lighting)', () => {
    const clean = draw({ left: 40, top: 30, height: 140, paper: 235, ink: 30 });
    const shadowed = draw({ left: 40, top: 30, height: 140, paper: 235, ink: 30 });
    const data = Uint8Array.from(shadowed.data);
    for (let y = 0; y < 200; y++) {
      for (let x = 0; x < 200; x++) {
        // Light falls off from right to left: the left third gets a third of the light.
        const light = Math.min(1, 0.33 + x / 150);
        data[y * 200 + x] = Math.round(data[y * 200 + x]! * light);
      }
    }
    const reference = normalizeToMnist(clean);
    const lit = normalizeToMnist({ ...shadowed, data });
    expect(lit.empty).toBe(false);
    expect(lit.inverted).toBe(true);
    expect(meanAbsDiff(lit.pixels, reference.pixels)).toBeLessThan(12);
    const [cx, cy] = centreOfMass(lit.pixels);
    expect(Math.hypot(cx - 14, cy - 14)).toBeLessThan(1);
    // Without flattening, the shadow swallows the glyph's box.
    const unflattened = normalizeToMnist({ ...shadowed, data }, { flattenMinSide: 0 });
    expect(unflattened.empty || meanAbsDiff(unflattened.pixels, reference.pixels) > 20).toBe(true);
  });

  it('honours boxSize', () => {
    const small = normalizeToMnist(draw({ left: 30, top: 25, height: 150 }), { boxSize: 10 });
    expect(Math.max(inkBox(small.pixels).width, inkBox(small.pixels).height)).toBe(10);
  });
});

describe('normalizeMnistImage(s)', () => {
  /** A glyph that fills the frame like EMNIST's (box plus 2 px). */
  const filled = draw({ size: 28, left: 4, top: 2, height: 24 });

  it('brings a frame-filling glyph to the 20x20 convention', () => {
    const out = normalizeMnistImage(filled.data as Uint8Array);
    const box = inkBox(out);
    expect(Math.max(box.width, box.height)).toBe(20);
    const [cx, cy] = centreOfMass(out);
    expect(Math.abs(cx - 14)).toBeLessThanOrEqual(0.5);
    expect(Math.abs(cy - 14)).toBeLessThanOrEqual(0.5);
    expect(out).toEqual(normalizeToMnist(filled, { polarity: 'light-on-dark' }).pixels);
  });

  it('normalizes a batch in place like one image at a time', () => {
    const batch = new Uint8Array(3 * 784);
    batch.set(filled.data, 0);
    batch.set(draw({ size: 28, left: 1, top: 3, height: 20 }).data, 784);
    const expected = [0, 1, 2].map((k) =>
      normalizeMnistImage(batch.subarray(k * 784, (k + 1) * 784)),
    );
    normalizeMnistImages(batch, 3, batch);
    expected.forEach((e, k) => expect(batch.subarray(k * 784, (k + 1) * 784)).toEqual(e));
    expect(batch.subarray(2 * 784).every((v) => v === 0)).toBe(true);
    expect(() => normalizeMnistImages(batch, 2)).toThrow(/expected 2 \* 784 = 1568 bytes/);
    expect(() => normalizeMnistImage(new Uint8Array(10))).toThrow(/expected 784 bytes/);
  });

  it.skipIf(!process.env.HCR_DATA_DIR)('leaves real MNIST images nearly unchanged', async () => {
    const { readFileSync } = await import('node:fs');
    const { gunzipSync } = await import('node:zlib');
    const file = `${process.env.HCR_DATA_DIR}/mnist/t10k-images-idx3-ubyte.gz`;
    const raw = gunzipSync(readFileSync(file)).subarray(16, 16 + 1000 * 784);
    const images = new Uint8Array(raw);
    const out = normalizeMnistImages(images, 1000);
    expect(meanAbsDiff(out, images)).toBeLessThan(1);
  });
});

describe('pixel helpers', () => {
  it('transposeImages swaps rows and columns of each image', () => {
    const images = new Uint8Array(2 * 784);
    images[1 * 784 + 3 * 28 + 5] = 7; // image 1, y 3, x 5
    const t = transposeImages(images, 2);
    expect(t[1 * 784 + 5 * 28 + 3]).toBe(7);
    expect(t[1 * 784 + 3 * 28 + 5]).toBe(0);
    expect(transposeImages(t, 2)).toEqual(images);
    expect(() => transposeImages(images, 3)).toThrow(/expected 3 \* 784 bytes, got 1568/);
  });

  it('rgbaToGray uses Rec. 601 luminance', () => {
    const rgb = new Uint8Array([255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30]);
    expect(Array.from(rgbaToGray(rgb, 2, 2, 3).data)).toEqual([76, 150, 29, 18]);
    expect(Array.from(rgbaToGray(new Uint8Array([9, 8]), 2, 1, 1).data)).toEqual([9, 8]);
  });

  it('rgbaToGray composites transparency so the ink stays visible', () => {
    // black strokes on a transparent canvas -> dark on white
    const black = new Uint8ClampedArray([0, 0, 0, 0, 0, 0, 0, 255, 0, 0, 0, 128]);
    expect(Array.from(rgbaToGray(black, 3, 1, 4).data)).toEqual([255, 0, 127]);
    // white strokes on a transparent canvas -> light on black
    const white = new Uint8Array([255, 0, 255, 255]);
    expect(Array.from(rgbaToGray(white, 2, 1, 2).data)).toEqual([0, 255]);
  });

  it('rgbaToGray rejects a wrong data length', () => {
    expect(() => rgbaToGray(new Uint8Array(10), 2, 2, 3)).toThrow(
      /rgbaToGray: expected 2x2x3 = 12 bytes, got 10/,
    );
  });
});
