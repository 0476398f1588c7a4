// The self-contained report page: one HTML file with its CSS and every plot inlined as SVG
// (hover text from SVG <title>s, no script), tables of model metadata and per-test-set
// metrics, and a list of the plots that could not be drawn and why. Nothing in it refers to
// another file or to the network, so it opens from disk anywhere.

/** One cell of a figure row: an inlined plot, or the reason it is missing. */
export type HtmlFigure =
  { readonly svg: string; readonly files?: readonly string[] } | { readonly missing: string };

/** A section of the page: a heading, an optional introduction and rows of figures side by side. */
export interface HtmlSection {
  readonly id: string;
  readonly heading: string;
  readonly intro?: string;
  /** Heads over the columns when figures stand side by side (e.g. the two models compared). */
  readonly columnHeads?: readonly string[];
  readonly rows: readonly (readonly HtmlFigure[])[];
}

/** A table: head cells, then rows of cells; `numeric[i]` right-aligns column i. */
export interface HtmlTable {
  readonly head: readonly string[];
  readonly rows: readonly (readonly string[])[];
  readonly numeric?: readonly boolean[];
  /** Rows (by index) drawn in bold, e.g. totals. */
  readonly strong?: readonly number[];
  /** Rows (by index) highlighted, e.g. where two models differ. */
  readonly highlight?: readonly number[];
}

/** Everything the page shows. */
export interface ReportPage {
  readonly title: string;
  readonly subtitle: string;
  readonly generatedAt: string;
  readonly notes: readonly string[];
  readonly missing: readonly { plot: string; reason: string }[];
  readonly modelTable: HtmlTable;
  readonly metricsTable: HtmlTable;
  readonly metricsNote: string;
  readonly sections: readonly HtmlSection[];
  /** Use the whole window width (for models side by side). Default: false. */
  readonly wide?: boolean;
}

/**
 * Escapes text for HTML element content and attribute values.
 *
 * @example
 * escapeHtml('<b> & "x"'); // '&lt;b&gt; &amp; &quot;x&quot;'
 */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

/**
 * Makes a standalone vega SVG safe to inline next to others: element ids (gradients, clip
 * paths) get `prefix` so two plots cannot capture each other's, and the XML namespace
 * declarations (URLs, not needed inside HTML) are dropped.
 *
 * @example
 * inlineSvg('<svg xmlns="http://www.w3.org/2000/svg"><path id="clip1"/><g clip-path="url(#clip1)"/></svg>', 'p3');
 * // '<svg><path id="p3-clip1"/><g clip-path="url(#p3-clip1)"/></svg>'
 */
export function inlineSvg(svg: string, prefix: string): string {
  return svg
    .replace(/^<\?xml[^>]*>\s*/, '')
    .replace(/\s+xmlns(?::[a-z]+)?="[^"]*"/g, '')
    .replace(/\bxlink:href=/g, 'href=')
    .replace(/\bid="([^"]+)"/g, `id="${prefix}-$1"`)
    .replace(/url\(#([^)]+)\)/g, `url(#${prefix}-$1)`)
    .replace(/\bhref="#([^"]+)"/g, `href="#${prefix}-$1"`);
}

const CSS = `
:root { color-scheme: light; }
body { font-family: "DejaVu Sans", Verdana, system-ui, sans-serif; color: #111; margin: 0;
  background: #f4f5f7; line-height: 1.45; }
header, main { max-width: 1500px; margin: 0 auto; padding: 0 24px; }
body.wide header, body.wide main { max-width: none; }
header { padding-top: 20px; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 20px; margin: 32px 0 8px; border-bottom: 2px solid #d0d4da; padding-bottom: 4px; }
.subtitle, .muted { color: #555; }
nav { margin: 12px 0; font-size: 14px; }
nav a { margin-right: 14px; color: #1f5fa8; text-decoration: none; white-space: nowrap; }
nav a:hover { text-decoration: underline; }
section { margin-bottom: 24px; }
.card { background: white; border: 1px solid #dde1e6; border-radius: 6px; padding: 12px;
  overflow-x: auto; }
.row { display: grid; gap: 16px; margin: 12px 0; align-items: start; }
.cols-1 { grid-template-columns: minmax(0, 1fr); }
.cols-2 { grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); }
.row svg { max-width: 100%; height: auto; display: block; }
.column-head { font-weight: bold; font-size: 15px; margin: 0 0 4px; }
.files { font-size: 12px; color: #666; margin-top: 4px; }
.missing { color: #8a4b00; background: #fff7e6; border: 1px solid #f0d9a8; border-radius: 6px;
  padding: 10px 12px; }
table { border-collapse: collapse; background: white; font-size: 14px; }
th, td { border: 1px solid #dde1e6; padding: 5px 9px; text-align: left; vertical-align: top; }
th { background: #eef1f4; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.strong td { font-weight: bold; }
tr.highlight td { background: #fff6d5; }
.notes li { margin: 2px 0; }
footer { max-width: 1500px; margin: 32px auto; padding: 0 24px; font-size: 12px; color: #777; }
`;

