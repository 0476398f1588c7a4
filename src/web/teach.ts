// Teaching the page one writer's hand (issue 17, docs/DESIGN.md §8). Under a reading, a row of the
// model's characters: one click (or Alt and the key) says what the drawing really was, and the
// drawing is kept as a sample. The Teach panel shows the samples per character, asks for more of
// those the model reads worst, deletes bad ones, and adapts the model on them in a Web Worker
// (adapt-worker.ts) with a replay sample of the training data shipped beside the page. The
// adapted model and the samples stay in IndexedDB (teach-store.ts), are exported as zips (a
// model directory; a folder of PNGs per class, as `hcr tune --samples` reads) and imported, and
// a switch reads with the base model or the adapted one. Nothing leaves the machine. It teaches
// a model of the replay sample's label set (alnum36): when the page reads with another one
// (issue 16's 62-class model), the panel says so and why, and the correction row stays hidden.
// The line model is taught from the words corrected in line mode (teach-lines.ts); its words
// travel in the same samples zip.

import replayImagesUrl from '../../models/replay-alnum36/replay-images-idx3-ubyte.gz?url';
import replayLabelsUrl from '../../models/replay-alnum36/replay-labels-idx1-ubyte.gz?url';
import replayManifestUrl from '../../models/replay-alnum36/replay.json?url';
import { normalizeToMnist } from '../core/normalize.js';
import { REPLAY_FILES, decodeIdx, type ReplayManifest } from '../core/replay-file.js';
import { IMAGE_PIXELS } from '../core/types.js';
import type {
  AdaptOptions,
  FromWorker,
  Images,
  ModelArtifacts,
  ToWorker,
} from './adapt-protocol.js';
import { canvasToGray, isTypingIn, putGrayPixels, scaledCanvas } from './images.js';
import { modelFromZip } from './line-zip.js';
import type { ServedModelEntry } from './models.js';
import type { ModelInfo, Recognition, Recognizer } from './recognizer.js';
import { TeachLines, type TeachLinesHost } from './teach-lines.js';
import { TeachStore, type AdaptedModel, type Sample } from './teach-store.js';
import { readZip, writeZip, type ZipEntry } from './zip.js';

/** Samples per character the Teach panel aims at (the issue's "5 per class"). */
const WANTED_PER_CLASS = 5;
/** Characters the panel asks for at a time. */
const ASK_FOR = 6;
/** Fewest samples Adapt starts with. */
const MIN_ADAPT_SAMPLES = 2;
/** Largest side of the kept drawing's PNG, in pixels: enough to normalize again, a few KB. */
const DRAWING_SIDE = 128;

/** What the Teach panel needs from the page. */
export interface TeachHost {
  /** The models the server serves (the panel names one it can teach when it cannot this one). */
  readonly models: readonly ServedModelEntry[];
  /** The pad's canvas (its drawing is kept beside each sample). */
  readonly padCanvas: HTMLCanvasElement;
  /** Clears the pad (after a sample was kept). */
  clearPad(): void;
  /** Switches to one-character mode. */
  showCharMode(): void;
  /** Reads the pad again (after the model changed). */
  reread(): void;
  /** Options of every adaptation (tests pass fewer steps). Default: none (PAGE_TUNE). */
  readonly adaptOptions?: AdaptOptions;
  /** What the line model's part of the panel needs (teach-lines.ts). */
  readonly lines: Omit<TeachLinesHost, 'changed'>;
}

/** The model the page reads with, as the Teach panel needs it. */
export interface TeachModel {
  /** Its name on the server. */
  readonly name: string;
  /** Its few words for people (`digits and capitals`). */
  readonly title: string;
  readonly info: ModelInfo;
  readonly recognizer: Recognizer;
}

function byId<T extends HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`page: missing element #${id}`);
  return el as T;
}

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Partial<HTMLElementTagNameMap[K]> & { className?: string } = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
}

