// The report of a line model (issue 21 §5): its figures per test set, with and without the
// language model, and the worst-read lines of each set as pictures with their readings against
// the truth. One self-contained HTML page (renderReportHtml), the pictures inlined as PNG.

import sharp from 'sharp';
import type { GrayImage } from '../../core/types.js';
import type { LineSetEvaluation, LineTestSet } from '../eval/line-evaluate.js';
import type { LineModelMetadata } from '../model/line-artifact.js';
import { escapeHtml, renderReportHtml, type HtmlFigure } from './html.js';

/** Height of a worst line's picture in the report, in pixels. */
const PICTURE_HEIGHT = 56;
/** Widest picture. */
const PICTURE_MAX_WIDTH = 640;

const percent = (x: number) => `${(100 * x).toFixed(2)}%`;

async function picture(image: GrayImage): Promise<{ png: string; width: number; height: number }> {
  const scale = Math.min(PICTURE_HEIGHT / image.height, PICTURE_MAX_WIDTH / image.width);
  const width = Math.max(1, Math.round(image.width * scale));
  const height = Math.max(1, Math.round(image.height * scale));
  const png = await sharp(Buffer.from(image.data), {
    raw: { width: image.width, height: image.height, channels: 1 },
  })
    .resize(width, height)
    .png()
    .toBuffer();
  return { png: png.toString('base64'), width, height };
}

/** One worst line: its picture, then truth, greedy and language-model readings. */
async function worstFigure(
  image: GrayImage,
  truth: string,
  greedy: string,
  withLm: string,
): Promise<HtmlFigure> {
  const p = await picture(image);
  const rows = [
    ['truth', truth],
    ['greedy', greedy],
    ['with LM', withLm],
  ];
  const width = Math.max(p.width, 360);
  const height = p.height + 18 * rows.length + 8;
  const text = rows
    .map(
      ([k, v], i) =>
        `<text x="0" y="${p.height + 16 + 18 * i}" font-family="monospace" font-size="13"><tspan fill="#666">${escapeHtml(k!)}: </tspan>${escapeHtml(JSON.stringify(v))}</text>`,
    )
    .join('');
  return {
    svg: `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}"><image width="${p.width}" height="${p.height}" href="data:image/png;base64,${p.png}"/>${text}</svg>`,
  };
}

/**
 * The report page of a line model's evaluation.
 *
 * @example
 * await writeFileAtomic('report.html', await renderLineReport(dir, metadata, sets, results));
 */
export async function renderLineReport(
  dir: string,
  metadata: LineModelMetadata,
  sets: readonly LineTestSet[],
  results: readonly LineSetEvaluation[],
): Promise<string> {
  const sections = [];
  for (const r of results) {
    const set = sets.find((s) => s.name === r.name)!;
    const figures: HtmlFigure[] = [];
    for (const w of r.worst) {
      const item = set.items[w.index]!;
      figures.push(await worstFigure(item.image, w.truth, w.greedy, w.withLm));
    }
    const rows: HtmlFigure[][] = [];
    for (let i = 0; i < figures.length; i += 2) rows.push(figures.slice(i, i + 2));
    sections.push({
      id: `worst-${r.name}`,
      heading: `Worst lines: ${r.name}`,
      intro: `The ${r.worst.length} lines of ${r.lines} read worst with the language model (most errors per character first): the picture as given, then the truth and both readings.`,
      rows,
    });
  }
  const training = metadata.training;
  return renderReportHtml({
    title: `hcr line model: ${dir}`,
    subtitle: `${metadata.architecture}, ${metadata.charset.length} characters + CTC blank, lines ${metadata.lineHeight} px high`,
    generatedAt: new Date().toISOString(),
    notes: [
      "CER: character error rate, edit distance over the truth's characters, case-sensitive. Words: lines read exactly right.",
    ],
    missing: [],
    modelTable: {
      head: ['field', 'value'],
      rows: [
        ['architecture', metadata.architecture],
        ['training command', String(training.command ?? '')],
        ['steps', String(training.steps ?? '')],
        ['minutes', String(training.minutes ?? '')],
        ['created', metadata.createdAt],
        ['tfjs', metadata.tfjsVersion],
      ],
    },
    metricsTable: {
      head: [
        'test set',
        'lines',
        'characters',
        'CER greedy',
        'words greedy',
        'CER with LM',
        'words with LM',
        'ms/line p50',
      ],
      numeric: [false, true, true, true, true, true, true, true],
      rows: results.map((r) => [
        r.name,
        String(r.lines),
        String(r.characters),
        percent(r.greedy.cer),
        percent(r.greedy.wordAccuracy),
        percent(r.languageModel.cer),
        percent(r.languageModel.wordAccuracy),
        r.msPerLineP50.toFixed(1),
      ]),
    },
    metricsNote: results.map((r) => `${r.name}: ${r.description}.`).join(' '),
    sections,
  });
}
