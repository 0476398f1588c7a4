// borderMedian: the paper's level that the page shows and normalization decides polarity
// from, one function for both. Pinned against the page's former copy on random images. They
// differ only on images one pixel wide, where the copy counted the inner pixels twice and the
// two ends once; core counts every border pixel once.

import { describe, expect, it } from 'vitest';
import { borderMedian } from '../../src/core/normalize.js';
import { createRandom } from '../../src/core/random.js';
import type { GrayImage } from '../../src/core/types.js';

/** The page's own median before it used core's (src/web/images.ts, until issue 14). */
function pageBorderMedian({ width: w, height: h, data }: GrayImage): number {
  const hist = new Uint32Array(256);
  let total = 0;
  for (let x = 0; x < w; x++) {
    hist[data[x]!]!++;
    hist[data[(h - 1) * w + x]!]!++;
    total += 2;
  }
  for (let y = 1; y < h - 1; y++) {
    hist[data[y * w]!]!++;
    hist[data[y * w + w - 1]!]!++;
    total += 2;
  }
  let seen = 0;
  for (let v = 0; v < 256; v++) {
    seen += hist[v]!;
    if (seen * 2 >= total) return v;
  }
  return 255;
}

describe('borderMedian', () => {
  it('is the median of the border, not of the middle', () => {
    const data = new Uint8Array(25).fill(200);
    data[12] = 0;
    data[0] = 10;
    expect(borderMedian({ width: 5, height: 5, data })).toBe(200);
  });

  it("agrees with the page's former copy from two pixels wide, one-pixel-high images included", () => {
    const random = createRandom(14);
    for (let trial = 0; trial < 300; trial++) {
      const width = 2 + Math.floor(random() * 8);
      const height = 1 + Math.floor(random() * 9);
      const levels = 1 + Math.floor(random() * 255);
      const data = Uint8Array.from({ length: width * height }, () => Math.floor(random() * levels));
      const image = { width, height, data };
      expect(borderMedian(image), `${width}x${height}`).toBe(pageBorderMedian(image));
    }
  });
});
