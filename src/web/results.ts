// Showing what the model read: the top classes as bars with probabilities, the 28x28 image the
// model saw, the look-alike note, and a one-line summary that screen readers announce.

import { IMAGE_SIZE } from '../core/types.js';
import { putGrayPixels } from './images.js';
import { caseNote, classKind, lookalikeNote } from './lookalike.js';
import { EMPTY_MESSAGE, percent, type Ranked } from './ranking.js';
import type { Recognition } from './recognizer.js';

/** The elements the results are drawn into. */
export interface ResultsView {
  /** What the panel says before anything was read. */
  readonly placeholder: HTMLElement;
  /** The live region: "Reads 7" (announced when the best class changes). */
  readonly summary: HTMLElement;
  /** The best class's probability, next to the summary but outside the live region. */
  readonly summaryProbability: HTMLElement;
  readonly ranking: HTMLOListElement;
  readonly note: HTMLElement;
  readonly seen: HTMLElement;
  readonly seenCanvas: HTMLCanvasElement;
  readonly error: HTMLElement;
}

/** A new element with a class and, optionally, its text. */
export function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className: string,
  text?: string,
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  el.className = className;
  if (text !== undefined) el.textContent = text;
  return el;
}

/** Sets an element's text only when it changes, so a live region speaks only on news. */
export function setText(el: HTMLElement, text: string): void {
  if (el.textContent !== text) el.textContent = text;
}

/**
 * One row of a ranking: the class (with its kind), a bar and the percentage; the row's
 * accessible name says the same in words.
 *
 * @param best - true for the first row (drawn in the accent colour)
 * @example
 * list.append(rankingItem({ label: 'O', probability: 0.93 }, true));
 */
export function rankingItem(item: Ranked, best: boolean): HTMLLIElement {
  const li = element('li', best ? 'rank best' : 'rank');
  const kind = classKind(item.label);
  const name = element('span', 'rank-label');
  name.append(element('span', 'glyph', item.label));
  if (kind) name.append(element('span', 'kind', kind));
  const bar = element('span', 'bar');
  bar.setAttribute('aria-hidden', 'true');
  const fill = element('span', 'fill');
  fill.style.width = `${Math.max(0, Math.min(100, item.probability * 100)).toFixed(1)}%`;
  bar.append(fill);
  li.append(name, bar, element('span', 'pct', percent(item.probability)));
  li.setAttribute(
    'aria-label',
    `${item.label}${kind ? ` (${kind})` : ''}: ${percent(item.probability)}`,
  );
  return li;
}

function drawSeen(canvas: HTMLCanvasElement, recognition: Recognition): void {
  const ctx = canvas.getContext('2d');
  if (!ctx || recognition.empty) return;
  canvas.width = IMAGE_SIZE;
  canvas.height = IMAGE_SIZE;
  if (recognition.pixels) {
    putGrayPixels(ctx, recognition.pixels);
  } else if (recognition.imageUrl) {
    const image = new Image();
    image.onload = () => ctx.drawImage(image, 0, 0, IMAGE_SIZE, IMAGE_SIZE);
    image.src = recognition.imageUrl;
  }
}

/**
 * Shows a recognition: the ranking, the 28x28 image, the note; or "Draw a character" when the
 * image is empty. Announces the best class only when it changes, so a screen reader is not
 * flooded while the person draws.
 *
 * @example
 * showRecognition(view, await recognizer.recognize(input, 5));
 */
export function showRecognition(view: ResultsView, recognition: Recognition): void {
  view.error.hidden = true;
  view.placeholder.hidden = true;
  if (recognition.empty || recognition.predictions.length === 0) {
    showEmpty(view);
    return;
  }
  const [best, second] = recognition.predictions;
  view.ranking.replaceChildren(...recognition.predictions.map((p, i) => rankingItem(p, i === 0)));
  view.ranking.hidden = false;
  setText(view.summary, `Reads ${best!.label}`);
  setText(view.summaryProbability, percent(best!.probability));
  view.summary.classList.remove('empty');
  const note = lookalikeNote(best!.label, second?.label) ?? caseNote(recognition.predictions);
  view.note.hidden = note === undefined;
  view.note.textContent = note ?? '';
  drawSeen(view.seenCanvas, recognition);
  view.seen.hidden = false;
}

/** Shows the empty state: "Draw a character", no ranking, no image. */
export function showEmpty(view: ResultsView): void {
  view.placeholder.hidden = false;
  view.ranking.replaceChildren();
  view.ranking.hidden = true;
  view.note.hidden = true;
  view.seen.hidden = true;
  setText(view.summary, EMPTY_MESSAGE);
  setText(view.summaryProbability, '');
  view.summary.classList.add('empty');
}

/** Shows an error message in place of the results. */
export function showError(view: ResultsView, message: string): void {
  showEmpty(view);
  view.placeholder.hidden = true;
  setText(view.summary, 'Could not read the image');
  view.error.textContent = message;
  view.error.hidden = false;
}
