// Markdown for the model cards (src/node/eval/model-card.ts, src/node/eval/line-card.ts): tables,
// escaped cells, sizes, shell words and values as text.

/** A size in bytes as B, KiB or MiB, e.g. `'1.5 KiB'`. */
export function bytesText(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(2)} MiB`;
}

/** Escapes the characters that would break a markdown table cell or turn into markup. */
export function cell(text: string): string {
  return text
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    .replace(/([*_`<])/g, '\\$1');
}

/**
 * A markdown table. `align` gives each column's alignment, `l` or `r` (default: left);
 * `rule: 'compact'` writes the rule under the header as `|---|---|` instead of `| --- | --- |`.
 *
 * @example
 * table(['Class', 'Recall'], [['A', '98.00%']], 'lr');
 * // '| Class | Recall |\n| --- | ---: |\n| A | 98.00% |'
 */
export function table(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  align = '',
  rule: 'spaced' | 'compact' = 'spaced',
): string {
  const aligns = header.map((_, i) => (align[i] === 'r' ? '---:' : '---'));
  const line = (row: readonly string[]) => `| ${row.join(' | ')} |`;
  const ruleLine = rule === 'compact' ? `|${aligns.join('|')}|` : line(aligns);
  return [line(header), ruleLine, ...rows.map(line)].join('\n');
}

/** A shell word: quoted when it holds anything but safe characters. */
export function shellWord(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

/** A recorded value as text: `none` for null, lists joined with commas, objects as JSON. */
export function valueText(value: unknown): string {
  if (value === null || value === undefined) return 'none';
  if (Array.isArray(value)) return value.map(String).join(', ');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}
