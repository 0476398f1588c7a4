// Re-inks a pen trajectory (millimetres, y down) as a picture of a line of writing: a random pen
// (ballpoint, felt-tip, pencil, brush: width, pressure along the path, grain), slant, a slight
// rotation and tremor, at a random size, on paper with noise, sometimes blurred or JPEG-coded.
// The line convention (normalizeLine) then takes it like any photo.

import { createCanvas, Image, type Canvas, type SKRSContext2D } from '@napi-rs/canvas';
import { uniform, type Random } from '../../../core/random.js';
import type { GrayImage } from '../../../core/types.js';
import { drawPenStrokes, PEN_MODELS, type PenModel } from '../synth/render.js';

/** A pen-down stroke: flat `[x0, y0, x1, y1, ...]` in millimetres, y down. */
export type PenStroke = ArrayLike<number>;

/** Options of {@link renderPenLine}. */
export interface PenLineOptions {
  /** One ballpoint, upright, dark on clean white paper at 64 px of ink: for test sets. Default false. */
  readonly plain?: boolean;
}

/** Widest picture drawn, in pixels (a longer line is drawn smaller). */
const MAX_SIDE = 2400;
const DEG = Math.PI / 180;

function gaussian(rand: Random): number {
  const u = Math.max(rand(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

const GAUSSIAN_TABLE_SIZE = 1 << 16;
let gaussians: Float32Array | null = null;

/** Standard normal draws, made once: paper noise reads them, a random walk per picture. */
function gaussianTable(): Float32Array {
  if (!gaussians) {
    let state = 12345;
    const next = () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32;
    gaussians = Float32Array.from({ length: GAUSSIAN_TABLE_SIZE }, () => gaussian(next));
  }
  return gaussians;
}

let shared: { canvas: Canvas; context: SKRSContext2D } | null = null;

function surface(width: number, height: number): SKRSContext2D {
  if (!shared || shared.canvas.width < width || shared.canvas.height < height) {
    const canvas = createCanvas(
      Math.max(width, shared?.canvas.width ?? 0),
      Math.max(height, shared?.canvas.height ?? 0),
    );
    shared = { canvas, context: canvas.getContext('2d') };
  }
  const g = shared.context;
  g.resetTransform();
  g.globalAlpha = 1;
  g.filter = 'none';
  return g;
}

/**
 * Draws the strokes as a gray picture (dark ink on light paper, sometimes the reverse).
 *
 * @example
 * const image = renderPenLine([[0, 0, 10, 2]], createRandom(1));
 */
export function renderPenLine(
  strokes: readonly PenStroke[],
  rand: Random,
  options: PenLineOptions = {},
): GrayImage {
  const plain = options.plain ?? false;
  let minX = Infinity;
  let maxX = -Infinity;
  let minY = Infinity;
  let maxY = -Infinity;
  for (const s of strokes) {
    for (let i = 0; i + 1 < s.length; i += 2) {
      minX = Math.min(minX, s[i]!);
      maxX = Math.max(maxX, s[i]!);
      minY = Math.min(minY, s[i + 1]!);
      maxY = Math.max(maxY, s[i + 1]!);
    }
  }
  const spanY = Math.max(maxY - minY, 1e-3);
  const spanX = Math.max(maxX - minX, 1e-3);
  const pen: PenModel = plain ? 'ballpoint' : PEN_MODELS[Math.floor(rand() * PEN_MODELS.length)]!;
  const inkHeight = plain ? 64 : uniform(rand, 34, 96);
  let scale = inkHeight / spanY; // pixels per millimetre
  const slant = plain ? 0 : Math.tan(uniform(rand, -18, 18) * DEG);
  const rotation = plain ? 0 : uniform(rand, -3, 3) * DEG;
  const margin = plain ? 8 : Math.round(uniform(rand, 3, 16));
  const reach = spanX + Math.abs(slant) * spanY;
  scale = Math.min(scale, (MAX_SIDE - 2 * margin) / reach);
  const width = Math.ceil(
    reach * scale + 2 * margin + Math.abs(Math.sin(rotation)) * spanY * scale,
  );
  const height = Math.ceil(
    spanY * scale + 2 * margin + Math.abs(Math.sin(rotation)) * reach * scale,
  );
  const g = surface(width, height);
  const paper = plain ? 255 : Math.round(uniform(rand, 170, 255));
  let ink = plain ? 0 : Math.round(uniform(rand, 0, 90));
  if (pen === 'pencil') ink = Math.round(uniform(rand, 40, 130));
  ink = Math.min(ink, paper - 70);
  g.fillStyle = `rgb(${paper},${paper},${paper})`;
  g.fillRect(0, 0, width, height);
  // Pen width in millimetres, as pens are.
  const penMm =
    pen === 'felt-tip'
      ? uniform(rand, 0.6, 1.1)
      : pen === 'brush'
        ? uniform(rand, 0.45, 1.0)
        : uniform(rand, 0.3, 0.6);
  // A pen in millimetres, but never over an eighth of the writing's height: some segments'
  // millimetres are wrong (a short word said to be 1.5 mm high became a blob of ink).
  const penPx = Math.max(1, Math.min((plain ? 0.45 : penMm) * scale, 0.125 * spanY * scale));
  const pressureAmount = plain ? 0 : pen === 'brush' ? 0.6 : pen === 'felt-tip' ? 0.1 : 0.3;
  const pressurePhase = uniform(rand, 0, 2 * Math.PI);
  const tremor = plain ? 0 : uniform(rand, 0, 0.012) * inkHeight;
  const waves = [uniform(rand, 0.01, 0.05), uniform(rand, 0.01, 0.05)];
  const cos = Math.cos(rotation);
  const sin = Math.sin(rotation);
  const cx = (minX + maxX) / 2;
  const cy = (minY + maxY) / 2;
  const walk = { distance: 0 };
  const place = (x: number, y: number): [number, number] => {
    const u = (x - cx) * scale;
    const v = (y - cy) * scale;
    const sheared = u - slant * v;
    return [
      width / 2 + cos * sheared - sin * v + tremor * Math.sin(walk.distance * waves[0]!),
      height / 2 + sin * sheared + cos * v + tremor * Math.sin(walk.distance * waves[1]! + 1),
    ];
  };
  g.strokeStyle = `rgb(${ink},${ink},${ink})`;
  g.fillStyle = g.strokeStyle;
  g.lineCap = 'round';
  g.lineJoin = 'round';
  drawPenStrokes(g, strokes, place, { pen, width: penPx, pressureAmount, pressurePhase }, walk);
  if (!plain && rand() < 0.3) {
    // Out of focus: blur the picture onto itself.
    const copy = createCanvas(width, height);
    copy.getContext('2d').drawImage(shared!.canvas, 0, 0, width, height, 0, 0, width, height);
    g.filter = `blur(${uniform(rand, 0.4, 1.3).toFixed(2)}px)`;
    g.drawImage(copy, 0, 0);
    g.filter = 'none';
  }
  let rgba = g.getImageData(0, 0, width, height).data;
  if (!plain && rand() < 0.25) {
    // JPEG at a low quality: blocks and ringing, as in phone pictures.
    const crop = createCanvas(width, height);
    const c = crop.getContext('2d');
    c.putImageData(g.getImageData(0, 0, width, height), 0, 0);
    const image = new Image();
    image.src = crop.encodeSync('jpeg', Math.round(uniform(rand, 25, 80)));
    c.drawImage(image, 0, 0);
    rgba = c.getImageData(0, 0, width, height).data;
  }
  const data = new Uint8Array(width * height);
  const noise = plain ? 0 : uniform(rand, 0, 10);
  const table = gaussianTable();
  let cursor = Math.floor(rand() * GAUSSIAN_TABLE_SIZE);
  const stride = 1 + 2 * Math.floor(rand() * 500); // odd: visits every entry
  const invert = !plain && rand() < 0.15;
  for (let i = 0; i < data.length; i++) {
    let v = rgba[i * 4]!;
    if (pen === 'pencil' && v < paper - 10) v = Math.min(paper, v + (paper - v) * 0.45 * rand());
    if (noise > 0) {
      cursor = (cursor + stride) & (GAUSSIAN_TABLE_SIZE - 1);
      v += noise * table[cursor]!;
    }
    v = v < 0 ? 0 : v > 255 ? 255 : v;
    data[i] = invert ? 255 - v : v;
  }
  return { width, height, data };
}
