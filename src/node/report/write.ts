// The report directory on disk: where it goes, which files it may hold, and writing it. Every
// plot of a layout is drawn as SVG and PNG, the figures are put into the page, and the
// directory is replaced whole and atomically, so a reader never sees half a report. The
// training curves alone can be rewritten in place while a run is being watched.

import { readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { HcrError } from '../../core/errors.js';
import { replaceDirectoryAtomic, writeFileAtomic } from '../fs-atomic.js';
import { trainingCurvesSpec, type CurveSeries } from './curves.js';
import { renderReportHtml, type HtmlFigure } from './html.js';
import { CURVES_PLOT, type LayoutFigure, type ReportLayout, type ReportPlot } from './layout.js';
import { renderSpec, renderSvg, svgToPng, type RenderedPlot } from './render.js';

/** Name of the page in a report directory. */
export const REPORT_HTML = 'report.html';
/** Name of the metrics file in a report directory. */
export const REPORT_METRICS = 'metrics.json';

/** A file a report directory may hold: anything else there means it is not ours to replace. */
const REPORT_ENTRY = /^(?:[a-z0-9.-]+\.(?:svg|png)|report\.html|metrics\.json|\.[^/]*\.tmp-.*)$/;

/**
 * The default report directory of a model directory: a sibling named `MODEL_DIR.report` (not
 * inside the model, which training replaces whole whenever it saves a better model).
 *
 * @example
 * reportDirFor('runs/default/'); // 'runs/default.report'
 */
export function reportDirFor(modelDir: string): string {
  return `${modelDir.replace(/[\\/]+$/, '')}.report`;
}

/**
 * Refuses a report directory that a report may not replace: a model directory itself, a file,
 * or a directory holding files a report does not write.
 *
 * @throws HcrError BAD_OPTION saying which and why
 * @example
 * await checkReportDir('runs/x.report', ['runs/x']);
 */
export async function checkReportDir(outDir: string, modelDirs: readonly string[]): Promise<void> {
  for (const dir of modelDirs) {
    if (resolve(dir) === resolve(outDir)) {
      throw new HcrError(
        'BAD_OPTION',
        `report directory ${outDir} is the model directory itself; choose another --out`,
      );
    }
  }
  let entries: string[];
  try {
    if (!(await stat(outDir)).isDirectory()) {
      throw new HcrError('BAD_OPTION', `report directory ${outDir} exists and is not a directory`);
    }
    entries = await readdir(outDir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  const foreign = entries.filter((e) => !REPORT_ENTRY.test(e));
  if (foreign.length > 0) {
    throw new HcrError(
      'BAD_OPTION',
      `report directory ${outDir} holds files a report does not write (${foreign.slice(0, 3).join(', ')}${foreign.length > 3 ? ', ...' : ''}); ` +
        'a report replaces its directory whole, so choose an empty or new --out',
    );
  }
}

/** Progress of drawing: plot `file` is next, `done` of `total` are drawn. */
export interface PlotProgress {
  readonly file: string;
  readonly done: number;
  readonly total: number;
}

/** Draws every plot, by file; `onPlot` hears of each before it is drawn. */
async function drawPlots(
  plots: readonly ReportPlot[],
  onPlot?: (progress: PlotProgress) => void,
): Promise<Map<string, RenderedPlot>> {
  const rendered = new Map<string, RenderedPlot>();
  const rasterized: Promise<void>[] = [];
  for (const [k, plot] of plots.entries()) {
    onPlot?.({ file: plot.file, done: k, total: plots.length });
    const svg = await renderSvg(plot.spec);
    // PNGs are made on sharp's threads while vega draws the next plot on this one.
    rasterized.push(
      svgToPng(svg).then((png) => {
        rendered.set(plot.file, { svg, ...png });
      }),
    );
  }
  await Promise.all(rasterized);
  return rendered;
}

/**
 * Draws the plots of `layout` and replaces `outDir` with the report: the PNG and SVG of each
 * plot, metrics.json and report.html. Returns the files written, relative to `outDir`.
 *
 * @example
 * const files = await writeReportDirectory('runs/x.report', layout);
 */
export async function writeReportDirectory(
  outDir: string,
  layout: ReportLayout,
  options: { onPlot?: (progress: PlotProgress) => void } = {},
): Promise<string[]> {
  const rendered = await drawPlots(layout.plots, options.onPlot);
  const figure = (cell: LayoutFigure): HtmlFigure => {
    if ('missing' in cell) return cell;
    const plot = rendered.get(cell.plot);
    return plot
      ? { svg: plot.svg, files: [`${cell.plot}.svg`, `${cell.plot}.png`] }
      : { missing: 'not drawn' };
  };
  const html = renderReportHtml({
    ...layout.page,
    sections: layout.sections.map((s) => ({ ...s, rows: s.rows.map((row) => row.map(figure)) })),
  });
  const files: string[] = [];
  await replaceDirectoryAtomic(outDir, async (tmp) => {
    for (const { file } of layout.plots) {
      const plot = rendered.get(file)!;
      await writeFileAtomic(join(tmp, `${file}.svg`), plot.svg);
      await writeFileAtomic(join(tmp, `${file}.png`), plot.png);
      files.push(`${file}.svg`, `${file}.png`);
    }
    await writeFileAtomic(
      join(tmp, REPORT_METRICS),
      `${JSON.stringify(layout.metrics, null, 1)}\n`,
    );
    await writeFileAtomic(join(tmp, REPORT_HTML), html);
    files.push(REPORT_METRICS, REPORT_HTML);
  });
  return files;
}

/**
 * Writes the training curves (curves.svg and curves.png) into `outDir`, e.g. after every epoch
 * of a run being watched (`epochs`: its budget, where the epoch axis ends). Returns the two
 * file names.
 *
 * @example
 * await writeTrainingCurves('runs/x.report', [{ model: 'x', history, bestEpoch: 3 }]);
 */
export async function writeTrainingCurves(
  outDir: string,
  series: readonly CurveSeries[],
  options: { epochs?: number } = {},
): Promise<string[]> {
  const plot = await renderSpec(trainingCurvesSpec(series, options));
  await writeFileAtomic(join(outDir, `${CURVES_PLOT}.svg`), plot.svg);
  await writeFileAtomic(join(outDir, `${CURVES_PLOT}.png`), plot.png);
  return [`${CURVES_PLOT}.svg`, `${CURVES_PLOT}.png`];
}
