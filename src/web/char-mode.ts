// One-character mode: the square pad's drawing (or the upload it shows) read by the chosen
// model, its top classes shown with the 28x28 image the model saw; a wide upload suggests line
// mode, and a reading in the browser gives the Teach panel its correction row.

import { canvasToGray } from './images.js';
import { messageOf } from './dom.js';
import type { DrawingPad } from './pad.js';
import type { PageState } from './page-state.js';
import { readByText, type PageView } from './page-view.js';
import type { RecognitionInput } from './recognizer.js';
import { showEmpty, showError, showRecognition, type ResultsView } from './results.js';
import type { Teach } from './teach.js';
import { notReadHint } from './upload.js';

/** Classes shown for one character. */
const TOP = 5;

/** What one-character mode needs of the page. */
export interface CharModeHost {
  readonly state: PageState;
  readonly pad: DrawingPad;
  readonly view: PageView;
  readonly results: ResultsView;
  /** The note that suggests line mode for a wide upload. */
  readonly lineHint: HTMLElement;
  /** The Teach panel, once a model runs in the browser (undefined if it cannot start). */
  teach(): Promise<Teach | undefined> | undefined;
}

/**
 * Reads the pad as one character.
 *
 * @example
 * const charMode = new CharMode({ state, pad, view, results, lineHint, teach });
 * await charMode.read();
 */
export class CharMode {
  readonly #host: CharModeHost;

  constructor(host: CharModeHost) {
    this.#host = host;
  }

  /** What to read: the upload the pad shows, or its drawing (none when the pad is blank). */
  #input(): RecognitionInput | undefined {
    const { pad } = this.#host;
    const upload = this.#host.state.upload;
    if (upload && (pad.isImageOnly || !upload.gray)) {
      const file = upload.file;
      return { ...(upload.gray ? { gray: upload.gray } : {}), blob: async () => file };
    }
    if (pad.isBlank) return undefined;
    const canvas = pad.canvas;
    return {
      gray: canvasToGray(canvas),
      blob: () =>
        new Promise<Blob>((resolve, reject) =>
          canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('canvas: no PNG'))), 'image/png'),
        ),
    };
  }

  /** Reads the pad once and shows the reading. */
  async read(): Promise<void> {
    const { state, view, results, lineHint } = this.#host;
    const input = this.#input();
    const taught = await this.#host.teach();
    lineHint.hidden = true;
    if (!input) {
      showEmpty(results);
      view.saidBy('char', undefined);
      taught?.showReading(undefined);
      return;
    }
    const recognizer = state.recognizer;
    const active = input.gray ? recognizer : state.server;
    if (!active) return; // the model is still loading; the loop reads again once it is ready
    const entry = state.current;
    try {
      const recognition = await active.recognize(input, TOP);
      // A reading by a model no longer chosen is dropped: the new one reads again.
      if (entry !== state.current) return;
      showRecognition(results, recognition);
      lineHint.hidden = !state.upload?.wide;
      view.saidBy('char', readByText(recognition.empty ? undefined : entry, active));
      taught?.showReading(active === state.recognizer ? recognition : undefined);
    } catch (error) {
      taught?.showReading(undefined);
      view.saidBy('char', undefined);
      showError(results, messageOf(error));
      const upload = state.upload;
      if (upload && !upload.gray) view.showHint(notReadHint(upload));
    }
  }
}