function table(t: HtmlTable, className = ''): string {
  const cls = (i: number) => (t.numeric?.[i] ? ' class="num"' : '');
  const head = `<tr>${t.head.map((h, i) => `<th${cls(i)}>${escapeHtml(h)}</th>`).join('')}</tr>`;
  const rows = t.rows
    .map((row, r) => {
      const classes = [
        ...(t.strong?.includes(r) ? ['strong'] : []),
        ...(t.highlight?.includes(r) ? ['highlight'] : []),
      ];
      const strong = classes.length ? ` class="${classes.join(' ')}"` : '';
      return `<tr${strong}>${row.map((c, i) => `<td${cls(i)}>${escapeHtml(c).replace(/\n/g, '<br>')}</td>`).join('')}</tr>`;
    })
    .join('\n');
  return `<div class="card ${className}"><table>\n<thead>${head}</thead>\n<tbody>\n${rows}\n</tbody></table></div>`;
}

function figure(f: HtmlFigure, prefix: string): string {
  if ('missing' in f) return `<div class="missing">Not shown: ${escapeHtml(f.missing)}</div>`;
  const files = f.files?.length
    ? `<div class="files">Also saved as ${f.files.map(escapeHtml).join(', ')}</div>`
    : '';
  return `<div class="card">${inlineSvg(f.svg, prefix)}${files}</div>`;
}

function section(s: HtmlSection, index: number): string {
  const columns = Math.max(1, s.columnHeads?.length ?? 1);
  const heads = s.columnHeads
    ? `<div class="row cols-${columns}">${s.columnHeads.map((h) => `<div class="column-head">${escapeHtml(h)}</div>`).join('')}</div>`
    : '';
  let headsShown = false;
  const rows = s.rows
    .map((row, r) => {
      // A row of one figure spans the section; the column heads go above the first row of several.
      const span = row.length > 1 ? columns : 1;
      const before = span > 1 && !headsShown ? heads : '';
      if (before) headsShown = true;
      return `${before}<div class="row cols-${span}">${row.map((f, c) => figure(f, `s${index}r${r}c${c}`)).join('\n')}</div>`;
    })
    .join('\n');
  const intro = s.intro ? `<p class="muted">${escapeHtml(s.intro)}</p>` : '';
  return `<section id="${escapeHtml(s.id)}">\n<h2>${escapeHtml(s.heading)}</h2>\n${intro}\n${rows}\n</section>`;
}

/**
 * The report page as one HTML document.
 *
 * @example
 * await writeFileAtomic('report.html', renderReportHtml(page));
 */
export function renderReportHtml(page: ReportPage): string {
  const nav = [
    ['model', 'Model'],
    ['metrics', 'Metrics'],
    ...page.sections.map((s) => [s.id, s.heading]),
  ]
    .map(([id, text]) => `<a href="#${escapeHtml(id!)}">${escapeHtml(text!)}</a>`)
    .join('');
  const missing = page.missing.length
    ? `<section id="missing"><h2>Plots not shown</h2><ul class="notes">${page.missing
        .map((m) => `<li><b>${escapeHtml(m.plot)}</b>: ${escapeHtml(m.reason)}</li>`)
        .join('')}</ul></section>`
    : '';
  const notes = page.notes.length
    ? `<ul class="notes muted">${page.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>`
    : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(page.title)}</title>
<style>${CSS}</style>
</head>
<body${page.wide ? ' class="wide"' : ''}>
<header>
<h1>${escapeHtml(page.title)}</h1>
<div class="subtitle">${escapeHtml(page.subtitle)}</div>
${notes}
<nav>${nav}</nav>
</header>
<main>
${missing}
<section id="model"><h2>Model</h2>${table(page.modelTable)}</section>
<section id="metrics"><h2>Metrics per test set</h2><p class="muted">${escapeHtml(page.metricsNote)}</p>${table(page.metricsTable)}</section>
${page.sections.map(section).join('\n')}
</main>
<footer>Generated by hcr on ${escapeHtml(page.generatedAt)}. Hover over a plot's cells, bars, points or images for exact figures.</footer>
</body>
</html>
`;
}
