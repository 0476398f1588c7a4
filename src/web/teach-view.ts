// What the Teach panel shows of the character samples (teach.ts holds them): how many of each
// character the model in use reads right, the characters to write more of, a cell a character
// with its samples' thumbnails (a click deletes one), and the correction row under a reading
// (a key a character, shown once the reading is said to be wrong).

import { IMAGE_PIXELS } from '../core/types.js';
import { byId, el } from './dom.js';
import { putGrayPixels } from './images.js';
import type { Sample } from './teach-store.js';

/** Samples per character the Teach panel aims at (the issue's "5 per class"). */
const WANTED_PER_CLASS = 5;
/** Characters the panel asks for at a time. */
const ASK_FOR = 6;

/** How many samples of a character there are, and how many the model in use reads right. */
export interface ClassScore {
  right: number;
  count: number;
}

/** A 28x28 sample as a canvas (ink white on black, as the model sees it). */
function sampleCanvas(pixels: Uint8Array): HTMLCanvasElement {
  const canvas = el('canvas', { width: 28, height: 28 });
  putGrayPixels(canvas.getContext('2d')!, pixels);
  return canvas;
}

/**
 * Share of each class's samples that `classify` (the model in use) reads right; without it,
 * only the counts.
 *
 * @example
 * const scores = scoreSamples(classes, samples, recognizer.classify);
 * scores.get('1'); // { right: 4, count: 5 }
 */
export function scoreSamples(
  classes: readonly string[],
  samples: readonly Sample[],
  classify: ((pixels: Uint8Array, count: number) => Float32Array) | undefined,
): Map<string, ClassScore> {
  const scores = new Map<string, ClassScore>();
  for (const label of classes) scores.set(label, { right: 0, count: 0 });
  const scored = samples.filter((s) => scores.has(s.label));
  const pixels = new Uint8Array(scored.length * IMAGE_PIXELS);
  scored.forEach((s, i) => pixels.set(s.pixels, i * IMAGE_PIXELS));
  const probs = classify && scored.length > 0 ? classify(pixels, scored.length) : undefined;
  const k = classes.length;
  scored.forEach((s, i) => {
    const score = scores.get(s.label)!;
    score.count++;
    if (!probs) return;
    let best = 0;
    for (let c = 1; c < k; c++) if (probs[i * k + c]! > probs[i * k + best]!) best = c;
    if (classes[best] === s.label) score.right++;
  });
  return scores;
}

/**
 * The characters to write more of: of those with samples, the ones read wrong most, then those
 * with fewest samples. A character without samples is not asked for: nothing says it is read
 * badly (the panel asked for 0 1 2 3 4 5 that way).
 */
function asksOf(scores: Map<string, ClassScore>): string[] {
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

/** What the samples' view draws, and what its buttons do. */
export interface SamplesView {
  readonly classes: readonly string[];
  readonly samples: readonly Sample[];
  readonly scores: Map<string, ClassScore>;
  /** Writes `label` again and again ("write more of"). */
  target(label: string): void;
  delete(sample: Sample): void;
}

/**
 * Draws the panel's summary, the characters to write more of and a cell a character.
 *
 * @example
 * renderSamples({ classes, samples, scores, target: setTarget, delete: deleteSample });
 */
export function renderSamples(view: SamplesView): void {
  const { classes, samples, scores } = view;
  const total = samples.length;
  const classesWith = [...scores.values()].filter((s) => s.count > 0).length;
  byId('teach-summary').textContent =
    total === 0
      ? 'No samples yet. When a reading is wrong, click the character you wrote under it; or pick a character below and write it a few times.'
      : `${total} sample${total === 1 ? '' : 's'} of ${classesWith} character${classesWith === 1 ? '' : 's'} (aim: ${WANTED_PER_CLASS} of each character it reads wrong).`;
  const asks = asksOf(scores);
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
        button.addEventListener('click', () => view.target(label));
        return button;
      }),
    );
  }
  byId('teach-classes').replaceChildren(
    ...classes.map((label) => {
      const s = scores.get(label)!;
      const mine = samples.filter((x) => x.label === label);
      const cell = el('li', { className: `class-cell${s.right < s.count ? ' weak' : ''}` });
      cell.dataset['label'] = label;
      const write = el('button', {
        type: 'button',
        className: 'class-write',
        textContent: label,
      });
      write.setAttribute('aria-label', `Write ${label}`);
      write.addEventListener('click', () => view.target(label));
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
        del.addEventListener('click', () => view.delete(sample));
        thumbs.append(del);
      }
      cell.append(el('div', { className: 'class-head' }, write, count), thumbs);
      return cell;
    }),
  );
}

/**
 * The correction row's keys, one a character of the taught model; a click keeps the drawing as
 * a sample of that character.
 *
 * @example
 * renderKeys(classes, (label) => void keep(label));
 */
export function renderKeys(classes: readonly string[], keep: (label: string) => void): void {
  byId('correct-keys').replaceChildren(
    ...classes.map((label) => {
      const button = el('button', { type: 'button', textContent: label, className: 'key' });
      button.dataset['label'] = label;
      button.setAttribute('aria-keyshortcuts', `Alt+${label}`);
      button.setAttribute('aria-label', `It is ${label}`);
      button.addEventListener('click', () => keep(label));
      return button;
    }),
  );
}

/**
 * Shows the correction row's keys (`open`) or only its question; while a character is written
 * again and again (`targeting`) the question is hidden.
 */
export function expandKeys(open: boolean, targeting: boolean): void {
  byId('correct-more').hidden = !open;
  byId('correct-ask').hidden = targeting;
  byId('correct-open').setAttribute('aria-expanded', String(open));
}

/**
 * Shows the correction row for a reading of `readAs`: it asks `Not O?`, and the key of what was
 * read stands out (it is not a correction).
 */
export function showQuestion(readAs: string, targeting: boolean): void {
  byId('correct').hidden = false;
  // Most readings are right: the row asks, and shows the keys only when told the reading is
  // wrong (Alt and a key corrects at once).
  byId('correct-question').textContent = `Not ${readAs}?`;
  expandKeys(targeting, targeting);
  for (const key of document.querySelectorAll<HTMLButtonElement>('#correct-keys .key')) {
    const label = key.dataset['label'] ?? '';
    const read = label === readAs;
    key.classList.toggle('read', read);
    key.setAttribute('aria-label', read ? `It read ${label}: right` : `It is ${label}`);
  }
  byId<HTMLButtonElement>('keep').disabled = false;
}
