// Line mode: the wide pad's strokes read as ink after each pen-up, in a Web Worker
// (ink-line.ts), so the pen never waits; an upload (or ink under the form's constraints without
// a line model) is read as an image, one chip per character with its box over the pad. The
// form's charset, pattern and entries read the line again as they change, and a mouse over the
// pad points at a character of the line read.

import { READ_DEFAULTS } from '../core/read/options.js';
import type { ModelArtifacts } from './adapt-protocol.js';
import { messageOf } from './dom.js';
import { canvasToGray, scaledCanvas } from './images.js';
import { InkLine } from './ink-line.js';
import type { InkView } from './ink-view.js';
import type { LinePlacement, LineResults } from './line-view.js';
import type { DrawingPad } from './pad.js';
import type { PageState } from './page-state.js';
import { readByText, type PageView } from './page-view.js';
import { LIVE_DELAY_MS } from './read-loop.js';
import type { RecognitionInput } from './recognizer.js';
import { notReadHint } from './upload.js';

/**
 * Most pixels of the image a line is read from, for the pad's drawing (up to 2 canvas pixels
 * per CSS pixel), so a reading stays a few tens of milliseconds.
 */
const LINE_DRAWING_PIXELS = 400_000;

/** The form's fields that constrain the line. */
export interface LineFields {
  readonly charset: HTMLSelectElement;
  readonly pattern: HTMLInputElement;
  readonly lexicon: HTMLTextAreaElement;
}

/** What line mode needs of the page. */
export interface LineModeHost {
  readonly state: PageState;
  readonly pad: DrawingPad;
  readonly view: PageView;
  readonly lineResults: LineResults;
  readonly inkView: InkView;
  readonly fields: LineFields;
  /** How GET /api/models is asked (the page shares one answer). */
  readonly fetch: typeof fetch;
  /** Reads the pad after `delay` milliseconds (read-loop.ts). */
  schedule(delay: number): void;
}

/** A line to read, and where it sits on the pad (none: the pad does not show it). */
interface LineSource {
  readonly input: RecognitionInput;
  readonly placement: LinePlacement | undefined;
}

/**
 * Reads the pad as a line, or as ink.
 *
 * @example
 * const lineMode = new LineMode({ state, pad, view, lineResults, inkView, fields, fetch, schedule });
 * await lineMode.read();
 */
export class LineMode {
  readonly #host: LineModeHost;
  readonly #ink: InkLine;

  constructor(host: LineModeHost) {
    this.#host = host;
    const { state, view, pad, lineResults, fields } = host;
    this.#ink = new InkLine({
      pad,
      view: host.inkView,
      lineResults,
      fetch: host.fetch,
      model: () => ({
        ...(state.info ? { info: state.info } : {}),
        ...(state.recognizer ? { recognizer: state.recognizer } : {}),
      }),
      constraints: () => this.constraints(),
      begin: () => {
        const entry = state.current;
        return () => entry === state.current && state.mode === 'line';
      },
      readBy: (by) =>
        view.saidBy(
          'line',
          by === 'worker'
            ? 'Read from your strokes by the line model, in a Web Worker in your browser.'
            : readByText(state.current, by),
        ),
      showView: (which) => (document.body.dataset['lineView'] = which),
    });
    // A mouse over the pad (no button pressed) points at a character of the line read.
    const canvas = pad.canvas;
    canvas.addEventListener('pointermove', (e) => {
      if (state.mode !== 'line' || e.pointerType !== 'mouse' || e.buttons !== 0) return;
      const rect = canvas.getBoundingClientRect();
      lineResults.pointAt(
        ((e.clientX - rect.left) * canvas.width) / Math.max(1, rect.width),
        ((e.clientY - rect.top) * canvas.height) / Math.max(1, rect.height),
      );
    });
    canvas.addEventListener('pointerleave', () => lineResults.pointAway());
    canvas.addEventListener('pointerdown', () => lineResults.pointAway());
    // A new charset, pattern or list of entries reads the line again.
    for (const field of [fields.charset, fields.pattern, fields.lexicon]) {
      field.addEventListener('input', () => {
        if (state.mode === 'line') host.schedule(LIVE_DELAY_MS.line);
      });
    }
  }

  /**
   * Reads ink with these weights of the line model from now on (the Teach panel's adapted
   * model), or with the served ones again when given none.
   */
  useLineModel(model: ModelArtifacts | undefined): void {
    this.#ink.useLineModel(model);
  }

  /** The form's constraints on the line, as the recognizers take them. */
  constraints(): { charset: string; pattern: string; lexicon: string } {
    const { fields } = this.#host;
    return {
      charset: fields.charset.value,
      pattern: fields.pattern.value.trim(),
      lexicon: fields.lexicon.value,
    };
  }

  /** The line to read: the pad scaled down, or the upload it shows. */
  #source(): LineSource | undefined {
    const { pad } = this.#host;
    const upload = this.#host.state.upload;
    const canvas = pad.canvas;
    const onPad = (frame: LinePlacement['frame'] | undefined): LinePlacement | undefined =>
      frame && {
        canvasWidth: canvas.width,
        canvasHeight: canvas.height,
        frame,
        pixelRatio: canvas.width / Math.max(1, canvas.getBoundingClientRect().width),
      };
    if (upload && (pad.isImageOnly || !upload.gray)) {
      const file = upload.file;
      const gray = upload.lineGray ?? upload.gray;
      return {
        input: { ...(gray ? { gray } : {}), blob: async () => file },
        placement: gray ? onPad(pad.backdropRect) : undefined,
      };
    }
    if (pad.isBlank) return undefined;
    const small = scaledCanvas(canvas, canvas.width, canvas.height, LINE_DRAWING_PIXELS);
    return {
      input: {
        gray: canvasToGray(small),
        blob: () => small.convertToBlob({ type: 'image/png' }),
      },
      placement: onPad({ x: 0, y: 0, width: canvas.width, height: canvas.height }),
    };
  }

  /** Reads the pad once and shows the reading. */
  async read(): Promise<void> {
    const { state, pad, view, lineResults, inkView } = this.#host;
    if (!state.upload && pad.isInk) {
      await this.#ink.read();
      return;
    }
    inkView.showEmpty();
    document.body.dataset['lineView'] = state.upload ? 'image' : 'ink';
    const source = this.#source();
    if (!source) {
      lineResults.showEmpty();
      view.saidBy('line', undefined);
      return;
    }
    const active = source.input.gray ? state.recognizer : state.server;
    if (!active) return; // the model is still loading; the loop reads again once it is ready
    const entry = state.current;
    try {
      // Every class's probability is kept, so a label the context chose shows its own.
      const top = state.info?.labelSet.classes.length ?? READ_DEFAULTS.top;
      const result = await active.read(source.input, { top, ...this.constraints() });
      // A reading by a model no longer chosen is dropped: the new one reads again.
      if (entry !== state.current) return;
      if (state.mode === 'line') {
        lineResults.show(result, source.placement);
        view.saidBy('line', readByText(entry, active));
      }
    } catch (error) {
      view.saidBy('line', undefined);
      lineResults.showError(messageOf(error));
      const upload = state.upload;
      if (upload && !upload.gray) view.showHint(notReadHint(upload));
    }
  }
}
