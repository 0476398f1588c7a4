// The pad's controls: undo, redo, erase, clear and the pen's width, the switch between one
// character and a line (each mode keeps its own drawing or upload and its pen), and the keyboard
// shortcuts for all of them (not while typing in a text field).

import { byId } from './dom.js';
import { isTypingIn } from './images.js';
import type { DrawingPad } from './pad.js';
import type { Mode, PageState } from './page-state.js';
import { DRAW_HINT, type PageView } from './page-view.js';

/** Pen width bounds and step for the slider and the [ ] keys, in CSS pixels. */
const PEN = Object.freeze({ min: 4, max: 48, step: 2 });

/** What the controls need of the page. */
export interface PadControlsHost {
  readonly state: PageState;
  readonly pad: DrawingPad;
  readonly view: PageView;
  /** Reads the pad after `delay` milliseconds (read-loop.ts). */
  schedule(delay: number): void;
  /** Copies what line mode read (Ctrl+C with nothing selected). */
  copy(): void;
}

/**
 * Wires the pad's buttons, the pen slider, the mode radios and the keyboard shortcuts.
 *
 * @example
 * const controls = new PadControls({ state, pad, view, schedule, copy });
 * controls.setMode('line');
 */
export class PadControls {
  readonly #host: PadControlsHost;
  readonly #pen = byId<HTMLInputElement>('pen');
  readonly #clear = byId('clear');

  constructor(host: PadControlsHost) {
    this.#host = host;
    const { pad, view, state } = host;
    byId('undo').addEventListener('click', () => pad.undo());
    byId('redo').addEventListener('click', () => pad.redo());
    byId('erase').addEventListener('click', () => this.#toggleErase());
    byId('to-line').addEventListener('click', () => this.setMode('line'));
    this.#clear.addEventListener('click', () => {
      state.setUpload(undefined);
      pad.clear();
      view.showHint(DRAW_HINT[state.mode]);
      host.schedule(0);
    });
    for (const input of view.modeInputs) {
      input.addEventListener('change', () => {
        if (input.checked) this.setMode(input.value === 'line' ? 'line' : 'char');
      });
    }
    this.#setPen(state.penWidth);
    this.#pen.addEventListener('input', () => this.#setPen(Number(this.#pen.value)));
    document.addEventListener('keydown', (e) => this.#key(e));
  }

  /** Clears the pad as the Clear button does. */
  clear(): void {
    this.#clear.click();
  }

  /** Switches between one character and a line; each keeps its own drawing or upload. */
  setMode(next: Mode): void {
    const { state, pad, view } = this.#host;
    if (next === state.mode) return;
    const back = state.switchMode(next, pad.snapshot(), pad.penWidth);
    view.showMode();
    this.#setPen(state.penWidth);
    pad.resize();
    state.setUpload(back.upload);
    pad.restore(back.pad);
  }

  /** Switches between writing and erasing (tap or rub a stroke to remove it). */
  #toggleErase(): void {
    const { pad, view } = this.#host;
    pad.tool = pad.tool === 'erase' ? 'pen' : 'erase';
    view.showTools(pad);
  }

  #setPen(width: number): void {
    const clamped = Math.min(PEN.max, Math.max(PEN.min, width));
    this.#host.pad.penWidth = clamped;
    this.#pen.value = String(clamped);
    this.#pen.setAttribute('aria-valuetext', `${clamped} pixels`);
  }

  #key(e: KeyboardEvent): void {
    if (isTypingIn(e.target)) return;
    const { pad, state, view } = this.#host;
    const key = e.key.toLowerCase();
    const command = (e.ctrlKey || e.metaKey) && !e.altKey;
    if (command && (key === 'y' || (key === 'z' && e.shiftKey))) {
      e.preventDefault();
      pad.redo();
    } else if (command && key === 'z') {
      e.preventDefault();
      pad.undo();
    } else if (command && key === 'c' && state.mode === 'line' && !getSelection()?.toString()) {
      // Nothing selected on the page: copy what was read.
      e.preventDefault();
      this.#host.copy();
    } else if (e.ctrlKey || e.metaKey || e.altKey) {
      return;
    } else if (e.key === 'Escape' || e.key === 'Delete' || e.key === 'Backspace') {
      e.preventDefault();
      this.clear();
    } else if (e.key === '[' || e.key === ']') {
      this.#setPen(pad.penWidth + (e.key === ']' ? PEN.step : -PEN.step));
    } else if (e.key === 'u' || e.key === 'U') {
      view.fileInput.click();
    } else if (e.key === 'm' || e.key === 'M') {
      this.setMode(state.mode === 'line' ? 'char' : 'line');
    } else if (e.key === 'e' || e.key === 'E') {
      this.#toggleErase();
    }
  }
}
