// The line model's part of the Teach panel (issue 23 §3, docs/DESIGN.md §8): each word of line mode
// that the writer corrects (an alternative tapped, or the word typed) is kept as a sample, its ink
// and the corrected text, in IndexedDB (teach-store.ts); a word corrected again replaces its
// sample, and one set back to what was read drops it. The panel lists the words, adapts the line
// model on them in a Web Worker (line-adapt-worker.ts, core's recipe in core/line/adapt.ts), says
// how many characters of the held-out words it reads right before and after, and the page reads ink
// with the adapted model from then on (a switch goes back to the served one). The words and the
// adapted model export as zips and import back (line-zip.ts).

import { renderInk } from '../core/ink/render.js';
import type { InkStroke } from '../core/ink/types.js';
import {
  MIN_LINE_ADAPT_SAMPLES,
  holdOutLines,
  resolveLineAdaptOptions,
  type LineAdaptOptions,
} from '../core/line/adapt.js';
import { LINE_CHARSET, encodeLineText } from '../core/line/charset.js';
import type { ModelArtifacts } from './adapt-protocol.js';
import { byId, download, el } from './dom.js';
import type { InkCorrection } from './ink-view.js';
import type { FromLineWorker, LineAdaptUrls, ToLineWorker } from './line-adapt-protocol.js';
import { adaptedLineModelZip, lineSampleEntries, lineSamplesFromZip } from './line-zip.js';
import { AdaptPanel, weightsEtag } from './teach-adapt.js';
import type { AdaptedLineModel, LineSample, TeachStore } from './teach-store.js';
import type { ZipEntry } from './zip.js';

/** What the line part of the Teach panel needs from the page. */
export interface TeachLinesHost {
  /** The served line model's model.json (GET /api/models' lineModel), or none. */
  readonly lineModelUrl: string | undefined;
  /** The language model the page reads with (language-model.json). */
  readonly languageModelUrl: string;
  /** Reads ink with these line weights from now on (none: the served model's). */
  useLineModel(model: ModelArtifacts | undefined): void;
  /** Reads the pad again (after the model changed). */
  reread(): void;
  /** Called when the words kept change (the panel's button counts them). */
  changed(): void;
  /** Options of every adaptation (tests pass fewer steps). Default: none (LINE_ADAPT_DEFAULTS). */
  readonly adaptOptions?: LineAdaptOptions;
}

/** The line part's adaptation: its elements, flags and words (teach-adapt.ts). */
const LINE_ADAPT_PANEL = Object.freeze({
  status: 'adapt-lines-status',
  progress: 'adapt-lines-progress',
  cancel: 'adapt-lines-cancel',
  adaptingFlag: 'adaptingLines',
  secondsFlag: 'adaptLinesSeconds',
  use: 'use-adapted-lines',
  export: 'export-line-model',
  forget: 'forget-line-model',
  info: 'adapted-lines-info',
  inUse: 'line-model-in-use',
  modelFlag: 'lineModel',
  storageKey: 'hcr-use-adapted-lines',
  unit: 'words',
  base: 'line model',
  none: 'No adapted line model yet.',
  readingAdapted: 'Reading words with your adapted line model.',
  readingBase: 'Reading words with the line model as shipped.',
});
/** Height of a word's thumbnail, in pixels. */
const THUMB_HEIGHT = 28;

/** A word's ink drawn dark on light, THUMB_HEIGHT pixels high. */
function thumbnail(strokes: readonly InkStroke[]): HTMLCanvasElement {
  const image = renderInk(strokes, { inkHeight: THUMB_HEIGHT - 6, penWidth: 1.6, maxWidth: 400 });
  const canvas = el('canvas', { width: image.width, height: image.height });
  const ctx = canvas.getContext('2d')!;
  const data = ctx.createImageData(image.width, image.height);
  for (let i = 0; i < image.data.length; i++) {
    const v = 255 - image.data[i]!;
    data.data.set([v, v, v, 255], i * 4);
  }
  ctx.putImageData(data, 0, 0);
  return canvas;
}

