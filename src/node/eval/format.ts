// Terminal rendering of evaluation results (src/core/metrics.ts): a report per test set (header
// figures, a per-class table laid out in columns so that 62 classes fit on one screen, the most
// confused pairs) and a summary table over several test sets. Returns strings; the CLI prints.

import { confusionKind } from '../../core/metrics.js';
import type { ClassMetrics, EvaluationResult } from '../../core/metrics.js';
import { thousands } from '../../core/format.js';

/** Options of {@link formatEvaluation}; every field is optional, defaults in {@link FORMAT_DEFAULTS}. */
export interface FormatOptions {
  /** Include the per-class table. Default: true. */
  perClass?: boolean;
  /** Colour with ANSI escapes (for a terminal). Default: false. */
  color?: boolean;
  /** Width of the terminal in characters; decides how many table columns fit. Default: 80. */
  width?: number;
  /** How many of the most confused pairs to list (at most 20 are stored). Default: 10. */
  confused?: number;
}

/** {@link FormatOptions} with every default filled in. */
export type ResolvedFormatOptions = Required<FormatOptions>;

/**
 * The defaults of {@link FormatOptions}, in one place.
 *
 * @example
 * FORMAT_DEFAULTS.width; // 80
 */
export const FORMAT_DEFAULTS: Readonly<ResolvedFormatOptions> = Object.freeze({
  perClass: true,
  color: false,
  width: 80,
  confused: 10,
});

/**
 * Fills in the defaults of {@link FormatOptions}; `undefined` fields take the default.
 *
 * @example
 * resolveFormatOptions({ color: true }).width; // 80
 */
export function resolveFormatOptions(options: FormatOptions = {}): Readonly<ResolvedFormatOptions> {
  return Object.freeze({
    perClass: options.perClass ?? FORMAT_DEFAULTS.perClass,
    color: options.color ?? FORMAT_DEFAULTS.color,
    width: options.width ?? FORMAT_DEFAULTS.width,
    confused: options.confused ?? FORMAT_DEFAULTS.confused,
  });
}

/** Most classes the per-class table puts side by side. */
const MAX_TABLE_COLUMNS = 3;
/** Spaces between two side-by-side columns of the per-class table. */
const COLUMN_GAP = '    ';

type Style = (text: string) => string;
interface Palette {
  bold: Style;
  dim: Style;
  red: Style;
  yellow: Style;
}

function palette(color: boolean): Palette {
  const ansi =
    (code: number): Style =>
    (text) =>
      color ? `\x1b[${code}m${text}\x1b[0m` : text;
  return { bold: ansi(1), dim: ansi(2), red: ansi(31), yellow: ansi(33) };
}

/** A share in [0, 1] as a percentage with `digits` decimals, without the % sign. */
function percent(value: number, digits: number): string {
  return (value * 100).toFixed(digits);
}

/** A per-class figure in 4 characters at most: "99.1", "100" (not "100.0"), "0.0". */
function shortPercent(value: number): string {
  const text = percent(value, 1);
  return text === '100.0' ? '100' : text;
}

function headerLines(result: EvaluationResult, o: ResolvedFormatOptions, c: Palette): string[] {
  const m = result.macro;
  const figures = [
    `n=${thousands(result.count)}`,
    `accuracy ${c.bold(`${percent(result.accuracy, 2)}%`)}`,
    `merged ${percent(result.accuracyMerged, 2)}%`,
    `macro P/R/F1 ${shortPercent(m.precision)}/${shortPercent(m.recall)}/${shortPercent(m.f1)}%`,
  ];
  if (result.topK !== undefined && result.topKAccuracy !== undefined) {
    figures.push(`top-${result.topK} ${percent(result.topKAccuracy, 2)}%`);
  }
  const oneLine = [result.name, ...figures].join('  ');
  const lines =
    visibleLength(oneLine) <= o.width
      ? [c.bold(result.name) + oneLine.slice(result.name.length)]
      : [c.bold(result.name), `  ${figures.join('  ')}`];
  const merged = result.mergedPairs.map(([a, b]) => `${a}=${b}`).join(' ');
  lines.push(
    c.dim(
      `label set ${result.labelSet}; ` +
        (merged
          ? `merged counts ${merged} as correct`
          : 'merged = accuracy (no look-alike pairs here)'),
    ),
  );
  return lines;
}

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;]*m/g;
function visibleLength(text: string): number {
  return text.replace(ANSI, '').length;
}