function download(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = el('a', { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

async function gunzip(bytes: ArrayBuffer): Promise<Uint8Array> {
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

async function sha256Hex(data: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', data as BufferSource);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** A 28x28 sample as a canvas (ink white on black, as the model sees it). */
function sampleCanvas(pixels: Uint8Array): HTMLCanvasElement {
  const canvas = el('canvas', { width: 28, height: 28 });
  putGrayPixels(canvas.getContext('2d')!, pixels);
  return canvas;
}

async function pngOf(pixels: Uint8Array): Promise<Blob> {
  const canvas = new OffscreenCanvas(28, 28);
  putGrayPixels(canvas.getContext('2d')!, pixels);
  return canvas.convertToBlob({ type: 'image/png' });
}

/** The Teach panel and the correction row under a reading. */
export class Teach {
  readonly #host: TeachHost;
  readonly #store: TeachStore;
  /** The model it teaches: the last one given to setModel that it can teach. */
  #bound: TeachModel | undefined;
  /** False while the page reads with a model it cannot teach. */
  #active = false;
  #classes: readonly string[] = [];
  /** The shipped replay sample's manifest, fetched once. */
  #manifest: Promise<ReplayManifest | undefined> | undefined;
  #samples: Sample[] = [];
  #adapted: AdaptedModel | undefined;
  /** The last reading of the pad and what it was read as. */
  #reading: { pixels: Uint8Array; readAs: string } | undefined;
  /** The character being written again and again ("write more of J"), if any. */
  #target: string | undefined;
  /** The adaptation worker, started when the panel opens so that Adapt starts at once. */
  #worker: Worker | undefined;
  #adapting = false;
  /** The replay sample, fetched with the worker's start. */
  #replayLoad: Promise<Images | undefined> | undefined;
  /** The first 32 hex digits of the taught model's weights.bin SHA-256 (its ETag). */
  #baseWeights = '';
  /** The line model's part of the panel. */
  #lines: TeachLines | undefined;

  private constructor(host: TeachHost, store: TeachStore) {
    this.#host = host;
    this.#store = store;
  }

  /** The model it teaches; only called once one is bound (the panel is hidden before). */
  get #model(): TeachModel {
    if (!this.#bound) throw new Error('teach: no model to teach yet');
    return this.#bound;
  }

  /**
   * Opens the store, brings back the samples and the adapted model, and wires the panel; then
   * {@link Teach.setModel} tells it which model the page reads with.
   *
   * @example
   * const teach = await Teach.start({ models, padCanvas, clearPad, showCharMode, reread });
   * await teach.setModel({ name, title, info, recognizer });
   */
  static async start(host: TeachHost): Promise<Teach> {
    const teach = new Teach(host, await TeachStore.open());
    teach.#samples = await teach.#store.samples();
    teach.#adapted = await teach.#store.adapted();
    teach.#lines = await TeachLines.start(
      { ...host.lines, changed: () => teach.#render() },
      teach.#store,
    );
    teach.#wire();
    teach.#renderCounts();
    return teach;
  }

  /** The line model's part of the panel (line mode's corrections go to it). */
  get lines(): TeachLines | undefined {
    return this.#lines;
  }

  /**
   * The model the page now reads with: taught from now on when the panel can teach it (a model
   * that runs in the browser, of the replay sample's label set; read with the adapted model when
   * the user last chose so), else the panel says why not.
   */
  async setModel(model: TeachModel): Promise<void> {
    const why = await this.#cannotTeach(model);
    if (why !== undefined) {
      this.#suspend(why);
      return;
    }
    if (this.#bound?.recognizer !== model.recognizer) await this.#bind(model);
    this.#active = true;
    byId('teach-unsupported').hidden = true;
    byId('teach-body').hidden = false;
    this.#render();
    document.body.dataset['teach'] = 'ready';
  }

  /** Why the panel cannot teach `model`, or undefined when it can. */
  async #cannotTeach(model: TeachModel): Promise<string | undefined> {
    const { recognizer, info } = model;
    if (recognizer.kind !== 'browser' || !recognizer.useModel || !recognizer.classify) {
      return `Teaching adapts the model in this browser, and this browser runs the model for ${model.title} on the server.`;
    }
    this.#manifest ??= fetch(replayManifestUrl)
      .then((r) => (r.ok ? (r.json() as Promise<ReplayManifest>) : undefined))
      .catch(() => undefined);
    const replay = (await this.#manifest)?.labelSet;
    if (!replay || replay.classes.join('') === info.labelSet.classes.join('')) return undefined;
    const other = this.#host.models.find(
      (m) => m.labelSet.classes.join('') === replay.classes.join(''),
    );
    return (
      `Teaching is not available for the model for ${model.title} (${model.name}, ${info.labelSet.classes.length} classes): ` +
      `adapting mixes your samples with a sample of the original training data so that the model keeps reading other hands, ` +
      `and the page ships that sample for the ${replay.classes.length} classes of ${replay.name} only.` +
      (other ? ` Switch to “${other.title}” to teach that model your handwriting.` : '')
    );
  }

  /** Teaches `model` from now on: its keys, its base weights' name, the adapted model if chosen. */
  async #bind(model: TeachModel): Promise<void> {
    if (this.#adapting) this.#cancel();
    this.#worker?.terminate();
    this.#worker = undefined;
    this.#replayLoad = undefined;
    this.#bound = model;
    this.#classes = model.info.labelSet.classes;
    const weightsUrl = new URL('weights.bin', new URL(model.info.browserModel, location.href));
    const head = await fetch(weightsUrl, { method: 'HEAD' }).catch(() => undefined);
    // The server's ETag of weights.bin is the start of its SHA-256: it names the base model.
    this.#baseWeights = head?.headers.get('etag')?.replace(/"/g, '') ?? '';
    this.#wireKeys();
    if (this.#adapted && localStorage.getItem('hcr-use-adapted') !== 'false') {
      await this.#use(true).catch(() => this.#use(false));
    }
  }

  /** While the page reads with a model it cannot teach: the panel says why, nothing to correct. */
  #suspend(why: string): void {
    this.#active = false;
    this.#reading = undefined;
    this.#setTarget(undefined);
    byId('correct').hidden = true;
    const note = byId('teach-unsupported');
    note.textContent = why;
    note.hidden = false;
    byId('teach-body').hidden = true;
    document.body.dataset['teach'] = 'unsupported';
  }

  /** Whether the page reads with the adapted model now (false while it reads with another model). */
  get usingAdapted(): boolean {
    return this.#active && this.#bound?.recognizer.usingAdapted?.() === true;
  }

  /** Shows the correction row for a reading of the pad (or hides it). */
  showReading(recognition: Recognition | undefined): void {
    const row = byId('correct');
    if (
      !this.#active ||
      !recognition ||
      recognition.empty ||
      !recognition.pixels ||
      this.#model.recognizer.kind !== 'browser'
    ) {
      this.#reading = undefined;
      row.hidden = this.#target === undefined;
      byId<HTMLButtonElement>('keep').disabled = true;
      return;
    }
    this.#reading = { pixels: recognition.pixels, readAs: recognition.predictions[0]?.label ?? '' };
    row.hidden = false;
    // Most readings are right: the row asks, and shows the keys only when told the reading is
    // wrong (Alt and a key corrects at once).
    byId('correct-question').textContent = `Not ${this.#reading.readAs}?`;
    this.#expandKeys(this.#target !== undefined);
    // The key of what was read is not a correction: it stands out and keeps nothing.
    for (const key of document.querySelectorAll<HTMLButtonElement>('#correct-keys .key')) {
      const read = key.dataset['label'] === this.#reading.readAs;
      key.classList.toggle('read', read);
      const label = key.dataset['label'] ?? '';
      key.setAttribute('aria-label', read ? `It read ${label}: right` : `It is ${label}`);
    }
    byId<HTMLButtonElement>('keep').disabled = false;
  }

  /** Shows the keys of the correction row (true) or only its question. */
  #expandKeys(open: boolean): void {
    byId('correct-more').hidden = !open;
    byId('correct-ask').hidden = this.#target !== undefined;
    byId('correct-open').setAttribute('aria-expanded', String(open));
  }

  /** The row of the taught model's characters under a reading. */
  #wireKeys(): void {
    byId('correct-keys').replaceChildren(
      ...this.#classes.map((label) => {
        const button = el('button', { type: 'button', textContent: label, className: 'key' });
        button.dataset['label'] = label;
        button.setAttribute('aria-keyshortcuts', `Alt+${label}`);
        button.setAttribute('aria-label', `It is ${label}`);
        button.addEventListener('click', () => void this.#keep(label));
        return button;
      }),
    );
  }

  #wire(): void {
    byId('keep').addEventListener('click', () => {
      if (this.#target) void this.#keep(this.#target);
    });
    byId('stop-target').addEventListener('click', () => this.#setTarget(undefined));
    byId('correct-open').addEventListener('click', () => {
      this.#expandKeys(true);
      byId('correct-keys').querySelector<HTMLButtonElement>('.key:not(.read)')?.focus();
    });
    document.addEventListener('keydown', (e) => {
      if (isTypingIn(e.target)) return;
      if (e.altKey && !e.ctrlKey && !e.metaKey) {
        const key = /^(Key|Digit)(.)$/.exec(e.code)?.[2];
        if (key && this.#classes.includes(key) && this.#reading) {
          e.preventDefault();
          void this.#keep(key);
        }
      } else if (e.key === 'Enter' && this.#target && this.#reading && !e.ctrlKey && !e.metaKey) {
        e.preventDefault();
        void this.#keep(this.#target);
      }
    });
    const toggle = byId<HTMLButtonElement>('teach-toggle');
    toggle.addEventListener('click', () => {
      const open = toggle.getAttribute('aria-expanded') !== 'true';
      toggle.setAttribute('aria-expanded', String(open));
      byId('teach').hidden = !open;
      if (open) {
        byId('teach').scrollIntoView({ block: 'nearest' });
        if (this.#active) this.#warm();
        if ((this.#lines?.count ?? 0) > 0) this.#lines?.warm();
      }
    });
    byId('adapt').addEventListener('click', () => void this.#adapt());
    byId('adapt-cancel').addEventListener('click', () => this.#cancel());
    byId<HTMLInputElement>('use-adapted').addEventListener('change', (e) => {
      void this.#use((e.target as HTMLInputElement).checked).catch((error: unknown) =>
        this.#say(`Could not use the adapted model: ${String(error)}`),
      );
    });
    byId('export-model').addEventListener('click', () => void this.#exportModel());
    byId('export-samples').addEventListener('click', () => void this.#exportSamples());
    const importInput = byId<HTMLInputElement>('import');
    importInput.addEventListener('change', () => {
      const files = Array.from(importInput.files ?? []);
      importInput.value = '';
      void this.#import(files);
    });
    byId('forget-model').addEventListener('click', () => void this.#forgetModel());
    byId('clear-samples').addEventListener('click', () => void this.#clearSamples());
  }

  #say(text: string): void {
    byId('teach-message').textContent = text;
  }

  /**
   * Keeps the pad's drawing as a sample of `label`. A correction to what was read anyway keeps
   * nothing (the reading was right); writing samples of a chosen character keeps every one.
   */
  async #keep(label: string): Promise<void> {
    const reading = this.#reading;
    if (!reading) return;
    if (this.#target === undefined && label === reading.readAs) {
      byId('correct-done').textContent = `It read ${label}: nothing to correct, nothing kept.`;
      return;
    }
    const pad = this.#host.padCanvas;
    const small = scaledCanvas(pad, pad.width, pad.height, DRAWING_SIDE * DRAWING_SIDE);
    const drawing = await small.convertToBlob({ type: 'image/png' }).catch(() => undefined);
    const sample: Sample = {
      label,
      pixels: reading.pixels,
      readAs: reading.readAs,
      createdAt: new Date().toISOString(),
      ...(drawing ? { drawing } : {}),
    };
    const id = await this.#store.addSample(sample);
    this.#samples.push({ ...sample, id });
    const count = this.#samples.filter((s) => s.label === label).length;
    byId('correct-done').textContent =
      reading.readAs === label
        ? `Kept as ${label} (${count} of ${label}).`
        : `Kept: it was ${label}, read as ${reading.readAs} (${count} of ${label}).`;
    this.#reading = undefined;
    this.#host.clearPad();
    this.#render();
  }

  #setTarget(label: string | undefined): void {
    this.#target = label;
    const bar = byId('target');
    bar.hidden = label === undefined;
    byId('target-label').textContent = label ?? '';
    this.#expandKeys(label !== undefined);
    if (label !== undefined) {
      this.#host.showCharMode();
      byId('correct').hidden = false;
      byId('pad').focus();
    }
  }

  /** Share of each class's samples the model in use reads right. */
  #scores(): Map<string, { right: number; count: number }> {
    const scores = new Map<string, { right: number; count: number }>();
    for (const label of this.#classes) scores.set(label, { right: 0, count: 0 });
    const samples = this.#samples.filter((s) => scores.has(s.label));
    const classify = this.#bound?.recognizer.classify;
    const pixels = new Uint8Array(samples.length * IMAGE_PIXELS);
    samples.forEach((s, i) => pixels.set(s.pixels, i * IMAGE_PIXELS));
    const probs = classify && samples.length > 0 ? classify(pixels, samples.length) : undefined;
    const k = this.#classes.length;
    samples.forEach((s, i) => {
      const score = scores.get(s.label)!;
      score.count++;
      if (!probs) return;
      let best = 0;
      for (let c = 1; c < k; c++) if (probs[i * k + c]! > probs[i * k + best]!) best = c;
      if (this.#classes[best] === s.label) score.right++;
    });
    return scores;
  }

  /**
   * The characters to write more of: of those with samples, the ones read wrong most, then those
   * with fewest samples. A character without samples is not asked for: nothing says it is read
   * badly (the panel asked for 0 1 2 3 4 5 that way).
   */
  #asks(scores: Map<string, { right: number; count: number }>): string[] {
    return [...scores.entries()]
      .filter(([, s]) => s.count > 0 && (s.count < WANTED_PER_CLASS || s.right < s.count))
      .sort(([, a], [, b]) => {
        const wrongA = a.count - a.right;
        const wrongB = b.count - b.right;
        return wrongB - wrongA || a.count - b.count;
      })
      .slice(0, ASK_FOR)
      .map(([label]) => label);
  }

  #render(): void {
    const scores = this.#scores();
    const total = this.#samples.length;
    const classesWith = [...scores.values()].filter((s) => s.count > 0).length;
    byId('teach-summary').textContent =
      total === 0
        ? 'No samples yet. When a reading is wrong, click the character you wrote under it; or pick a character below and write it a few times.'
        : `${total} sample${total === 1 ? '' : 's'} of ${classesWith} character${classesWith === 1 ? '' : 's'} (aim: ${WANTED_PER_CLASS} of each character it reads wrong).`;
    this.#renderCounts();
    const asks = this.#asks(scores);
    const ask = byId('teach-ask');
    ask.replaceChildren();
    if (asks.length > 0 && total > 0) {
      ask.append(
        'Write more of: ',
        ...asks.map((label) => {
          const s = scores.get(label)!;
          const button = el('button', { type: 'button', className: 'ask', textContent: label });
          button.title = s.count ? `reads ${s.right} of ${s.count} right` : 'no samples yet';
          button.setAttribute('aria-label', `Write more ${label} (${button.title})`);
          button.addEventListener('click', () => this.#setTarget(label));
          return button;
        }),
      );
    }
    const grid = byId('teach-classes');
    grid.replaceChildren(
      ...this.#classes.map((label) => {
        const s = scores.get(label)!;
        const mine = this.#samples.filter((x) => x.label === label);
        const cell = el('li', { className: `class-cell${s.right < s.count ? ' weak' : ''}` });
        cell.dataset['label'] = label;
        const write = el('button', {
          type: 'button',
          className: 'class-write',
          textContent: label,
        });
        write.setAttribute('aria-label', `Write ${label}`);
        write.addEventListener('click', () => this.#setTarget(label));
        const count = el('span', {
          className: 'class-count',
          textContent: s.count ? `${s.right}/${s.count} read right` : '—',
        });
        const thumbs = el('div', { className: 'thumbs' });
        for (const sample of mine) {
          const del = el(
            'button',
            { type: 'button', className: 'thumb' },
            sampleCanvas(sample.pixels),
          );
          del.setAttribute(
            'aria-label',
            `Delete this ${label}${sample.readAs && sample.readAs !== label ? ` (read as ${sample.readAs})` : ''}`,
          );
          del.title = 'Delete this sample';
          del.addEventListener('click', () => void this.#deleteSample(sample));
          thumbs.append(del);
        }
        cell.append(el('div', { className: 'class-head' }, write, count), thumbs);
        return cell;
      }),
    );
    const adapted = this.#adapted;
    const use = byId<HTMLInputElement>('use-adapted');
    use.disabled = !adapted;
    byId<HTMLButtonElement>('export-model').disabled = !adapted;
    byId<HTMLButtonElement>('forget-model').disabled = !adapted;
    byId<HTMLButtonElement>('export-samples').disabled = total + (this.#lines?.count ?? 0) === 0;
    byId<HTMLButtonElement>('clear-samples').disabled = total === 0;
    // One sample teaches nothing about a hand: Adapt needs at least MIN_ADAPT_SAMPLES.
    const adapt = byId<HTMLButtonElement>('adapt');
    adapt.disabled = total < MIN_ADAPT_SAMPLES || this.#adapting;
    adapt.title =
      total < MIN_ADAPT_SAMPLES ? `Keep at least ${MIN_ADAPT_SAMPLES} samples first` : '';
    byId('adapted-info').textContent = adapted
      ? `Adapted ${new Date(adapted.createdAt).toLocaleString()} on ${adapted.samples} samples in ${adapted.seconds.toFixed(1)} s` +
        (adapted.baseWeights && this.#baseWeights && adapted.baseWeights !== this.#baseWeights
          ? ' — from an older base model: adapt again.'
          : '.')
      : 'No adapted model yet.';
  }

  /** The panel's button counts the samples of both models; export needs one of them. */
  #renderCounts(): void {
    const total = this.#samples.length + (this.#lines?.count ?? 0);
    byId('teach-toggle').textContent = `Teach${total ? ` (${total})` : ''}`;
    byId<HTMLButtonElement>('export-samples').disabled = total === 0;
  }

  async #deleteSample(sample: Sample): Promise<void> {
    if (sample.id === undefined) return;
    await this.#store.deleteSample(sample.id);
    this.#samples = this.#samples.filter((s) => s.id !== sample.id);
    this.#render();
  }

  async #clearSamples(): Promise<void> {
    if (!confirm(`Delete all ${this.#samples.length} samples?`)) return;
    await this.#store.clearSamples();
    this.#samples = [];
    this.#render();
  }

  async #forgetModel(): Promise<void> {
    await this.#use(false);
    await this.#store.deleteAdapted();
    this.#adapted = undefined;
    this.#render();
  }

  /** Reads with the adapted model (true) or the base one. */
  async #use(adapted: boolean): Promise<void> {
    const use = byId<HTMLInputElement>('use-adapted');
    const model = adapted ? this.#adapted : undefined;
    await this.#model.recognizer.useModel?.(model?.artifacts);
    use.checked = model !== undefined;
    localStorage.setItem('hcr-use-adapted', String(model !== undefined));
    document.body.dataset['model'] = model ? 'adapted' : 'base';
    byId('model-in-use').textContent = model
      ? 'Reading with your adapted model.'
      : 'Reading with the base model.';
    this.#render();
    this.#host.reread();
  }

  /** The shipped replay sample, when it is of the model's label set. */
  async #replay(): Promise<Images | undefined> {
    const manifest = await this.#manifest;
    if (!manifest || manifest.labelSet.classes.join('') !== this.#classes.join('')) {
      return undefined;
    }
    const [images, labels] = await Promise.all(
      [replayImagesUrl, replayLabelsUrl].map(async (url) =>
        gunzip(await (await fetch(url)).arrayBuffer()),
      ),
    );
    return {
      images: decodeIdx(images!, 'images', REPLAY_FILES.images).data,
      labels: decodeIdx(labels!, 'labels', REPLAY_FILES.labels).data,
    };
  }

  /**
   * The adaptation worker, started (backend up, base model fetched) if it is not yet, and the
   * replay sample's download.
   */
  #warm(): Worker {
    this.#replayLoad ??= this.#replay().catch(() => undefined);
    if (!this.#worker) {
      this.#worker = new Worker(new URL('./adapt-worker.ts', import.meta.url), { type: 'module' });
      const prepare: ToWorker = { type: 'prepare', modelUrl: this.#model.info.browserModel };
      this.#worker.postMessage(prepare);
    }
    return this.#worker;
  }

  #cancel(): void {
    this.#stopped(true);
    byId('adapt-status').textContent = 'Stopped.';
  }

  async #adapt(): Promise<void> {
    if (this.#adapting) return;
    const usable = this.#samples.filter((s) => this.#classes.includes(s.label));
    if (usable.length === 0) return;
    const status = byId('adapt-status');
    const progress = byId<HTMLProgressElement>('adapt-progress');
    this.#adapting = true;
    document.body.dataset['adapting'] = 'true';
    status.textContent = 'Starting…';
    const worker = this.#warm();
    const replay = await this.#replayLoad;
    const samples: Images = {
      images: new Uint8Array(usable.length * IMAGE_PIXELS),
      labels: new Uint8Array(usable.length),
    };
    usable.forEach((s, i) => {
      samples.images.set(s.pixels, i * IMAGE_PIXELS);
      samples.labels[i] = this.#classes.indexOf(s.label);
    });
    progress.hidden = false;
    progress.value = 0;
    byId('adapt-cancel').hidden = false;
    this.#render();
    const started = performance.now();
    worker.onmessage = (event: MessageEvent<FromWorker>) => {
      const m = event.data;
      if (m.type === 'started') {
        progress.max = m.steps;
        status.textContent = `Adapting on ${usable.length} samples${replay ? ` and ${replay.labels.length} replayed training images` : ' (no replay sample: it may forget other writers)'}…`;
      } else if (m.type === 'progress') {
        progress.value = m.step;
        const left = ((m.steps - m.step) * (performance.now() - started)) / m.step / 1000;
        status.textContent = `Step ${m.step} of ${m.steps} · loss ${m.loss.toFixed(3)} · ${Math.round(m.imagesPerSecond)} images/s · about ${Math.ceil(left)} s left`;
      } else if (m.type === 'done') {
        void this.#finish(m, usable.length);
      } else {
        status.textContent = `Adapting failed: ${m.message}`;
        this.#stopped(true);
      }
    };
    worker.onerror = (event) => {
      status.textContent = `Adapting failed: ${event.message}`;
      this.#stopped(true);
    };
    const message: ToWorker = {
      type: 'adapt',
      modelUrl: this.#model.info.browserModel,
      labelSet: this.#model.info.labelSet.name,
      samples,
      replay,
      options: this.#host.adaptOptions ?? {},
    };
    worker.postMessage(message);
  }

  /** Ends an adaptation's display; `drop` also ends the worker (stopped, or it failed). */
  #stopped(drop: boolean): void {
    if (drop) {
      this.#worker?.terminate();
      this.#worker = undefined;
    }
    this.#adapting = false;
    byId('adapt-progress').hidden = true;
    byId('adapt-cancel').hidden = true;
    document.body.dataset['adapting'] = 'false';
    this.#render();
  }

  async #finish(m: Extract<FromWorker, { type: 'done' }>, samples: number): Promise<void> {
    this.#stopped(false);
    const adapted: AdaptedModel = {
      artifacts: m.model,
      labelSet: this.#model.info.labelSet,
      baseWeights: this.#baseWeights,
      createdAt: new Date().toISOString(),
      samples,
      seconds: m.seconds,
      backend: m.backend,
      scores: m.scores,
    };
    await this.#store.saveAdapted(adapted);
    this.#adapted = adapted;
    const pct = (x: number) => `${Math.round(x * 100)}%`;
    byId('adapt-status').textContent =
      `Adapted in ${m.seconds.toFixed(1)} s (${m.steps} steps in ${m.trainSeconds.toFixed(1)} s).` +
      m.scores
        .map(
          (s) =>
            ` ${s.name}: ${pct(s.before)} → ${pct(s.after)} (${s.count} image${s.count === 1 ? '' : 's'}).`,
        )
        .join('');
    document.body.dataset['adaptSeconds'] = m.seconds.toFixed(2);
    await this.#use(true);
  }

  async #exportModel(): Promise<void> {
    const adapted = this.#adapted;
    if (!adapted) return;
    const weights = new Uint8Array(adapted.artifacts.weightData);
    const modelJson = new TextEncoder().encode(
      JSON.stringify({
        format: 'layers-model',
        generatedBy: 'hcr page (adapted in the browser)',
        convertedBy: null,
        modelTopology: adapted.artifacts.modelTopology,
        weightsManifest: [{ paths: ['weights.bin'], weights: adapted.artifacts.weightSpecs }],
      }),
    );
    const info = this.#model.info as ModelInfo & { normalization?: { version: number } };
    const samplesRecord = await Promise.all(
      this.#samples.map(async (s) => ({ label: s.label, sha256: await sha256Hex(s.pixels) })),
    );
    const metadata = {
      format: 'hcr-model',
      formatVersion: 1,
      labelSet: adapted.labelSet,
      normalization: { version: info.normalization?.version ?? 2 },
      architecture: { name: info.architecture.name, options: {} },
      training: null,
      metrics: {},
      tfjsVersion: 'browser',
      createdAt: adapted.createdAt,
      adaptedInBrowser: {
        /** The first 32 hex digits of the base model's weights.bin SHA-256. */
        baseWeightsSha256Prefix: adapted.baseWeights,
        samples: samplesRecord,
        seconds: adapted.seconds,
        backend: adapted.backend,
        scores: adapted.scores,
      },
      files: {
        'model.json': { bytes: modelJson.length, sha256: await sha256Hex(modelJson) },
        'weights.bin': { bytes: weights.length, sha256: await sha256Hex(weights) },
      },
    };
    const entries: ZipEntry[] = [
      { name: 'hcr-adapted/model.json', data: modelJson },
      { name: 'hcr-adapted/weights.bin', data: weights },
      {
        name: 'hcr-adapted/hcr.json',
        data: new TextEncoder().encode(`${JSON.stringify(metadata, null, 2)}\n`),
      },
    ];
    download(writeZip(entries), 'hcr-adapted-model.zip');
  }

  /** The samples as a zip: PNGs per class, and the line model's words (line-zip.ts). */
  async #exportSamples(): Promise<void> {
    const entries: ZipEntry[] = [];
    for (const [i, s] of this.#samples.entries()) {
      const png = s.drawing ?? (await pngOf(s.pixels));
      const name = `hcr-samples/${s.label}/${String(s.id ?? i).padStart(4, '0')}.png`;
      entries.push({ name, data: new Uint8Array(await png.arrayBuffer()) });
    }
    entries.push(...(this.#lines?.exportEntries() ?? []));
    download(writeZip(entries), 'hcr-samples.zip');
  }

  /**
   * Imports zips: a model directory (model.json, weights.bin, hcr.json; a line model's goes to
   * the line part), or samples per class and words.
   */
  async #import(files: readonly File[]): Promise<void> {
    let added = 0;
    let words = 0;
    const skipped: string[] = [];
    try {
      for (const file of files) {
        const entries = await readZip(new Uint8Array(await file.arrayBuffer()), file.name);
        const model = modelFromZip(file.name, entries);
        if (model?.meta?.['kind'] === 'line') {
          if (!this.#lines) throw new Error(`${file.name}: a line model, and the page has none`);
          await this.#lines.importModel(file.name, model.artifacts, model.meta);
          this.#say(`Imported the line model of ${file.name}; reading words with it.`);
          continue;
        }
        if (model) {
          await this.#importModel(file.name, model.artifacts, model.meta);
          continue;
        }
        const lines = (await this.#lines?.importEntries(file.name, entries)) ?? 0;
        words += lines;
        added += await this.#importSamples(file.name, entries, skipped, lines > 0);
      }
      if (added > 0 || words > 0 || skipped.length > 0) {
        this.#say(
          `Imported ${added} samples${words ? ` and ${words} words` : ''}.` +
            (skipped.length ? ` Skipped (not an image, or no ink): ${skipped.join(', ')}.` : ''),
        );
      }
    } catch (error) {
      this.#say(`Import failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    this.#render();
  }

  async #importModel(
    where: string,
    artifacts: ModelArtifacts,
    meta: Record<string, unknown> | undefined,
  ): Promise<void> {
    if (!this.#active) throw new Error(`${where}: the page reads with a model it cannot teach`);
    const labelSet = meta?.['labelSet'] as AdaptedModel['labelSet'] | undefined;
    if (labelSet && labelSet.classes.join('') !== this.#classes.join('')) {
      throw new Error(
        `${where}: a model of ${labelSet.name} (${labelSet.classes.join('')}), expected ${this.#model.info.labelSet.name} (${this.#classes.join('')})`,
      );
    }
    const previous = this.#adapted;
    this.#adapted = {
      artifacts,
      labelSet: this.#model.info.labelSet,
      baseWeights: '',
      createdAt: new Date().toISOString(),
      samples: 0,
      seconds: 0,
      backend: 'imported',
      scores: [],
    };
    try {
      await this.#use(true);
    } catch (error) {
      this.#adapted = previous;
      await this.#use(previous !== undefined).catch(() => undefined);
      throw error;
    }
    await this.#store.saveAdapted(this.#adapted);
    this.#say(`Imported the model of ${where}; reading with it.`);
  }

  /** Imports the PNGs per class of a samples zip; none is an error unless `words` were found. */
  async #importSamples(
    where: string,
    entries: readonly ZipEntry[],
    skipped: string[],
    words: boolean,
  ): Promise<number> {
    let added = 0;
    for (const entry of entries) {
      const parts = entry.name.split('/');
      const label = parts.at(-2);
      if (
        !label ||
        !this.#classes.includes(label) ||
        !/\.(png|jpe?g|webp|gif|bmp)$/i.test(entry.name)
      )
        continue;
      const blob = new Blob([entry.data as BlobPart]);
      const bitmap = await createImageBitmap(blob).catch(() => undefined);
      if (!bitmap) {
        skipped.push(entry.name);
        continue;
      }
      const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
      canvas.getContext('2d')!.drawImage(bitmap, 0, 0);
      const normalized = normalizeToMnist(canvasToGray(canvas));
      if (normalized.empty) {
        skipped.push(entry.name);
        continue;
      }
      const sample: Sample = {
        label,
        pixels: normalized.pixels,
        createdAt: new Date().toISOString(),
        ...(entry.data.length < 64_000
          ? { drawing: new Blob([entry.data as BlobPart], { type: 'image/png' }) }
          : {}),
      };
      const id = await this.#store.addSample(sample);
      this.#samples.push({ ...sample, id });
      added++;
    }
    if (added === 0 && !words) {
      throw new Error(
        `${where}: no image in a folder named after a character (${this.#classes.join(' ')}), and no word in lines/`,
      );
    }
    return added;
  }
}
