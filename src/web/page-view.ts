// What the page shows around the pad, drawn from its state (page-state.ts): the mode (the pad's
// shape through CSS, the accessible names, the title, the chosen radio, the address), the hint
// over the pad, which model read the results, the status and model lines, what to write for the
// chosen model, the drawing tools' state, and `data-busy` while a reading is pending.

import type { ServedModelEntry } from './models.js';
import { writingWords } from './models.js';
import { byId } from './dom.js';
import type { DrawingPad } from './pad.js';
import type { Mode, PageState } from './page-state.js';
import type { Recognizer } from './recognizer.js';

/** What the empty pad says, per mode. */
export const DRAW_HINT: Readonly<Record<Mode, string>> = Object.freeze({
  char: 'Draw here',
  line: 'Write a few words here, on one line or several',
});

/** The pad's and the upload's accessible names, and the page title, per mode. */
const MODE_TEXT = Object.freeze({
  char: {
    pad: 'Drawing area: draw one character with a mouse, a finger or a pen',
    upload: 'Upload an image of a character',
    title: 'hcr — draw a character',
  },
  line: {
    pad: 'Writing area: write words on one or more lines with a mouse, a finger or a pen',
    upload: 'Upload an image of a line of characters',
    title: 'hcr — write as on paper',
  },
});

/**
 * What results say about the model that read them and where (none: no results).
 *
 * @example
 * readByText(entry, recognizer); // 'Read by the model for digits and capitals (alnum36), in your browser (WebAssembly).'
 */
export function readByText(
  entry: ServedModelEntry | undefined,
  by: Recognizer | undefined,
): string | undefined {
  return entry && by
    ? `Read by the model for ${entry.title} (${entry.name}${by.usingAdapted?.() ? ', adapted to your handwriting' : ''}), ${by.where}.`
    : undefined;
}

/**
 * The page's elements around the pad and how they show the state.
 *
 * @example
 * const view = new PageView(state);
 * view.showMode();
 * view.showHint(DRAW_HINT[state.mode]);
 */
export class PageView {
  readonly #state: PageState;
  readonly status = byId('status');
  readonly modelInfo = byId('model-info');
  readonly padCanvas = byId<HTMLCanvasElement>('pad');
  readonly fileInput = byId<HTMLInputElement>('file');
  readonly modeInputs = Array.from(
    document.querySelectorAll<HTMLInputElement>('input[name="mode"]'),
  );
  readonly #hint = byId('pad-hint');
  readonly #readBy = byId('read-by');
  readonly #undo = byId<HTMLButtonElement>('undo');
  readonly #redo = byId<HTMLButtonElement>('redo');
  readonly #erase = byId<HTMLButtonElement>('erase');

  constructor(state: PageState) {
    this.#state = state;
  }

  /** Shows the current mode: the pad's shape (CSS), names, title, the chosen radio, the URL. */
  showMode(): void {
    const mode = this.#state.mode;
    document.body.dataset['mode'] = mode;
    const text = MODE_TEXT[mode];
    this.padCanvas.setAttribute('aria-label', text.pad);
    this.fileInput.setAttribute('aria-label', text.upload);
    document.title = text.title;
    for (const input of this.modeInputs) input.checked = input.value === mode;
    const url = `${location.pathname}${location.search}${mode === 'line' ? '#line' : ''}`;
    history.replaceState(null, '', url);
    this.#showReadBy(this.#state.readBy(mode));
  }

  /** Shows a line over the pad, or hides it. */
  showHint(text: string | undefined): void {
    this.#hint.hidden = text === undefined;
    if (text !== undefined) this.#hint.textContent = text;
  }

  /** Records, and shows in `readIn`'s results, what they say about the model that read them. */
  saidBy(readIn: Mode, text: string | undefined): void {
    this.#state.setReadBy(readIn, text);
    if (readIn === this.#state.mode) this.#showReadBy(text);
  }

  /** Shows which model read the results shown (or nothing, with no results). */
  #showReadBy(text: string | undefined): void {
    this.#readBy.hidden = text === undefined;
    this.#readBy.textContent = text ?? '';
  }

  /**
   * Marks the page busy while a reading is pending or running (`data-busy` on the body), so
   * tests and tools can wait for the answer to the last change.
   */
  setBusy(busy: boolean): void {
    document.body.dataset['busy'] = String(busy);
  }

  /** Undo, redo and erase say what they can do now. */
  showTools(pad: DrawingPad): void {
    this.#redo.disabled = !pad.canRedo;
    this.#undo.disabled = !pad.canUndo;
    this.#erase.setAttribute('aria-pressed', String(pad.tool === 'erase'));
    // How many strokes the pad holds, for tests and tools.
    this.padCanvas.dataset['strokes'] = String(pad.strokes.length);
    this.padCanvas.classList.toggle('erasing', pad.tool === 'erase');
  }

  /** Says what to write for the chosen model's classes. */
  showWriting(classes: readonly string[]): void {
    const words = writingWords(classes);
    for (const node of document.querySelectorAll('.write-one')) node.textContent = words.one;
    for (const node of document.querySelectorAll('.write-many')) node.textContent = words.many;
  }

  /** Tells tests and tools where the page reads now (`data-recognizer`: browser or server). */
  showRecognizer(recognizer: Recognizer): void {
    document.body.dataset['recognizer'] = recognizer.kind;
  }
}
