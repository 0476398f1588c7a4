// Showing what the model read in a line of handwriting: the text, one chip per character (its
// reading and probability), each character's box and reading drawn over the pad in an SVG
// overlay, and the top alternatives of the character pointed at with a mouse, focused with the
// keyboard or tapped, with what the line context changed.

import type { ReadCharacter, ReadResult } from '../core/read/read.js';
import { classKind } from './lookalike.js';
import type { PadRect } from './pad.js';
import { percent } from './ranking.js';
import { element, rankingItem, setText } from './results.js';

/** What the line results say when there is nothing to read. */
export const LINE_EMPTY_MESSAGE = 'Write a few characters';

/** Classes listed for the chosen character (plus the label chosen, when it is not among them). */
export const DETAIL_TOP = 3;

/** What the detail area says before a character is chosen. */
const DETAIL_HINT = 'Point at a character or tap it to see what else it could be.';

/** The elements the line results are drawn into. */
export interface LineView {
  /** What the panel says before anything was read. */
  readonly placeholder: HTMLElement;
  /** The live region: "Reads AB12" (announced when the text changes). */
  readonly summary: HTMLElement;
  /** How many characters, and how many the context settled; outside the live region. */
  readonly count: HTMLElement;
  /** One chip per character, left to right. */
  readonly characters: HTMLOListElement;
  /** The chosen character's top classes and context. */
  readonly detail: HTMLElement;
  readonly error: HTMLElement;
  /** The SVG over the pad where boxes and readings are drawn. */
  readonly overlay: SVGSVGElement;
}

/** Where the image that was read sits on the pad, to draw its boxes over the drawing. */
export interface LinePlacement {
  /** The pad canvas's backing-store size: the overlay's coordinates. */
  readonly canvasWidth: number;
  readonly canvasHeight: number;
  /** The image read, in canvas pixels: the whole canvas for a drawing, the fitted upload else. */
  readonly frame: PadRect;
  /** Canvas pixels per CSS pixel, so labels keep their size on every screen. */
  readonly pixelRatio: number;
}

const SVG = 'http://www.w3.org/2000/svg';

function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attributes: Record<string, string | number>,
): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) el.setAttribute(name, String(value));
  return el;
}

/** The probability the classifier gave the label chosen (unknown when it is off the top-k kept). */
function labelProbability(c: ReadCharacter): number | undefined {
  return c.top.find((t) => t.label === c.label)?.probability;
}

function describe(label: string): string {
  const kind = classKind(label);
  return kind ? `${label} (${kind})` : label;
}

/**
 * The line results: text, chips, overlay and detail, with the character chosen by pointing
 * (a mouse over the pad or a chip), focus or a tap (which pins it until tapped again).
 *
 * @example
 * const results = new LineResults(view);
 * results.show(await recognizer.read(input, { top: 3 }), placement);
 */
export class LineResults {
  readonly #view: LineView;
  #characters: ReadCharacter[] = [];
  /** Each character's box in canvas pixels, when the reading has a place on the pad. */
  #boxes: PadRect[] = [];
  #pinned: number | undefined;
  #pointed: number | undefined;

  constructor(view: LineView) {
    this.#view = view;
  }

