// Elastic distortion of a glyph image (Simard, Steinkraus and Platt, ICDAR 2003): every pixel
// moves by a smooth random displacement, so one glyph becomes many hands' versions of it.
// The field is drawn on a coarse grid and interpolated, which gives the same smoothness as
// blurring a per-pixel field at a fraction of the cost.

import type { Random } from './random.js';
import type { GrayImage } from './types.js';

/** Options of {@link elasticDistort}; every field is optional. */
export interface ElasticOptions {
  /** Standard deviation of the displacement at the grid's nodes, in pixels. Default: 4. */
  readonly alpha?: number;
  /** Grid nodes along each side (smoothness: fewer nodes, smoother). Default: 5. */
  readonly grid?: number;
}

/** The defaults of {@link ElasticOptions}. */
export const ELASTIC_DEFAULTS: Readonly<Required<ElasticOptions>> = Object.freeze({
  alpha: 4,
  grid: 5,
});

function gaussian(rand: Random): number {
  const u = Math.max(rand(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

/**
 * A copy of `image` with each pixel sampled (bilinearly) from a point displaced by a smooth
 * random field; 0 outside the image.
 *
 * @example
 * const warped = elasticDistort(glyph, createRandom(7), { alpha: 3 });
 */
export function elasticDistort(
  image: GrayImage,
  rand: Random,
  options: ElasticOptions = {},
): GrayImage {
  const { alpha, grid } = { ...ELASTIC_DEFAULTS, ...options };
  const { width, height, data } = image;
  const n = Math.max(2, Math.round(grid));
  const dx = new Float32Array(n * n);
  const dy = new Float32Array(n * n);
  for (let i = 0; i < n * n; i++) {
    dx[i] = gaussian(rand) * alpha;
    dy[i] = gaussian(rand) * alpha;
  }
  const out = new Uint8Array(width * height);
  const gx = (n - 1) / Math.max(width - 1, 1);
  const gy = (n - 1) / Math.max(height - 1, 1);
  for (let y = 0; y < height; y++) {
    const fy = y * gy;
    const y0 = Math.min(Math.floor(fy), n - 2);
    const ty = fy - y0;
    for (let x = 0; x < width; x++) {
      const fx = x * gx;
      const x0 = Math.min(Math.floor(fx), n - 2);
      const tx = fx - x0;
      const k = y0 * n + x0;
      const w00 = (1 - tx) * (1 - ty);
      const w10 = tx * (1 - ty);
      const w01 = (1 - tx) * ty;
      const w11 = tx * ty;
      const sx = x + w00 * dx[k]! + w10 * dx[k + 1]! + w01 * dx[k + n]! + w11 * dx[k + n + 1]!;
      const sy = y + w00 * dy[k]! + w10 * dy[k + 1]! + w01 * dy[k + n]! + w11 * dy[k + n + 1]!;
      const ix = Math.floor(sx);
      const iy = Math.floor(sy);
      if (ix < -1 || iy < -1 || ix >= width || iy >= height) continue;
      const ax = sx - ix;
      const ay = sy - iy;
      const at = (px: number, py: number) =>
        px < 0 || py < 0 || px >= width || py >= height ? 0 : data[py * width + px]!;
      const v =
        (1 - ax) * (1 - ay) * at(ix, iy) +
        ax * (1 - ay) * at(ix + 1, iy) +
        (1 - ax) * ay * at(ix, iy + 1) +
        ax * ay * at(ix + 1, iy + 1);
      out[y * width + x] = Math.round(v);
    }
  }
  return { width, height, data: out };
}
