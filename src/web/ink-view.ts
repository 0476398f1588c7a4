// Showing what was read from line mode's ink (ink-line.ts reads it): the words as buttons, a
// row per line; tapping one lists its alternatives and one tap corrects it (or the word is typed);
// each correction is told to the page, which keeps it as a sample for the line model; the text
// can be copied; each word's box is drawn over the ink.

import type { HandwritingPrediction } from './handwriting/types.js';
import type { PadStroke } from './ink-pad.js';
import { inkText, inkWords, wordKey, type InkWord } from './ink-words.js';
import { LINE_EMPTY_MESSAGE } from './line-view.js';
import { element, setText } from './results.js';

/** The elements the words are shown in. */
export interface InkViewElements {
  readonly placeholder: HTMLElement;
  /** The live region: "Reads hello world". */
  readonly summary: HTMLElement;
  readonly count: HTMLElement;
  /** One button per word, a row per line. */
  readonly words: HTMLElement;
  /** The chosen word's alternatives. */
  readonly alternatives: HTMLElement;
  readonly copy: HTMLButtonElement;
  readonly error: HTMLElement;
  readonly overlay: SVGSVGElement;
}

const SVG = 'http://www.w3.org/2000/svg';

/** A word the writer corrected (or set back to its reading), as {@link InkView} tells it. */
export interface InkCorrection {
  /** The strokes the word was read from, as a key that outlives other edits (wordKey). */
  readonly key: string;
  /** What the writer says it is. */
  readonly text: string;
  /** What it was read as; equal to `text` when the correction was taken back. */
  readonly read: string;
  /** The word's strokes, in pad units. */
  readonly strokes: readonly PadStroke[];
}

/**
 * The words read from the ink, their alternatives and corrections, and the copy button.
 *
 * @example
 * const view = new InkView(elements);
 * view.show(await read(pad.ink.strokes), pad.ink.ids, pad.strokes, pad.unitPixels);
 */
export class InkView {
  readonly #el: InkViewElements;
  /** The writer's corrections, by the strokes a word was read from. */
  readonly #corrections = new Map<string, string>();
  #predictions: readonly HandwritingPrediction[] = [];
  #ids: readonly number[] = [];
  #strokes: readonly PadStroke[] = [];
  #unit = 1;
  #words: InkWord[] = [];
  #chosen: number | undefined;

  readonly #onCorrect: ((correction: InkCorrection) => void) | undefined;

  /** `onCorrect` hears every correction (the Teach panel keeps it as a line sample). */
  constructor(elements: InkViewElements, onCorrect?: (correction: InkCorrection) => void) {
    this.#el = elements;
    this.#onCorrect = onCorrect;
    elements.copy.addEventListener('click', () => void this.copy());
  }

  /** The text shown (corrections applied), lines separated by newlines. */
  get text(): string {
    return inkText(this.#words);
  }

  /** Shows a reading of the strokes `strokes` (ids `ids`), drawn at `unitPixels` a pad unit. */
  show(
    predictions: readonly HandwritingPrediction[],
    ids: readonly number[],
    strokes: readonly PadStroke[],
    unitPixels: number,
  ): void {
    this.#predictions = predictions;
    this.#ids = ids;
    this.#strokes = strokes;
    this.#unit = unitPixels;
    const chosenKey =
      this.#chosen === undefined ? undefined : wordKey(this.#words[this.#chosen]?.strokeIds ?? []);
    this.#words = inkWords(predictions, ids, this.#corrections);
    const again = this.#words.findIndex((w) => wordKey(w.strokeIds) === chosenKey);
    this.#chosen = again >= 0 ? again : undefined;
    this.#render();
  }

  showEmpty(message = LINE_EMPTY_MESSAGE): void {
    this.#predictions = [];
    this.#words = [];
    this.#chosen = undefined;
    this.#render(message);
  }

  showError(message: string): void {
    this.showEmpty();
    this.#el.error.textContent = message;
    this.#el.error.hidden = false;
  }

  /** Copies the text to the clipboard; says so on the button. */
  async copy(): Promise<void> {
    const text = this.text;
    if (!text) return;
    try {
      await navigator.clipboard.writeText(text);
      this.#el.copy.textContent = 'Copied';
    } catch {
      this.#el.copy.textContent = 'Copy failed';
    }
    setTimeout(() => (this.#el.copy.textContent = 'Copy text'), 1500);
  }

  /** Chooses word `index` (its alternatives are listed), or none. */
  choose(index: number | undefined): void {
    this.#chosen = index === this.#chosen ? undefined : index;
    this.#render();
  }

  #correct(index: number, text: string): void {
    const word = this.#words[index];
    if (!word || word.strokeIds.length === 0) return;
    const key = wordKey(word.strokeIds);
    if (text === word.read) this.#corrections.delete(key);
    else this.#corrections.set(key, text);
    this.#words = inkWords(this.#predictions, this.#ids, this.#corrections);
    this.#chosen = undefined;
    this.#render();
    const ids = new Set(word.strokeIds);
    this.#onCorrect?.({
      key,
      text,
      read: word.read,
      strokes: this.#strokes.filter((s) => ids.has(s.id)),
    });
  }

