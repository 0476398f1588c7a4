// Renders a Vega-Lite spec to SVG (vega, in Node, no canvas needed) and PNG (sharp, which
// rasterizes SVG with librsvg). Hover text: vega writes each mark's `description` as an
// aria-label; it is repeated as an SVG <title>, which browsers show on hover, so the plots
// explain themselves without any script.

import sharp from 'sharp';
import type { TopLevelSpec } from 'vega-lite';
import { HcrError } from '../../core/errors.js';
import { vegaTextWidth } from './text-width.js';

/** A rendered plot: the SVG text, the PNG bytes and the PNG's size in pixels. */
export interface RenderedPlot {
  readonly svg: string;
  readonly png: Uint8Array;
  readonly width: number;
  readonly height: number;
}

/** Options of {@link renderSpec}; defaults in {@link RENDER_DEFAULTS}. */
export interface RenderOptions {
  /** PNG pixels per SVG pixel (2 gives crisp text on high-density screens). Default: 2. */
  pngScale?: number;
}

/**
 * Defaults of {@link RenderOptions}.
 *
 * @example
 * RENDER_DEFAULTS.pngScale; // 2
 */
export const RENDER_DEFAULTS: Readonly<Required<RenderOptions>> = Object.freeze({ pngScale: 2 });

/**
 * The look shared by every plot: readable font sizes, white background, no view frame.
 *
 * @example
 * const spec = { config: PLOT_CONFIG, ... };
 */
export const PLOT_CONFIG = Object.freeze({
  background: 'white',
  padding: 12,
  font: 'DejaVu Sans, Verdana, sans-serif',
  title: { fontSize: 16, subtitleFontSize: 12, subtitleColor: '#444', anchor: 'start', offset: 10 },
  axis: { labelFontSize: 11, titleFontSize: 13, titleFontWeight: 'bold', labelColor: '#222' },
  legend: { labelFontSize: 11, titleFontSize: 12, titleLimit: 400, labelLimit: 400 },
  header: { labelFontSize: 13, titleFontSize: 13 },
  view: { stroke: null },
} as const);

function escapeXml(text: string): string {
  return text
    .replace(/&(?!(?:amp|lt|gt|quot|#\d+|#x[0-9a-f]+);)/gi, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

/** aria-roledescriptions of guides (axes, legends, titles), which get no hover title. */
const GUIDE_ROLES = new Set(['axis', 'legend', 'title', 'subtitle']);

/**
 * Repeats the aria-label of every mark item of a vega SVG as an SVG `<title>` child, which
 * browsers show as a tooltip. Guide elements (axes, legends) keep only their aria-label.
 *
 * @example
 * svgWithTitles('<path aria-label="O → 0: 12" role="graphics-symbol" aria-roledescription="rect mark" d="M0,0"/>');
 * // '<path ... d="M0,0"><title>O → 0: 12</title></path>'
 */
export function svgWithTitles(svg: string): string {
  return svg.replace(
    /<([a-z]+)(\s[^<>]*?\baria-label="([^"]*)"[^<>]*?\brole="graphics-symbol"[^<>]*?\baria-roledescription="([^"]*)"[^<>]*?)(\/?)>/g,
    (match, tag: string, attributes: string, label: string, role: string, selfClosing: string) => {
      if (GUIDE_ROLES.has(role)) return match;
      const title = `<title>${escapeXml(label)}</title>`;
      return selfClosing
        ? `<${tag}${attributes}>${title}</${tag}>`
        : `<${tag}${attributes}>${title}`;
    },
  );
}

/**
 * Compiles a Vega-Lite spec and renders it to SVG, with hover titles ({@link svgWithTitles}).
 * Throws an ENGINE error when vega cannot render it (a bug in a spec, not a user error).
 *
 * @example
 * const svg = await renderSvg(confusionMatrixSpec(result));
 */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  // vega takes about half a second to import: load it when a plot is first drawn, not when
  // the CLI starts.
  const [vega, vegaLite] = await Promise.all([import('vega'), import('vega-lite')]);
  // vega's own guess without a canvas is 0.8 em per character; measure DejaVu Sans instead
  // (textMetrics is exported at run time but missing from vega's typings).
  (vega as unknown as { textMetrics: { width: typeof vegaTextWidth } }).textMetrics.width =
    vegaTextWidth;
  try {
    const compiled = vegaLite.compile(spec).spec;
    const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
    try {
      return svgWithTitles(await view.toSVG());
    } finally {
      view.finalize();
    }
  } catch (error) {
    const title = JSON.stringify(
      typeof spec.title === 'object' && 'text' in spec.title ? spec.title.text : spec.title,
    );
    throw new HcrError(
      'ENGINE',
      `plot ${title}: vega could not render it (${(error as Error).message})`,
      {
        cause: error,
      },
    );
  }
}

/**
 * Rasterizes an SVG to PNG with sharp (librsvg), `pngScale` PNG pixels per SVG pixel.
 *
 * @example
 * const { png, width } = await svgToPng(svg); // width: twice the SVG's
 */
export async function svgToPng(
  svg: string,
  options: RenderOptions = {},
): Promise<{ png: Uint8Array; width: number; height: number }> {
  const pngScale = options.pngScale ?? RENDER_DEFAULTS.pngScale;
  const { data, info } = await sharp(Buffer.from(svg), { density: 72 * pngScale })
    .png()
    .toBuffer({ resolveWithObject: true });
  return { png: new Uint8Array(data), width: info.width, height: info.height };
}

/**
 * Renders a Vega-Lite spec to SVG ({@link renderSvg}) and PNG ({@link svgToPng}).
 *
 * @example
 * const { svg, png, width, height } = await renderSpec(trainingCurvesSpec([{ model, history, bestEpoch }]));
 */
export async function renderSpec(
  spec: TopLevelSpec,
  options: RenderOptions = {},
): Promise<RenderedPlot> {
  const svg = await renderSvg(spec);
  return { svg, ...(await svgToPng(svg, options)) };
}