/**
 * The per-class table: class, precision, recall, F1 (in %) and support, laid out in up to 3
 * columns side by side (read down, then across) as the width allows. A figure whose
 * denominator is zero shows as "-" (the JSON holds 0). With colour, an F1 more than 3 points
 * below the macro F1 is yellow, more than 10 points below red. Every line has the same
 * visible length.
 *
 * @example
 * formatPerClassTable(result, { width: 100 }).split('\n').length; // 22 for 62 classes
 */
export function formatPerClassTable(result: EvaluationResult, options: FormatOptions = {}): string {
  const o = resolveFormatOptions(options);
  const c = palette(o.color);
  const classWidth = Math.max(1, ...result.perClass.map((k) => k.class.length));
  const supportWidth = Math.max(1, ...result.perClass.map((k) => thousands(k.support).length));
  const figure = 5;
  const cellWidth = classWidth + 3 * figure + 1 + supportWidth;
  const fit = Math.floor((o.width + COLUMN_GAP.length) / (cellWidth + COLUMN_GAP.length));
  const columns = Math.max(1, Math.min(MAX_TABLE_COLUMNS, fit, result.perClass.length));
  const rows = Math.ceil(result.perClass.length / columns);

  const head =
    ''.padEnd(classWidth) +
    'prec'.padStart(figure) +
    'rec'.padStart(figure) +
    'F1'.padStart(figure) +
    'n'.padStart(supportWidth + 1);
  const f1Style = (k: ClassMetrics): Style => {
    if (k.support === 0) return (text) => text;
    const behind = result.macro.f1 - k.f1;
    return behind > 0.1 ? c.red : behind > 0.03 ? c.yellow : (text) => text;
  };
  const cell = (k: ClassMetrics): string =>
    k.class.padEnd(classWidth) +
    (k.predicted > 0 ? shortPercent(k.precision) : '-').padStart(figure) +
    (k.support > 0 ? shortPercent(k.recall) : '-').padStart(figure) +
    f1Style(k)((k.support > 0 ? shortPercent(k.f1) : '-').padStart(figure)) +
    thousands(k.support).padStart(supportWidth + 1);

  const lines = [Array.from({ length: columns }, () => c.dim(head)).join(COLUMN_GAP)];
  for (let r = 0; r < rows; r++) {
    const cells: string[] = [];
    for (let col = 0; col < columns; col++) {
      const k = result.perClass[col * rows + r];
      cells.push(k ? cell(k) : ''.padEnd(cellWidth));
    }
    lines.push(cells.join(COLUMN_GAP));
  }
  return lines.join('\n');
}

/**
 * The most confused pairs, one per line: `O → 0   177  (12.3% of O)  look-alike`. The note
 * says when a pair is a look-alike (merged in `accuracyMerged`), a known confusable shape, or
 * the same letter in another case.
 *
 * @example
 * formatMostConfused(result, { confused: 5 });
 */