  #render(empty = LINE_EMPTY_MESSAGE): void {
    const el = this.#el;
    const words = this.#words;
    el.error.hidden = true;
    el.placeholder.hidden = words.length > 0;
    el.copy.disabled = words.length === 0;
    setText(el.summary, words.length > 0 ? `Reads ${this.text.replace(/\n/g, ' / ')}` : empty);
    el.summary.classList.toggle('empty', words.length === 0);
    const lines = new Set(words.map((w) => w.line)).size;
    setText(
      el.count,
      words.length === 0
        ? ''
        : `${words.length} word${words.length === 1 ? '' : 's'}` +
            (lines > 1 ? ` on ${lines} lines` : '') +
            ' · tap a word for its alternatives',
    );
    const rows: HTMLElement[] = [];
    words.forEach((w, i) => {
      let row = rows[w.line];
      if (!row) {
        row = element('p', 'ink-line');
        rows[w.line] = row;
      }
      const button = element('button', `word${w.corrected ? ' corrected' : ''}`, w.text);
      button.setAttribute('type', 'button');
      button.setAttribute('aria-pressed', String(i === this.#chosen));
      button.dataset['index'] = String(i);
      button.addEventListener('click', () => this.choose(i));
      row.append(button);
    });
    el.words.replaceChildren(...rows.filter((r) => r !== undefined));
    el.words.hidden = words.length === 0;
    this.#renderAlternatives();
    this.#renderOverlay();
  }

  #renderAlternatives(): void {
    const el = this.#el.alternatives;
    const i = this.#chosen;
    const word = i === undefined ? undefined : this.#words[i];
    el.hidden = !word;
    if (i === undefined || !word) {
      el.replaceChildren();
      return;
    }
    const title = element(
      'p',
      'detail-title',
      word.alternatives.length > 0
        ? `Not “${word.text}”? Tap what you wrote:`
        : `No other reading of “${word.text}”.`,
    );
    const choices = word.alternatives.map((text) => {
      const button = element('button', 'alternative', text);
      button.setAttribute('type', 'button');
      button.addEventListener('click', () => this.#correct(i, text));
      return button;
    });
    const row = element('p', 'alternatives');
    row.append(...choices);
    // A word none of the readings spells is typed.
    const form = element('form', 'type-word');
    const input = element('input', 'type-word-input');
    input.type = 'text';
    input.value = word.text;
    input.spellcheck = false;
    input.autocomplete = 'off';
    input.setAttribute('aria-label', `What “${word.text}” says`);
    const label = element('label', '', 'Or type it: ');
    label.append(input);
    const submit = element('button', '', 'Correct');
    submit.setAttribute('type', 'submit');
    form.append(label, ' ', submit);
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const text = input.value.trim().replace(/\s+/g, ' ');
      if (text) this.#correct(i, text);
    });
    el.replaceChildren(title, row, form);
  }

  /** Each word's box over the ink, in canvas pixels; the chosen one stands out. */
  #renderOverlay(): void {
    const overlay = this.#el.overlay;
    overlay.replaceChildren();
    if (this.#words.length === 0) return;
    const canvas = overlay.parentElement?.querySelector('canvas');
    if (canvas) overlay.setAttribute('viewBox', `0 0 ${canvas.width} ${canvas.height}`);
    const byId = new Map(this.#strokes.map((s) => [s.id, s]));
    const u = this.#unit;
    this.#words.forEach((w, i) => {
      let x0 = Infinity;
      let y0 = Infinity;
      let x1 = -Infinity;
      let y1 = -Infinity;
      for (const id of w.strokeIds) {
        for (const p of byId.get(id)?.points ?? []) {
          x0 = Math.min(x0, p.x);
          y0 = Math.min(y0, p.y);
          x1 = Math.max(x1, p.x);
          y1 = Math.max(y1, p.y);
        }
      }
      if (!(x0 <= x1)) return;
      const pad = 0.02;
      const rect = document.createElementNS(SVG, 'rect');
      const attributes = {
        class: `box word-box${i === this.#chosen ? ' selected' : ''}`,
        x: (x0 - pad) * u,
        y: (y0 - pad) * u,
        width: (x1 - x0 + 2 * pad) * u,
        height: (y1 - y0 + 2 * pad) * u,
        rx: 6,
        'vector-effect': 'non-scaling-stroke',
      };
      for (const [name, value] of Object.entries(attributes)) {
        rect.setAttribute(name, String(value));
      }
      const group = document.createElementNS(SVG, 'g');
      group.setAttribute('class', `char${i === this.#chosen ? ' selected' : ''}`);
      group.append(rect);
      overlay.append(group);
    });
  }
}