  /** Shows a reading; `placement` maps its boxes onto the pad (none: no overlay). */
  show(result: ReadResult, placement: LinePlacement | undefined): void {
    const view = this.#view;
    view.error.hidden = true;
    if (result.status !== 'ok' || result.lines.length === 0) {
      this.showEmpty(result.status === 'no-characters' ? result.message : undefined);
      return;
    }
    this.#characters = result.lines.flatMap((line) => [...line.characters]);
    const n = this.#characters.length;
    if (this.#pinned !== undefined && this.#pinned >= n) this.#pinned = undefined;
    this.#pointed = undefined;
    view.placeholder.hidden = true;
    setText(view.summary, `Reads ${result.text.replace(/\n/g, ' / ')}`);
    view.summary.classList.remove('empty');
    const changed = this.#characters.filter((c) => c.context !== undefined).length;
    setText(
      view.count,
      `${n} character${n === 1 ? '' : 's'}` +
        (result.lines.length > 1 ? ` on ${result.lines.length} lines` : '') +
        (changed ? ` · ${changed} settled by the line` : ''),
    );
    this.#renderChips(result);
    this.#renderOverlay(placement, result.width);
    this.#renderSelection();
  }

  /** Shows the empty state, or a page with ink but no characters (`message` says so). */
  showEmpty(message?: string): void {
    const view = this.#view;
    this.#characters = [];
    this.#boxes = [];
    this.#pinned = undefined;
    this.#pointed = undefined;
    view.characters.replaceChildren();
    view.characters.hidden = true;
    view.detail.hidden = true;
    view.overlay.replaceChildren();
    setText(view.count, '');
    view.summary.classList.add('empty');
    if (message === undefined) {
      setText(view.summary, LINE_EMPTY_MESSAGE);
      view.placeholder.hidden = false;
      view.error.hidden = true;
    } else {
      setText(view.summary, 'No characters found');
      view.placeholder.hidden = true;
      view.error.textContent = message;
      view.error.hidden = false;
    }
  }

  /** Shows an error message in place of the results. */
  showError(message: string): void {
    this.showEmpty();
    this.#view.placeholder.hidden = true;
    setText(this.#view.summary, 'Could not read the image');
    this.#view.error.textContent = message;
    this.#view.error.hidden = false;
  }

  /** The pointer is at (x, y) in canvas pixels (a mouse hovering over the pad). */
  pointAt(x: number, y: number): void {
    const index = this.#boxes.findIndex(
      (b) => x >= b.x && x <= b.x + b.width && y >= b.y && y <= b.y + b.height,
    );
    this.#point(index >= 0 ? index : undefined);
  }

  /** The pointer left the pad or the chips. */
  pointAway(): void {
    this.#point(undefined);
  }

  #point(index: number | undefined): void {
    if (index === this.#pointed) return;
    this.#pointed = index;
    this.#renderSelection();
  }

  get #selected(): number | undefined {
    return this.#pointed ?? this.#pinned;
  }