const pct = (x: number) => `${Math.round(x * 100)}%`;

/** The Teach panel's words and the line model's adaptation. */
export class TeachLines {
  readonly #host: TeachLinesHost;
  readonly #store: TeachStore;
  #samples: LineSample[] = [];
  #adapted: AdaptedLineModel | undefined;
  /** Samples kept from corrections on the pad now, by the key of the word's strokes. */
  readonly #byWord = new Map<string, number>();
  readonly #panel: AdaptPanel<ToLineWorker, FromLineWorker>;
  /** The ETag of the served line model's weights.bin (the start of its SHA-256). */
  #baseWeights = '';

  private constructor(host: TeachLinesHost, store: TeachStore) {
    this.#host = host;
    this.#store = store;
    this.#panel = new AdaptPanel(
      LINE_ADAPT_PANEL,
      () => {
        const worker = new Worker(new URL('./line-adapt-worker.ts', import.meta.url), {
          type: 'module',
          name: 'hcr-line-adapt',
        });
        worker.postMessage({ type: 'prepare', urls: this.#urls } satisfies ToLineWorker);
        return worker;
      },
      () => this.#render(),
    );
  }

  /**
   * Brings back the words and the adapted line model, wires the panel's line section and, when
   * the writer last chose so, reads with the adapted model.
   *
   * @example
   * const lines = await TeachLines.start(host, store);
   */
  static async start(host: TeachLinesHost, store: TeachStore): Promise<TeachLines> {
    const lines = new TeachLines(host, store);
    lines.#samples = await store.lineSamples();
    lines.#adapted = await store.adaptedLine();
    lines.#wire();
    if (host.lineModelUrl) {
      lines.#baseWeights = await weightsEtag(host.lineModelUrl);
      if (lines.#adapted && lines.#panel.chosen) lines.#use(true);
    }
    byId('teach-lines-none').hidden = host.lineModelUrl !== undefined;
    byId('teach-lines-body').hidden = host.lineModelUrl === undefined;
    lines.#render();
    document.body.dataset['teachLines'] = host.lineModelUrl ? 'ready' : 'none';
    return lines;
  }

  /** Words kept. */
  get count(): number {
    return this.#samples.length;
  }

  /**
   * A correction of a word in line mode: kept as a sample (replacing the one kept for the same
   * strokes), or, set back to what was read, its sample dropped: a right reading keeps nothing.
   */
  async keep(correction: InkCorrection): Promise<void> {
    if (!this.#host.lineModelUrl) return;
    const done = byId('ink-kept');
    const earlier = this.#byWord.get(correction.key);
    if (earlier !== undefined) {
      await this.#store.deleteLineSample(earlier);
      this.#samples = this.#samples.filter((s) => s.id !== earlier);
      this.#byWord.delete(correction.key);
    }
    if (correction.text === correction.read) {
      done.textContent =
        earlier === undefined ? '' : `“${correction.read}” is right after all: its sample is gone.`;
      this.#changed();
      return;
    }
    if (!encodeLineText(correction.text, LINE_CHARSET)) {
      done.textContent = `“${correction.text}” has a character the line model cannot write; not kept to teach it.`;
      this.#changed();
      return;
    }
    const sample: LineSample = {
      text: correction.text,
      readAs: correction.read,
      strokes: correction.strokes.map((s) => s.points.map(({ x, y, t }) => ({ x, y, t }))),
      createdAt: new Date().toISOString(),
    };
    const id = await this.#store.addLineSample(sample);
    this.#samples.push({ ...sample, id });
    this.#byWord.set(correction.key, id);
    done.textContent = `Kept: it was “${correction.text}”, read as “${correction.read}” (${this.#samples.length} word${this.#samples.length === 1 ? '' : 's'} to teach the line model).`;
    this.#changed();
  }

  /** The words as zip entries (`hcr-samples/lines/NNNN.json`), for the samples' export. */
  exportEntries(): ZipEntry[] {
    return lineSampleEntries(this.#samples);
  }

  /** Imports the words of a samples zip; returns how many. */
  async importEntries(where: string, entries: readonly ZipEntry[]): Promise<number> {
    const imported = lineSamplesFromZip(where, entries);
    for (const sample of imported) {
      const id = await this.#store.addLineSample(sample);
      this.#samples.push({ ...sample, id });
    }
    if (imported.length > 0) this.#changed();
    return imported.length;
  }

  /**
   * Reads with an adapted line model imported from a zip (line-zip.ts's export) from now on.
   *
   * @throws Error when it writes other characters than the served line model
   */
  async importModel(
    where: string,
    artifacts: ModelArtifacts,
    meta: Readonly<Record<string, unknown>>,
  ): Promise<void> {
    const charset = typeof meta['charset'] === 'string' ? meta['charset'] : '';
    if (charset !== LINE_CHARSET) {
      throw new Error(
        `${where}: a line model of the characters ${JSON.stringify(charset)}, expected ${JSON.stringify(LINE_CHARSET)}`,
      );
    }
    const record = (
      meta['training'] as { adaptedInBrowser?: { baseWeightsSha256Prefix?: unknown } }
    )?.adaptedInBrowser;
    this.#adapted = {
      artifacts,
      charset,
      baseWeights:
        typeof record?.baseWeightsSha256Prefix === 'string' ? record.baseWeightsSha256Prefix : '',
      createdAt: new Date().toISOString(),
      samples: 0,
      heldOut: 0,
      seconds: 0,
      backend: 'imported',
      scores: [],
    };
    await this.#store.saveAdaptedLine(this.#adapted);
    this.#use(true);
  }

  #changed(): void {
    this.#render();
    this.#host.changed();
  }

  #wire(): void {
    byId('adapt-lines').addEventListener('click', () => void this.#adapt());
    byId<HTMLInputElement>('use-adapted-lines').addEventListener('change', (e) =>
      this.#use((e.target as HTMLInputElement).checked),
    );
    byId('export-line-model').addEventListener('click', () => void this.#exportModel());
    byId('forget-line-model').addEventListener('click', () => void this.#forgetModel());
    byId('clear-line-samples').addEventListener('click', () => void this.#clearSamples());
  }

  #render(): void {
    const n = this.#samples.length;
    byId('teach-lines-summary').textContent =
      n === 0
        ? 'No words yet. In line mode, tap a word that was read wrong and tap or type what you wrote: the word is kept here to teach the line model.'
        : `${n} word${n === 1 ? '' : 's'} you corrected. Adapting holds ${holdOutLines(n, this.#options.heldOut, this.#options.seed).heldOut.length} of them out to show what it gained.`;
    const list = byId('teach-line-samples');
    list.replaceChildren(
      ...this.#samples.map((sample) => {
        const del = el('button', {
          type: 'button',
          className: 'line-sample-delete',
          textContent: '×',
        });
        del.setAttribute(
          'aria-label',
          `Delete the word “${sample.text}”${sample.readAs ? ` (read as “${sample.readAs}”)` : ''}`,
        );
        del.addEventListener('click', () => void this.#deleteSample(sample));
        const item = el(
          'li',
          { className: 'line-sample' },
          thumbnail(sample.strokes),
          el('span', { className: 'line-sample-text', textContent: sample.text }),
          ...(sample.readAs
            ? [el('span', { className: 'teach-note', textContent: `read “${sample.readAs}”` })]
            : []),
          del,
        );
        return item;
      }),
    );
    const adapt = byId<HTMLButtonElement>('adapt-lines');
    adapt.disabled = n < MIN_LINE_ADAPT_SAMPLES || this.#panel.adapting;
    adapt.title =
      n < MIN_LINE_ADAPT_SAMPLES ? `Correct at least ${MIN_LINE_ADAPT_SAMPLES} words first` : '';
    byId<HTMLButtonElement>('clear-line-samples').disabled = n === 0;
    this.#panel.showAdapted(this.#adapted, this.#baseWeights);
  }

  get #options(): Readonly<Required<LineAdaptOptions>> {
    return resolveLineAdaptOptions(this.#host.adaptOptions);
  }

  async #deleteSample(sample: LineSample): Promise<void> {
    if (sample.id === undefined) return;
    await this.#store.deleteLineSample(sample.id);
    this.#samples = this.#samples.filter((s) => s.id !== sample.id);
    for (const [key, id] of this.#byWord) if (id === sample.id) this.#byWord.delete(key);
    this.#changed();
  }

  async #clearSamples(): Promise<void> {
    if (!confirm(`Delete all ${this.#samples.length} words?`)) return;
    await this.#store.clearLineSamples();
    this.#samples = [];
    this.#byWord.clear();
    this.#changed();
  }

  async #forgetModel(): Promise<void> {
    this.#use(false);
    await this.#store.deleteAdaptedLine();
    this.#adapted = undefined;
    this.#render();
  }

  /** Reads ink with the adapted line model (true) or the served one. */
  #use(adapted: boolean): void {
    const model = adapted ? this.#adapted : undefined;
    this.#host.useLineModel(model?.artifacts);
    this.#panel.showInUse(model !== undefined);
    this.#render();
    this.#host.reread();
  }

