// What the page holds between events, in one object with named transitions: the mode (one
// character or a line) with what each mode had on the pad and its pen, the upload the pad shows,
// the served models with the one chosen and the recognizers it reads with, and which model read
// each mode's results. The page's modules read it; only these methods change it.

import type { ServedModelEntry } from './models.js';
import type { ReadyModel } from './page-models.js';
import type { PadState } from './pad.js';
import { serverRecognizer, type ModelInfo, type Recognizer } from './recognizer.js';
import type { Upload } from './upload.js';

/** What the page reads: one character on a square pad, or a line on a wide one. */
export type Mode = 'char' | 'line';

/**
 * The pen's starting width per mode, in CSS pixels. MNIST's strokes are about a tenth of the
 * glyph's height (2-3 pixels of its 20), and the model reads strokes of that weight best: a
 * character drawn across most of the pad wants a pen near 26 px. Characters of a line are
 * written smaller, so a thinner pen keeps them in proportion (each mode then keeps the width
 * chosen for it).
 */
export const PEN_START: Readonly<Record<Mode, number>> = Object.freeze({ char: 26, line: 6 });

/** What a mode had on the pad when the other one was chosen. */
interface SavedMode {
  readonly pad: PadState;
  readonly upload: Upload | undefined;
}

/**
 * The page's state. The mode starts from the address (`#line`); the model from none, reading
 * nothing until {@link PageState.chooseModel} and {@link PageState.readWith}.
 *
 * @example
 * const state = new PageState(location.hash === '#line' ? 'line' : 'char');
 * const choice = state.chooseModel(entry);
 * if (state.isLatest(choice)) state.readWith(model.recognizer);
 */
export class PageState {
  #mode: Mode;
  readonly #saved: Partial<Record<Mode, SavedMode>> = {};
  readonly #penWidths: Record<Mode, number> = { ...PEN_START };
  /** What each mode's results say about the model that read them. */
  readonly #readBys: Partial<Record<Mode, string>> = {};
  #upload: Upload | undefined;
  /** The served models, default first, and the one the page reads with. */
  #models: readonly ServedModelEntry[] = [];
  #current: ServedModelEntry | undefined;
  #recognizer: Recognizer | undefined;
  #server: Recognizer = serverRecognizer();
  #info: ModelInfo | undefined;
  /** Counts model choices, so that a model that finishes loading after another was chosen is ignored. */
  #choices = 0;

  constructor(mode: Mode) {
    this.#mode = mode;
  }

  get mode(): Mode {
    return this.#mode;
  }

  /** The pen width the current mode starts with (or had when the other mode was chosen). */
  get penWidth(): number {
    return this.#penWidths[this.#mode];
  }

  /**
   * Switches to `next`, setting aside the pad's drawing, its upload and its pen for the mode
   * left; answers what `next` had (an empty pad the first time), which the caller brings back
   * (the upload with {@link PageState.setUpload}, once the pad has its new shape).
   */
  switchMode(next: Mode, pad: PadState, penWidth: number): SavedMode {
    this.#saved[this.#mode] = { pad, upload: this.#upload };
    this.#penWidths[this.#mode] = penWidth;
    this.#mode = next;
    const back = this.#saved[next];
    return { pad: back?.pad ?? { strokes: [], backdrop: undefined }, upload: back?.upload };
  }

  /** The upload the pad shows (none: the pad shows a drawing, or nothing). */
  get upload(): Upload | undefined {
    return this.#upload;
  }

  /** The pad shows `upload` from now on (none: it no longer shows one). */
  setUpload(upload: Upload | undefined): void {
    this.#upload = upload;
  }

  /** What `mode`'s results say about the model that read them, if anything. */
  readBy(mode: Mode): string | undefined {
    return this.#readBys[mode];
  }

  /** Records what `mode`'s results say about the model that read them (none: no results). */
  setReadBy(mode: Mode, text: string | undefined): void {
    this.#readBys[mode] = text;
  }

  /** The served models, default first (none until the server listed them). */
  get models(): readonly ServedModelEntry[] {
    return this.#models;
  }

  setModels(models: readonly ServedModelEntry[]): void {
    this.#models = models;
  }

  /** The model chosen, once one is. */
  get current(): ServedModelEntry | undefined {
    return this.#current;
  }

  /** The recognizer the page reads with (undefined while the chosen model loads). */
  get recognizer(): Recognizer | undefined {
    return this.#recognizer;
  }

  /** The server's recognizer of the chosen model (for images only the server can decode). */
  get server(): Recognizer {
    return this.#server;
  }

  /** What the server says of the chosen model, once it did. */
  get info(): ModelInfo | undefined {
    return this.#info;
  }

  /**
   * Chooses `entry`: nothing reads until it is ready. Answers the choice's number for
   * {@link PageState.isLatest}.
   */
  chooseModel(entry: ServedModelEntry): number {
    this.#current = entry;
    this.#recognizer = undefined;
    return ++this.#choices;
  }

  /** Whether `choice` is still the last model chosen (a slower load is then ignored). */
  isLatest(choice: number): boolean {
    return choice === this.#choices;
  }

  /** The chosen model is described and loaded; the page reads once {@link readWith} says so. */
  modelLoaded(model: ReadyModel): void {
    this.#info = model.info;
    this.#server = model.server;
  }

  /** Reads with `recognizer` from now on. */
  readWith(recognizer: Recognizer): void {
    this.#recognizer = recognizer;
  }

  /**
   * Reads on the server, when the server did not describe its model: with `server`, or the
   * server's default model.
   */
  readOnServer(server: Recognizer = this.#server): void {
    this.#server = server;
    this.#recognizer = server;
  }
}