  #renderChips(result: ReadResult): void {
    const items: HTMLLIElement[] = [];
    let index = 0;
    for (const [l, line] of result.lines.entries()) {
      if (l > 0) {
        const br = element('li', 'line-break');
        br.setAttribute('aria-hidden', 'true');
        items.push(br);
      }
      for (const c of line.characters) {
        const i = index++;
        const li = element('li', c.spaceBefore ? 'chip-item space-before' : 'chip-item');
        const button = element('button', c.context ? 'chip context' : 'chip');
        button.type = 'button';
        const p = labelProbability(c);
        button.append(element('span', 'chip-glyph', c.label));
        button.append(element('span', 'chip-pct', p === undefined ? '—' : percent(p)));
        button.setAttribute(
          'aria-label',
          `Character ${i + 1}: ${describe(c.label)}` +
            (p === undefined ? '' : `, ${percent(p)}`) +
            (c.context ? `, set by the line (the model said ${c.raw})` : ''),
        );
        button.addEventListener('click', () => {
          this.#pinned = this.#pinned === i ? undefined : i;
          this.#pointed = undefined;
          this.#renderSelection();
        });
        button.addEventListener('pointerenter', (e) => {
          if (e.pointerType === 'mouse') this.#point(i);
        });
        button.addEventListener('pointerleave', () => this.#point(undefined));
        button.addEventListener('focus', () => this.#point(i));
        button.addEventListener('blur', () => this.#point(undefined));
        li.append(button);
        items.push(li);
      }
    }
    this.#view.characters.replaceChildren(...items);
    this.#view.characters.hidden = false;
  }

  /** Draws each character's box and reading; `imageWidth` is the width of the image read. */
  #renderOverlay(placement: LinePlacement | undefined, imageWidth: number): void {
    const overlay = this.#view.overlay;
    overlay.replaceChildren();
    this.#boxes = [];
    if (!placement) return;
    const { canvasWidth: width, canvasHeight: height, frame, pixelRatio: r } = placement;
    overlay.setAttribute('viewBox', `0 0 ${width} ${height}`);
    const scale = frame.width / Math.max(1, imageWidth);
    const gap = 3 * r;
    this.#characters.forEach((c, i) => {
      const box = {
        x: frame.x + c.box.x * scale,
        y: frame.y + c.box.y * scale,
        width: Math.max(1, c.box.width * scale),
        height: Math.max(1, c.box.height * scale),
      };
      this.#boxes.push(box);
      // Labels shrink with small writing (a photo fitted into a phone's pad), 9-14 CSS px.
      const font = Math.min(14, Math.max(9, (0.3 * box.height) / r)) * r;
      const tagHeight = 1.45 * font;
      const tagWidth = (0.85 + 0.8 * [...c.label].length) * font;
      let ty = box.y - tagHeight - gap;
      if (ty < 0) ty = box.y + box.height + gap;
      if (ty + tagHeight > height) ty = box.y + gap;
      const tx = Math.max(0, Math.min(width - tagWidth, box.x));
      const group = svg('g', {
        class: c.context ? 'char context' : 'char',
        'data-index': i,
      });
      group.append(
        svg('rect', {
          class: 'box',
          x: box.x,
          y: box.y,
          width: box.width,
          height: box.height,
          rx: 4 * r,
          'vector-effect': 'non-scaling-stroke',
        }),
        svg('rect', { class: 'tag', x: tx, y: ty, width: tagWidth, height: tagHeight, rx: 4 * r }),
      );
      const text = svg('text', {
        class: 'tag-text',
        x: tx + tagWidth / 2,
        y: ty + tagHeight / 2,
        'font-size': font,
        'text-anchor': 'middle',
        'dominant-baseline': 'central',
      });
      text.textContent = c.label;
      group.append(text);
      overlay.append(group);
    });
  }

  #renderSelection(): void {
    const selected = this.#selected;
    const view = this.#view;
    view.characters.querySelectorAll<HTMLButtonElement>('.chip').forEach((chip, i) => {
      chip.classList.toggle('selected', i === selected);
      chip.setAttribute('aria-pressed', String(i === this.#pinned));
    });
    view.overlay.querySelectorAll('.char').forEach((g, i) => {
      g.classList.toggle('selected', i === selected);
    });
    view.detail.hidden = this.#characters.length === 0;
    const c = selected === undefined ? undefined : this.#characters[selected];
    if (selected === undefined || !c) {
      view.detail.replaceChildren(element('p', 'detail-hint', DETAIL_HINT));
      return;
    }
    const title = element(
      'p',
      'detail-title',
      `Character ${selected + 1} of ${this.#characters.length}: ${describe(c.label)}`,
    );
    const ranking = element('ol', 'ranking');
    ranking.setAttribute('aria-label', `The most likely classes of character ${selected + 1}`);
    const shown = c.top.slice(0, DETAIL_TOP);
    const chosen = c.top.find((t) => t.label === c.label);
    if (chosen && !shown.includes(chosen)) shown.push(chosen);
    ranking.append(...shown.map((t) => rankingItem(t, t.label === c.label)));
    const parts: HTMLElement[] = [title, ranking];
    if (c.context) {
      parts.push(
        element(
          'p',
          'detail-context',
          `Read as a ${c.context} because its neighbours are ${c.context}s; the model's first choice was ${describe(c.raw)}.`,
        ),
      );
    } else if (c.alternatives.length > 0) {
      parts.push(
        element(
          'p',
          'detail-context',
          `Looks like ${c.alternatives.map(describe).join(' or ')} too; the line kept ${c.label}.`,
        ),
      );
    }
    view.detail.replaceChildren(...parts);
  }
}
