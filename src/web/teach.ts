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
// travel in the same samples zip. This file holds the samples and drives the panel; what it
// shows of them is teach-view.ts, the adaptation worker teach-worker.ts (with the run's display
// that both parts share, teach-adapt.ts), and the zips teach-zip.ts.

import type { ReplayManifest } from '../core/replay-file.js';
import type {
  AdaptOptions,
  FromWorker,
  Images,
  ModelArtifacts,
  ToWorker,
} from './adapt-protocol.js';
import { byId, download } from './dom.js';
import { isTypingIn, scaledCanvas } from './images.js';
import type { ServedModelEntry } from './models.js';
import type { ModelInfo, Recognition, Recognizer } from './recognizer.js';
import { AdaptPanel, weightsEtag } from './teach-adapt.js';
import { TeachLines, type TeachLinesHost } from './teach-lines.js';
import { TeachStore, type AdaptedModel, type Sample } from './teach-store.js';
import { expandKeys, renderKeys, renderSamples, scoreSamples, showQuestion } from './teach-view.js';
import {
  CHAR_ADAPT_PANEL,
  adaptMessage,
  noReplayFor,
  openAdaptWorker,
  replayManifest,
  replaySample,
} from './teach-worker.js';
import { adaptedModelZip, checkLabelSet, importZips, sampleEntries } from './teach-zip.js';
import { writeZip } from './zip.js';

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
  /** The adaptation worker (started when the panel opens so that Adapt starts at once). */
  readonly #panel: AdaptPanel<ToWorker, FromWorker>;
  /** The replay sample, fetched with the worker's start. */
  #replayLoad: Promise<Images | undefined> | undefined;
  /** The first 32 hex digits of the taught model's weights.bin SHA-256 (its ETag). */
  #baseWeights = '';
  /** The line model's part of the panel. */
  #lines: TeachLines | undefined;

  private constructor(host: TeachHost, store: TeachStore) {
    this.#host = host;
    this.#store = store;
    this.#panel = new AdaptPanel(
      CHAR_ADAPT_PANEL,
      () => openAdaptWorker(this.#model.info.browserModel),
      () => this.#render(),
    );
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
    const { recognizer } = model;
    if (recognizer.kind !== 'browser' || !recognizer.useModel || !recognizer.classify) {
      return `Teaching adapts the model in this browser, and this browser runs the model for ${model.title} on the server.`;
    }
    this.#manifest ??= replayManifest();
    return noReplayFor(model, (await this.#manifest)?.labelSet, this.#host.models);
  }

  /** Teaches `model` from now on: its keys, its base weights' name, the adapted model if chosen. */
  async #bind(model: TeachModel): Promise<void> {
    if (this.#panel.adapting) this.#panel.cancel();
    this.#panel.drop();
    this.#replayLoad = undefined;
    this.#bound = model;
    this.#classes = model.info.labelSet.classes;
    this.#baseWeights = await weightsEtag(model.info.browserModel);
    renderKeys(this.#classes, (label) => void this.#keep(label));
    if (this.#adapted && this.#panel.chosen) {
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
    if (
      !this.#active ||
      !recognition ||
      recognition.empty ||
      !recognition.pixels ||
      this.#model.recognizer.kind !== 'browser'
    ) {
      this.#reading = undefined;
      byId('correct').hidden = this.#target === undefined;
      byId<HTMLButtonElement>('keep').disabled = true;
      return;
    }
    this.#reading = { pixels: recognition.pixels, readAs: recognition.predictions[0]?.label ?? '' };
    showQuestion(this.#reading.readAs, this.#target !== undefined);
  }

  #wire(): void {
    byId('keep').addEventListener('click', () => {
      if (this.#target) void this.#keep(this.#target);
    });
    byId('stop-target').addEventListener('click', () => this.#setTarget(undefined));
    byId('correct-open').addEventListener('click', () => {
      expandKeys(true, this.#target !== undefined);
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
    expandKeys(label !== undefined, label !== undefined);
    if (label !== undefined) {
      this.#host.showCharMode();
      byId('correct').hidden = false;
      byId('pad').focus();
    }
  }

  #render(): void {
    const total = this.#samples.length;
    renderSamples({
      classes: this.#classes,
      samples: this.#samples,
      scores: scoreSamples(this.#classes, this.#samples, this.#bound?.recognizer.classify),
      target: (label) => this.#setTarget(label),
      delete: (sample) => void this.#deleteSample(sample),
    });
    this.#renderCounts();
    byId<HTMLButtonElement>('export-samples').disabled = total + (this.#lines?.count ?? 0) === 0;
    byId<HTMLButtonElement>('clear-samples').disabled = total === 0;
    // One sample teaches nothing about a hand: Adapt needs at least MIN_ADAPT_SAMPLES.
    const adapt = byId<HTMLButtonElement>('adapt');
    adapt.disabled = total < MIN_ADAPT_SAMPLES || this.#panel.adapting;
    adapt.title =
      total < MIN_ADAPT_SAMPLES ? `Keep at least ${MIN_ADAPT_SAMPLES} samples first` : '';
    this.#panel.showAdapted(this.#adapted, this.#baseWeights);
  }

  /** The panel's button counts the samples of both models; export needs one of them. */
  #renderCounts(): void {
    const total = this.#samples.length + (this.#lines?.count ?? 0);
    byId('teach-toggle').textContent = `Teach${total ? ` (${total})` : ''}`;
    byId<HTMLButtonElement>('export-samples').disabled = total === 0;
  }

  /** Keeps imported samples. */
  async #addSamples(samples: readonly Sample[]): Promise<void> {
    for (const sample of samples) {
      const id = await this.#store.addSample(sample);
      this.#samples.push({ ...sample, id });
    }
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
    const model = adapted ? this.#adapted : undefined;
    await this.#model.recognizer.useModel?.(model?.artifacts);
    this.#panel.showInUse(model !== undefined);
    this.#render();
    this.#host.reread();
  }

  /**
   * The adaptation worker, started (backend up, base model fetched) if it is not yet, and the
   * replay sample's download.
   */
  #warm(): Worker {
    this.#replayLoad ??= (async () => replaySample(await this.#manifest, this.#classes))().catch(
      () => undefined,
    );
    return this.#panel.warm();
  }

  async #adapt(): Promise<void> {
    if (this.#panel.adapting) return;
    const usable = this.#samples.filter((s) => this.#classes.includes(s.label));
    if (usable.length === 0) return;
    this.#panel.begin();
    const worker = this.#warm();
    const replay = await this.#replayLoad;
    const message = adaptMessage(this.#model.info, usable, replay, this.#host.adaptOptions ?? {});
    this.#panel.run(worker, message, {
      started: () =>
        `Adapting on ${usable.length} samples${replay ? ` and ${replay.labels.length} replayed training images` : ' (no replay sample: it may forget other writers)'}…`,
      rate: (m) => `${Math.round(m.imagesPerSecond)} images/s`,
      done: (m) => void this.#finish(m, usable.length),
    });
  }

  async #finish(m: Extract<FromWorker, { type: 'done' }>, samples: number): Promise<void> {
    this.#panel.stopped(false);
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
    this.#panel.finished(
      m,
      m.scores
        .map(
          (s) =>
            ` ${s.name}: ${pct(s.before)} → ${pct(s.after)} (${s.count} image${s.count === 1 ? '' : 's'}).`,
        )
        .join(''),
    );
    await this.#use(true);
  }

  async #exportModel(): Promise<void> {
    const adapted = this.#adapted;
    if (!adapted) return;
    download(
      await adaptedModelZip(adapted, this.#model.info, this.#samples),
      'hcr-adapted-model.zip',
    );
  }

  /** The samples as a zip: PNGs per class, and the line model's words (line-zip.ts). */
  async #exportSamples(): Promise<void> {
    const entries = await sampleEntries(this.#samples);
    entries.push(...(this.#lines?.exportEntries() ?? []));
    download(writeZip(entries), 'hcr-samples.zip');
  }

  /**
   * Imports zips (teach-zip.ts' importZips): a model directory (a line model's goes to the line
   * part), or samples per class and words.
   */
  async #import(files: readonly File[]): Promise<void> {
    const said = await importZips(files, {
      lines: this.#lines,
      importModel: (where, artifacts, meta) => this.#importModel(where, artifacts, meta),
      classes: this.#classes,
      addSamples: (samples) => this.#addSamples(samples),
      say: (text) => this.#say(text),
    });
    if (said) this.#say(said);
    this.#render();
  }

  async #importModel(
    where: string,
    artifacts: ModelArtifacts,
    meta: Record<string, unknown> | undefined,
  ): Promise<void> {
    if (!this.#active) throw new Error(`${where}: the page reads with a model it cannot teach`);
    checkLabelSet(where, meta, this.#model.info.labelSet);
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
}