  get #urls(): LineAdaptUrls {
    return {
      lineModel: new URL(this.#host.lineModelUrl ?? '', location.href).href,
      languageModel: new URL(this.#host.languageModelUrl, location.href).href,
    };
  }

  /** The adaptation worker, started (backend up, models fetched) if it is not yet. */
  warm(): Worker | undefined {
    if (!this.#host.lineModelUrl) return undefined;
    return this.#panel.warm();
  }

  async #adapt(): Promise<void> {
    const worker = this.warm();
    if (this.#panel.adapting || !worker || this.#samples.length < MIN_LINE_ADAPT_SAMPLES) return;
    this.#panel.begin();
    this.#panel.run(
      worker,
      {
        type: 'adapt',
        urls: this.#urls,
        samples: this.#samples.map((s) => ({ strokes: s.strokes, text: s.text })),
        options: this.#host.adaptOptions ?? {},
      },
      {
        started: (m) => `Adapting the line model on ${m.train} words (${m.heldOut} held out)…`,
        rate: (m) => `${m.linesPerSecond.toFixed(1)} words/s`,
        done: (m) => void this.#finish(m),
      },
    );
  }

  async #finish(m: Extract<FromLineWorker, { type: 'done' }>): Promise<void> {
    this.#panel.stopped(false);
    const adapted: AdaptedLineModel = {
      artifacts: m.model,
      charset: m.charset,
      baseWeights: this.#baseWeights,
      createdAt: new Date().toISOString(),
      samples: m.train,
      heldOut: m.heldOut,
      seconds: m.seconds,
      backend: m.backend,
      scores: m.scores,
    };
    await this.#store.saveAdaptedLine(adapted);
    this.#adapted = adapted;
    const [page, alone] = m.scores;
    this.#panel.finished(
      m,
      page && alone
        ? ` ${page.name}: ${pct(page.before)} → ${pct(page.after)} of the characters read right (${page.count} word${page.count === 1 ? '' : 's'}; the line model alone: ${pct(alone.before)} → ${pct(alone.after)}).`
        : ' No word was held out to measure it.',
    );
    this.#use(true);
  }

  async #exportModel(): Promise<void> {
    const adapted = this.#adapted;
    if (!adapted || !this.#host.lineModelUrl) return;
    const base = await fetch(new URL('hcr.json', new URL(this.#host.lineModelUrl, location.href)))
      .then((r) => (r.ok ? (r.json() as Promise<Record<string, unknown>>) : {}))
      .catch(() => ({}));
    download(await adaptedLineModelZip(adapted, base, this.#samples), 'hcr-adapted-line-model.zip');
  }
}
