// What the Teach panel's two parts share (teach.ts for the character model, teach-lines.ts for the
// line model): an adaptation run in a Web Worker with its status, progress bar and Stop button
// (started when the panel opens, so that Adapt starts at once; stopped, failed or done), the
// line that says when the adapted model was made and whether its base model is still the served
// one, the switch between the adapted model and the served one, and the served model's weights
// named by their ETag.

import { byId } from './dom.js';

/** The messages every adaptation worker sends (adapt-protocol.ts, line-adapt-protocol.ts). */
export type AdaptFromWorker =
  | { readonly type: 'started'; readonly steps: number }
  | {
      readonly type: 'progress';
      readonly step: number;
      readonly steps: number;
      readonly loss: number;
    }
  | {
      readonly type: 'done';
      readonly seconds: number;
      readonly trainSeconds: number;
      readonly steps: number;
    }
  | { readonly type: 'error'; readonly message: string };

/** An adapted model as the panel describes it (teach-store.ts' AdaptedModel, AdaptedLineModel). */
export interface AdaptedSummary {
  readonly createdAt: string;
  /** Samples (or words) it was adapted on. */
  readonly samples: number;
  readonly seconds: number;
  /** The base model's weights.bin ETag, or '' when not known. */
  readonly baseWeights: string;
}

/** The elements, flags and words of one part of the panel. */
export interface AdaptPanelSpec {
  /** Ids of the status line, the progress bar and the Stop button. */
  readonly status: string;
  readonly progress: string;
  readonly cancel: string;
  /** Body flag set to 'true' while adapting (`data-adapting`). */
  readonly adaptingFlag: string;
  /** Body flag given the last adaptation's seconds (`data-adapt-seconds`). */
  readonly secondsFlag: string;
  /** Ids of the use-the-adapted-model switch, its Export and Forget buttons and its lines. */
  readonly use: string;
  readonly export: string;
  readonly forget: string;
  readonly info: string;
  readonly inUse: string;
  /** Body flag saying which model reads, 'adapted' or 'base' (`data-model`). */
  readonly modelFlag: string;
  /** localStorage key of the choice between the adapted model and the served one. */
  readonly storageKey: string;
  /** What was adapted on (`samples`, `words`), what its base is (`base model`), none's line. */
  readonly unit: string;
  readonly base: string;
  readonly none: string;
  /** What the in-use line says with the adapted model and with the served one. */
  readonly readingAdapted: string;
  readonly readingBase: string;
}

/** What each message of a run says, and what its end does. */
export interface AdaptRunHandlers<From extends AdaptFromWorker> {
  /** The status once the worker started. */
  started(m: Extract<From, { type: 'started' }>): string;
  /** The rate of a progress message (`120 images/s`). */
  rate(m: Extract<From, { type: 'progress' }>): string;
  done(m: Extract<From, { type: 'done' }>): void;
}

/**
 * The sha prefix the server names a model's weights by: the ETag of weights.bin beside
 * `modelUrl`'s model.json ('' when it cannot be asked).
 *
 * @example
 * const baseWeights = await weightsEtag('/model/model.json'); // '3f2a...' (32 hex digits)
 */
