// Reading line mode's writing area as ink (docs/DESIGN.md §8): after each pen-up the strokes go
// to the polyfill's reader (src/web/handwriting) in a Web Worker, which renders each line at the
// line model's own scale and pen, whatever the display's pen, and reads it with the server's line
// model (or the one the Teach panel adapted to the writer) and the language model, so the pen
// never waits; InkView shows the words. With the form's constraints (which the worker does not
// apply), or without a served line model, the strokes are rendered the same way and read as an
// image by the page's recognizer, one chip per character.

import languageModelUrl from '../../models/lm-en/language-model.json?url';
import { PAPER_PEN_WIDTH, renderInkPage } from '../core/ink/document.js';
import { RENDER_INK_DEFAULTS } from '../core/ink/render.js';
import type { InkStroke } from '../core/ink/types.js';
import { READ_DEFAULTS } from '../core/read/options.js';
import type { GrayImage } from '../core/types.js';
import type { ModelArtifacts } from './adapt-protocol.js';
import type { InkReader } from './handwriting/api.js';
import type { ToReader } from './handwriting/protocol.js';
import { workerReader } from './handwriting/reader.js';
import type { HandwritingPrediction } from './handwriting/types.js';
import { INK_UNITS } from './ink-pad.js';
import type { InkView } from './ink-view.js';
import type { LinePlacement, LineResults } from './line-view.js';
import type { DrawingPad } from './pad.js';
import type { LineReadOptions, ModelInfo, Recognizer } from './recognizer.js';

/** Readings asked of the worker: the best, and the others give each word its alternatives. */
const READINGS = 6;

/** The page's reader of ink (see {@link inkReader}). */
export interface PageInkReader {
  read(strokes: InkStroke[]): Promise<HandwritingPrediction[]>;
  /**
   * Reads lines with these weights of the line model from now on (the Teach panel's adapted
   * model), or with the served ones again when given none.
   */
  useLineWeights(model: ModelArtifacts | undefined): void;
}

/**
 * Reads strokes in the polyfill's worker with the served line model (`lineModelUrl`, from GET
 * /api/models), the glyph model `glyphModelUrl` and the page's language model; the worker starts
 * on the first reading.
 *
 * @example
 * const reader = inkReader('/line-model/model.json', '/model/model.json');
 * const predictions = await reader.read(pad.ink.strokes);
 */
export function inkReader(lineModelUrl: string, glyphModelUrl: string): PageInkReader {
  const href = (url: string) => new URL(url, location.href).href;
  let worker: Worker | undefined;
  let weights: ModelArtifacts | undefined;
  const send = () =>
    worker?.postMessage({ type: 'line-weights', model: weights } satisfies ToReader);
  const open = workerReader(
    {
      lineModel: href(lineModelUrl),
      glyphModel: href(glyphModelUrl),
      languageModel: href(languageModelUrl),
    },
    () => {
      worker = new Worker(new URL('./handwriting/worker.ts', import.meta.url), {
        type: 'module',
        name: 'hcr-handwriting',
      });
      return worker;
    },
  );
  let reader: Promise<InkReader> | undefined;
  return {
    read: async (strokes) => {
      reader ??= open().then(
        (opened) => {
          // A worker (re)started reads with the weights chosen meanwhile.
          if (weights) send();
          return opened;
        },
        (error: unknown) => {
          reader = undefined;
          throw error;
        },
      );
      return (await reader).read(strokes, {
        recognitionType: 'text',
        textContext: '',
        alternatives: READINGS,
      });
    },
    useLineWeights: (model) => {
      weights = model;
      if (reader) send();
    },
  };
}

/**
 * Strokes rendered as the line model reads them (renderInkPage: lines about 64 px high, its own
 * pen), dark on white as an upload, and where that image sits on the pad, for readers of images.
 *
 * @param penWidth - pen width at 64 px a line. Default: the line model's (2.75); the glyph
 *   reader reads strokes of core's PAPER_PEN_WIDTH best
 * @param unitPixels - the pad canvas's pixels per pad unit (pad.unitPixels)
 * @example
 * const { gray, placement } = inkAsLine(pad.ink.strokes, pad.unitPixels, pad.canvas);
 */
export function inkAsLine(
  strokes: readonly InkStroke[],
  unitPixels: number,
  canvas: HTMLCanvasElement,
  penWidth: number = RENDER_INK_DEFAULTS.penWidth,
): { gray: GrayImage; placement: LinePlacement } {
  const image = renderInkPage(strokes, { penWidth });
  const data = new Uint8Array(image.data.length);
  for (let i = 0; i < data.length; i++) data[i] = 255 - image.data[i]!;
  const toPad = unitPixels / INK_UNITS / image.scale;
  return {
    gray: { width: image.width, height: image.height, data },
    placement: {
      canvasWidth: canvas.width,
      canvasHeight: canvas.height,
      frame: {
        x: (image.originX * image.scale - image.offset) * toPad,
        y: (image.originY * image.scale - image.offset) * toPad,
        width: image.width * toPad,
        height: image.height * toPad,
      },
      pixelRatio: canvas.width / Math.max(1, canvas.getBoundingClientRect().width),
    },
  };
}

