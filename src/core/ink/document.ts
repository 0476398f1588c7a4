// Ink as a document arrives (a file, a request body): W3C InkML or the JSON of the Handwriting
// Recognition API's points, told apart by their first character; and a whole drawing rendered
// for reading, several lines at one scale that brings a typical line to the model's height.

import { HcrError } from '../errors.js';
import { parseInkml } from './inkml.js';
import { inkFromJson } from './json.js';
import { INK_LIMITS, type InkLimits } from './limits.js';
import { groupStrokesIntoLines } from './lines.js';
import {
  RENDER_INK_DEFAULTS,
  renderInk,
  type RenderedInk,
  type RenderInkOptions,
} from './render.js';
import type { GrayImage } from '../types.js';
import type { InkStroke } from './types.js';

/**
 * The strokes of an ink document: InkML when its first character (after white space and a
 * byte-order mark) is `<`, else JSON (see json.ts for its spellings).
 *
 * @param where - names the document in messages, e.g. a file name. Default: `'ink'`.
 * @throws HcrError BAD_INK for a document longer than `maxInkmlChars`, neither JSON nor
 *   InkML, malformed or over the budgets
 * @example
 * parseInk('{"strokes": [[{"x": 0, "y": 0}, {"x": 5, "y": 9}]]}');
 * parseInk('<ink><trace>0 0, 5 9</trace></ink>');
 */
export function parseInk(text: string, limits: InkLimits = INK_LIMITS, where = 'ink'): InkStroke[] {
  if (text.length > limits.maxInkmlChars) {
    throw new HcrError(
      'BAD_INK',
      `${where}: expected at most ${limits.maxInkmlChars} characters of ink, got ${text.length}`,
    );
  }
  const body = text.replace(/^\uFEFF?\s*/, '');
  if (body.startsWith('<')) return parseInkml(body, limits, where).strokes;
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (error) {
    throw new HcrError(
      'BAD_INK',
      `${where}: expected InkML (<ink>...) or JSON strokes, got ${body.length === 0 ? 'nothing' : `text that is neither (${(error as Error).message})`}`,
    );
  }
  return inkFromJson(value, limits, where);
}

/**
 * Renders a drawing of one or more lines at one scale: its lines found as the polyfill finds
 * them (groupStrokesIntoLines), and the median line's height brought to `inkHeight`.
 *
 * @example
 * const image = renderInkPage(parseInk(text)); // lines about 64 px high, ink bright on 0
 */
export function renderInkPage(
  strokes: readonly InkStroke[],
  options: RenderInkOptions = {},
): RenderedInk {
  if (options.scale !== undefined) return renderInk(strokes, options);
  const heights = groupStrokesIntoLines(strokes)
    .map((line) => {
      let top = Infinity;
      let bottom = -Infinity;
      for (const i of line) {
        for (const p of strokes[i]!) {
          top = Math.min(top, p.y);
          bottom = Math.max(bottom, p.y);
        }
      }
      return bottom - top;
    })
    .filter((h) => h > 0)
    .sort((a, b) => a - b);
  if (heights.length <= 1) return renderInk(strokes, options);
  const median = heights[heights.length >> 1]!;
  return renderInk(strokes, {
    ...options,
    scale: (options.inkHeight ?? RENDER_INK_DEFAULTS.inkHeight) / median,
  });
}

/**
 * Pen width of {@link inkOnPaper}, in pixels at 64 px a line: the glyph reader normalizes each
 * character to 20 px, where this is about MNIST's stroke.
 */
export const PAPER_PEN_WIDTH = 5;

/**
 * A drawing as an upload of it would look: dark ink on white paper, lines about 64 px high,
 * for readers of images. The glyph reader's lines take the default {@link PAPER_PEN_WIDTH} pen;
 * the line reader takes the line model's own pen (RENDER_INK_DEFAULTS.penWidth), so what it
 * reads is ink at its own scale and stroke, whatever pen the device drew with.
 *
 * @param penWidth - pen width in pixels at 64 px a line. Default: PAPER_PEN_WIDTH (5).
 * @example
 * const gray = inkOnPaper(parseInk(text)); // readImage(loaded, gray)
 * const forLines = inkOnPaper(parseInk(text), RENDER_INK_DEFAULTS.penWidth);
 */
export function inkOnPaper(
  strokes: readonly InkStroke[],
  penWidth: number = PAPER_PEN_WIDTH,
): GrayImage & { data: Uint8Array } {
  const image = renderInkPage(strokes, { penWidth });
  const data = new Uint8Array(image.data.length);
  for (let i = 0; i < data.length; i++) data[i] = 255 - image.data[i]!;
  return { width: image.width, height: image.height, data };
}