export async function weightsEtag(modelUrl: string): Promise<string> {
  const weights = new URL('weights.bin', new URL(modelUrl, location.href));
  const head = await fetch(weights, { method: 'HEAD' }).catch(() => undefined);
  // The server's ETag of weights.bin is the start of its SHA-256: it names the base model.
  return head?.headers.get('etag')?.replace(/"/g, '') ?? '';
}

/**
 * One part's adaptation worker and what the panel shows of it.
 *
 * @example
 * const panel = new AdaptPanel(spec, () => worker(), () => render());
 * panel.begin();
 * panel.run(panel.warm(), message, { started, rate, done });
 */
export class AdaptPanel<To, From extends AdaptFromWorker> {
  readonly #spec: AdaptPanelSpec;
  /** Starts a worker and sends it what it can prepare ahead of an adaptation. */
  readonly #open: () => Worker;
  /** Draws the part again (its Adapt button follows {@link AdaptPanel.adapting}). */
  readonly #changed: () => void;
  #worker: Worker | undefined;
  #adapting = false;

  constructor(spec: AdaptPanelSpec, open: () => Worker, changed: () => void) {
    this.#spec = spec;
    this.#open = open;
    this.#changed = changed;
    byId(spec.cancel).addEventListener('click', () => this.cancel());
  }

  /** True while an adaptation runs. */
  get adapting(): boolean {
    return this.#adapting;
  }

  /** The worker, started if it is not yet. */
  warm(): Worker {
    this.#worker ??= this.#open();
    return this.#worker;
  }

  /** Ends the worker, if any: the next {@link warm} starts another. */
  drop(): void {
    this.#worker?.terminate();
    this.#worker = undefined;
  }

  /** Shows an adaptation starting. */
  begin(): void {
    this.#adapting = true;
    document.body.dataset[this.#spec.adaptingFlag] = 'true';
    this.#say('Starting…');
  }

  /** Sends `message` to `worker` and shows its progress until it is done, fails or is stopped. */
  run(worker: Worker, message: To, handlers: AdaptRunHandlers<From>): void {
    const progress = byId<HTMLProgressElement>(this.#spec.progress);
    progress.hidden = false;
    progress.value = 0;
    byId(this.#spec.cancel).hidden = false;
    this.#changed();
    const started = performance.now();
    worker.onmessage = (event: MessageEvent<From>) => {
      const m = event.data;
      if (m.type === 'started') {
        progress.max = m.steps;
        this.#say(handlers.started(m as Extract<From, { type: 'started' }>));
      } else if (m.type === 'progress') {
        progress.value = m.step;
        const left = ((m.steps - m.step) * (performance.now() - started)) / m.step / 1000;
        const rate = handlers.rate(m as Extract<From, { type: 'progress' }>);
        this.#say(
          `Step ${m.step} of ${m.steps} · loss ${m.loss.toFixed(3)} · ${rate} · about ${Math.ceil(left)} s left`,
        );
      } else if (m.type === 'done') {
        handlers.done(m as Extract<From, { type: 'done' }>);
      } else {
        this.#say(`Adapting failed: ${m.message}`);
        this.stopped(true);
      }
    };
    worker.onerror = (event) => {
      this.#say(`Adapting failed: ${event.message}`);
      this.stopped(true);
    };
    worker.postMessage(message);
  }

  /** Ends an adaptation's display; `drop` also ends the worker (stopped, or it failed). */
  stopped(drop: boolean): void {
    if (drop) this.drop();
    this.#adapting = false;
    byId(this.#spec.progress).hidden = true;
    byId(this.#spec.cancel).hidden = true;
    document.body.dataset[this.#spec.adaptingFlag] = 'false';
    this.#changed();
  }

  /** Stops the adaptation (the Stop button). */
  cancel(): void {
    this.stopped(true);
    this.#say('Stopped.');
  }

  /** Shows a run's end: how long it took, and `scores`, what it measured. */
  finished(m: Extract<AdaptFromWorker, { type: 'done' }>, scores: string): void {
    this.#say(
      `Adapted in ${m.seconds.toFixed(1)} s (${m.steps} steps in ${m.trainSeconds.toFixed(1)} s).${scores}`,
    );
    document.body.dataset[this.#spec.secondsFlag] = m.seconds.toFixed(2);
  }

  /** Shows the adapted model (or none): its line, and what its buttons can do. */
  showAdapted(adapted: AdaptedSummary | undefined, baseWeights: string): void {
    const spec = this.#spec;
    byId<HTMLInputElement>(spec.use).disabled = !adapted;
    byId<HTMLButtonElement>(spec.export).disabled = !adapted;
    byId<HTMLButtonElement>(spec.forget).disabled = !adapted;
    byId(spec.info).textContent = adapted
      ? `Adapted ${new Date(adapted.createdAt).toLocaleString()} on ${adapted.samples} ${spec.unit} in ${adapted.seconds.toFixed(1)} s` +
        (adapted.baseWeights && baseWeights && adapted.baseWeights !== baseWeights
          ? ` — from an older ${spec.base}: adapt again.`
          : '.')
      : spec.none;
  }

  /** Shows which model reads now, the adapted one (true) or the served one, and keeps the choice. */
  showInUse(adapted: boolean): void {
    const spec = this.#spec;
    byId<HTMLInputElement>(spec.use).checked = adapted;
    localStorage.setItem(spec.storageKey, String(adapted));
    document.body.dataset[spec.modelFlag] = adapted ? 'adapted' : 'base';
    byId(spec.inUse).textContent = adapted ? spec.readingAdapted : spec.readingBase;
  }

  /** Whether the writer last chose the adapted model (the default). */
  get chosen(): boolean {
    return localStorage.getItem(this.#spec.storageKey) !== 'false';
  }

  #say(text: string): void {
    byId(this.#spec.status).textContent = text;
  }
}