/**
 * A gray image as PNG bytes, for the server's POST /api/read when the browser cannot run the
 * model.
 *
 * @example
 * const blob = await grayToPng(inkAsLine(strokes, unit, canvas).gray);
 */
export function grayToPng(gray: GrayImage): Promise<Blob> {
  const canvas = new OffscreenCanvas(gray.width, gray.height);
  const ctx = canvas.getContext('2d')!;
  const image = ctx.createImageData(gray.width, gray.height);
  for (let i = 0; i < gray.data.length; i++) {
    const v = gray.data[i]!;
    image.data.set([v, v, v, 255], i * 4);
  }
  ctx.putImageData(image, 0, 0);
  return canvas.convertToBlob({ type: 'image/png' });
}

/** What reading the writing area needs of the page. */
export interface InkLineHost {
  readonly pad: DrawingPad;
  readonly view: InkView;
  readonly lineResults: LineResults;
  /** How GET /api/models is asked (the page shares one answer). */
  readonly fetch: typeof fetch;
  /** The model the page reads with now (undefined while it loads). */
  model(): { readonly info?: ModelInfo; readonly recognizer?: Recognizer };
  /** The form's constraints on the line. */
  constraints(): Required<Pick<LineReadOptions, 'charset' | 'pattern' | 'lexicon'>>;
  /** Called as a reading starts: the answer says whether, once read, it is still wanted. */
  begin(): () => boolean;
  /** Says who read what is shown: the worker, or the page's recognizer. */
  readBy(by: 'worker' | Recognizer): void;
  /** Which view shows the reading: the words of ink, or one chip per character. */
  showView(view: 'ink' | 'image'): void;
}

/**
 * Reads the writing area's strokes, one reading at a time (the page's update loop calls it).
 *
 * @example
 * const inkLine = new InkLine(host);
 * await inkLine.read();
 */
export class InkLine {
  readonly #host: InkLineHost;
  #worker: Promise<PageInkReader | undefined> | undefined;
  /** The adapted line model's weights the page reads with, if any. */
  #lineWeights: ModelArtifacts | undefined;

  constructor(host: InkLineHost) {
    this.#host = host;
  }

  /** The worker's reader, once the served line model is known (none: undefined). */
  #reader(glyphModel: string): Promise<PageInkReader | undefined> {
    this.#worker ??= this.#host
      .fetch('/api/models')
      .then(async (r) => {
        const body = r.ok
          ? ((await r.json()) as { lineModel?: { browserModel: string } | null })
          : {};
        const line = 'lineModel' in body ? body.lineModel : undefined;
        if (!line) return undefined;
        const reader = inkReader(line.browserModel, glyphModel);
        if (this.#lineWeights) reader.useLineWeights(this.#lineWeights);
        return reader;
      })
      .catch(() => undefined);
    return this.#worker;
  }

  /**
   * Reads ink with these weights of the line model from now on (the Teach panel's adapted
   * model), or with the served ones again when given none; the next reading uses them.
   */
  useLineModel(model: ModelArtifacts | undefined): void {
    this.#lineWeights = model;
    void this.#worker?.then((reader) => reader?.useLineWeights(model));
  }

  /** Reads the pad's strokes and shows the reading. */
  async read(): Promise<void> {
    const host = this.#host;
    const { pad } = host;
    const { strokes, ids } = pad.ink;
    const constraints = host.constraints();
    const constrained =
      constraints.charset !== 'alnum' || constraints.pattern !== '' || constraints.lexicon.trim();
    const { info, recognizer } = host.model();
    const wanted = host.begin();
    const worker = await this.#reader(info?.browserModel ?? '/model/model.json');
    if (worker && !constrained) {
      try {
        const predictions = await worker.read(strokes);
        if (!wanted()) return;
        host.showView('ink');
        host.view.show(predictions, ids, pad.strokes, pad.unitPixels);
        host.readBy('worker');
      } catch (error) {
        host.view.showError(error instanceof Error ? error.message : String(error));
      }
      return;
    }
    if (!recognizer) return; // the model is still loading; the page reads again once it is ready
    // The glyph reader (no line model) reads strokes of its paper pen best.
    const pen = worker ? RENDER_INK_DEFAULTS.penWidth : PAPER_PEN_WIDTH;
    const { gray, placement } = inkAsLine(strokes, pad.unitPixels, pad.canvas, pen);
    try {
      const top = info?.labelSet.classes.length ?? READ_DEFAULTS.top;
      const result = await recognizer.read(
        { gray, blob: () => grayToPng(gray) },
        { top, ...constraints },
      );
      if (!wanted()) return;
      host.showView('image');
      host.lineResults.show(result, placement);
      host.readBy(recognizer);
    } catch (error) {
      host.lineResults.showError(error instanceof Error ? error.message : String(error));
    }
  }
}