export function formatMostConfused(result: EvaluationResult, options: FormatOptions = {}): string {
  const o = resolveFormatOptions(options);
  const c = palette(o.color);
  const pairs = result.mostConfused.slice(0, Math.max(0, o.confused));
  if (pairs.length === 0) return c.dim('no confusions');
  const classWidth = Math.max(...pairs.map((p) => Math.max(p.true.length, p.predicted.length)));
  const countWidth = Math.max(...pairs.map((p) => thousands(p.count).length));
  const shares = pairs.map((p) => `(${percent(p.share, 1)}% of ${p.true})`);
  const shareWidth = Math.max(...shares.map((s) => s.length));
  const notes = { lookalike: 'look-alike', confusable: 'confusable', case: 'case' } as const;
  return pairs
    .map((p, i) => {
      const kind = confusionKind(p.true, p.predicted);
      const line =
        `  ${p.true.padEnd(classWidth)} → ${p.predicted.padEnd(classWidth)}` +
        `  ${thousands(p.count).padStart(countWidth)}  ${shares[i]!.padEnd(shareWidth)}`;
      return kind ? `${line}  ${c.dim(notes[kind])}` : line.trimEnd();
    })
    .join('\n');
}

/**
 * A readable report of one evaluation for a terminal: a header with the name, count, accuracy,
 * accuracy with look-alike pairs merged, macro precision/recall/F1 (and top-k when measured);
 * the per-class table ({@link formatPerClassTable}); the most confused pairs. No trailing
 * newline.
 *
 * @example
 * process.stdout.write(formatEvaluation(result, { color: process.stdout.isTTY }) + '\n');
 */
export function formatEvaluation(result: EvaluationResult, options: FormatOptions = {}): string {
  const o = resolveFormatOptions(options);
  const c = palette(o.color);
  const parts = [headerLines(result, o, c).join('\n')];
  if (o.perClass) {
    parts.push(
      `${c.bold('Per class')} ${c.dim('(precision, recall, F1 in %; n = test images)')}\n` +
        formatPerClassTable(result, o),
    );
  }
  if (o.confused > 0) {
    parts.push(
      `${c.bold('Most confused')} ${c.dim('(true → predicted)')}\n` + formatMostConfused(result, o),
    );
  }
  return parts.join('\n\n');
}

/**
 * One row per test set: name, n, accuracy, accuracy with look-alike pairs merged, for a label
 * set with both cases the case-merged and case-and-look-alike-merged accuracies, macro F1
 * (and top-k when every row has it with the same k). Columns are aligned and every line has the
 * same visible length. Pass a {@link mergeEvaluations} result as the last row for a total.
 *
 * @example
 * formatSummaryTable([mnist, emnist, mergeEvaluations('all', [mnist, emnist])]);
 */
export function formatSummaryTable(
  results: readonly EvaluationResult[],
  options: Pick<FormatOptions, 'color'> = {},
): string {
  const c = palette(options.color ?? FORMAT_DEFAULTS.color);
  const k = results[0]?.topK;
  const withTopK =
    results.length > 0 &&
    results.every((r) => r.topK === k && r.topK !== undefined && r.topKAccuracy !== undefined);
  // Label sets with both cases add what a single glyph can know: case merged, then case and
  // look-alikes merged.
  const withCase = results.some((r) => r.accuracyCaseMerged !== undefined);
  const header = ['test set', 'n', 'accuracy', 'merged'];
  if (withCase) header.push('case-merged', 'case+look-alike');
  header.push('macro-F1');
  if (withTopK) header.push(`top-${k}`);
  const rows = results.map((r) => {
    const row = [
      r.name,
      thousands(r.count),
      `${percent(r.accuracy, 2)}%`,
      `${percent(r.accuracyMerged, 2)}%`,
    ];
    if (withCase) {
      for (const value of [r.accuracyCaseMerged, r.accuracyCaseLookalikeMerged]) {
        row.push(value === undefined ? '-' : `${percent(value, 2)}%`);
      }
    }
    row.push(`${percent(r.macro.f1, 2)}%`);
    if (withTopK) row.push(`${percent(r.topKAccuracy ?? 0, 2)}%`);
    return row;
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (row: string[]): string =>
    row
      .map((text, i) => (i === 0 ? text.padEnd(widths[0]!) : text.padStart(widths[i]!)))
      .join('  ');
  return [c.bold(line(header)), ...rows.map(line)].join('\n');
}
