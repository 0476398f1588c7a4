// The Handwriting Recognition API's interfaces (https://wicg.github.io/handwriting-recognition/)
// over an injected reader: HandwritingStroke, HandwritingDrawing and HandwritingRecognizer with
// the spec's shapes and errors (TypeError for a bad argument, InvalidStateError once a
// recognizer has finished, NotSupportedError for a language it cannot read), and the two entry
// points navigator gets. Reading itself happens elsewhere (reader.ts: a Web Worker).

import { checkInk, INK_LIMITS, type InkLimits } from '../../core/ink/limits.js';
import type { InkStroke } from '../../core/ink/types.js';
import type { InkReadHints } from './read-ink.js';
import type {
  HandwritingHints,
  HandwritingModelConstraint,
  HandwritingPoint,
  HandwritingPrediction,
  HandwritingRecognizerQueryResult,
} from './types.js';

/** Languages read (BCP 47 primary subtags): the line model reads English. */
export const SUPPORTED_LANGUAGES: readonly string[] = Object.freeze(['en']);
/** Most predictions a drawing gives, whatever `alternatives` asks. */
export const MAX_ALTERNATIVES = 10;

/** What reads drawings for the recognizers: one per recognizer, released by `finish()`. */
export interface InkReader {
  read(strokes: InkStroke[], hints: InkReadHints): Promise<HandwritingPrediction[]>;
  release(): void;
}

/** Opens a reader (starting its models); rejects with a DOMException when it cannot. */
export type OpenReader = () => Promise<InkReader>;

const points = new WeakMap<HandwritingStroke, HandwritingPoint[]>();

/**
 * `HandwritingStroke`: the points of one pen-down movement.
 *
 * @example
 * const stroke = new HandwritingStroke();
 * stroke.addPoint({ x: 1, y: 2, t: 0 });
 */
export class HandwritingStroke {
  constructor() {
    points.set(this, []);
  }

  /** Adds a copy of `point`; a TypeError when x or y is missing or not a finite number. */
  addPoint(point: HandwritingPoint): void {
    if (point === null || typeof point !== 'object') {
      throw new TypeError("Failed to execute 'addPoint' on 'HandwritingStroke': expected a point");
    }
    const { x, y, t } = point;
    for (const [name, value] of [
      ['x', x],
      ['y', y],
    ] as const) {
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        throw new TypeError(
          `Failed to execute 'addPoint' on 'HandwritingStroke': expected ${name} to be a finite number, got ${String(value)}`,
        );
      }
    }
    if (t !== undefined && (typeof t !== 'number' || !Number.isFinite(t))) {
      throw new TypeError(
        `Failed to execute 'addPoint' on 'HandwritingStroke': expected t to be a finite number, got ${String(t)}`,
      );
    }
    points.get(this)!.push(t === undefined ? { x, y } : { x, y, t });
  }

  /** Copies of the points; changing them does not change the stroke. */
  getPoints(): HandwritingPoint[] {
    return points.get(this)!.map((p) => ({ ...p }));
  }

  /** Removes every point. */
  clear(): void {
    points.get(this)!.length = 0;
  }
}

const CONSTRUCTING = Symbol('constructing');

interface RecognizerState {
  active: boolean;
  readonly reader: InkReader;
  readonly limits: InkLimits;
}

const drawingState = new WeakMap<
  HandwritingDrawing,
  {
    strokes: HandwritingStroke[];
    readonly recognizer: RecognizerState;
    readonly hints: InkReadHints;
  }
>();

function checkStroke(stroke: unknown, method: string): asserts stroke is HandwritingStroke {
  if (!(stroke instanceof HandwritingStroke)) {
    throw new TypeError(
      `Failed to execute '${method}' on 'HandwritingDrawing': parameter 1 is not of type 'HandwritingStroke'`,
    );
  }
}

/** `HandwritingDrawing`: the strokes of one drawing, and its predictions. */
export class HandwritingDrawing {
  /** @internal made by HandwritingRecognizer.startDrawing only */
  constructor(token: symbol, recognizer: RecognizerState, hints: InkReadHints) {
    if (token !== CONSTRUCTING) throw new TypeError('Illegal constructor');
    drawingState.set(this, { strokes: [], recognizer, hints });
  }

  addStroke(stroke: HandwritingStroke): void {
    checkStroke(stroke, 'addStroke');
    drawingState.get(this)!.strokes.push(stroke);
  }

  removeStroke(stroke: HandwritingStroke): void {
    checkStroke(stroke, 'removeStroke');
    const state = drawingState.get(this)!;
    state.strokes = state.strokes.filter((s) => s !== stroke);
  }

  clear(): void {
    drawingState.get(this)!.strokes = [];
  }

  /** The strokes (the objects themselves, so a page can keep adding points). */
  getStrokes(): HandwritingStroke[] {
    return [...drawingState.get(this)!.strokes];
  }

  /**
   * The predictions of the drawing's strokes as they are now, best first: none without ink;
   * InvalidStateError once the recognizer has finished; QuotaExceededError past the ink budgets
   * (strokes, points).
   */
  async getPrediction(): Promise<HandwritingPrediction[]> {
    const { strokes, recognizer, hints } = drawingState.get(this)!;
    if (!recognizer.active) {
      throw new DOMException('The recognizer has been finished.', 'InvalidStateError');
    }
    if (strokes.length === 0) return [];
    const lists = strokes.map((s) => points.get(s)!);
    const total = lists.reduce((n, list) => n + list.length, 0);
    if (strokes.length > recognizer.limits.maxStrokes || total > recognizer.limits.maxPoints) {
      throw new DOMException(
        `The drawing is over the recognizer's budget: expected at most ${recognizer.limits.maxStrokes} strokes and ${recognizer.limits.maxPoints} points, got ${strokes.length} and ${total}.`,
        'QuotaExceededError',
      );
    }
    const ink = lists.map((list) => list.map((p) => ({ ...p })));
    try {
      checkInk(ink, recognizer.limits, 'drawing');
    } catch (error) {
      throw new DOMException((error as Error).message, 'QuotaExceededError');
    }
    if (total === 0) return [];
    return recognizer.reader.read(ink, hints);
  }
}

const recognizerState = new WeakMap<HandwritingRecognizer, RecognizerState>();

/** Reads the hints the spec's way: unknown values are ignored, not errors. */
function resolveHints(hints: HandwritingHints | undefined): InkReadHints {
  const h = hints ?? {};
  const alternatives = Number(h.alternatives ?? 3);
  return {
    recognitionType: h.recognitionType === 'per-character' ? 'per-character' : 'text',
    textContext: typeof h.textContext === 'string' ? h.textContext : '',
    alternatives: Number.isFinite(alternatives)
      ? Math.min(MAX_ALTERNATIVES, Math.max(1, Math.floor(alternatives)))
      : 3,
  };
}

/** `HandwritingRecognizer`: made by createHandwritingRecognizer, until `finish()`. */
export class HandwritingRecognizer {
  /** @internal made by createHandwritingRecognizer only */
  constructor(token: symbol, reader: InkReader, limits: InkLimits) {
    if (token !== CONSTRUCTING) throw new TypeError('Illegal constructor');
    recognizerState.set(this, { active: true, reader, limits });
  }

  /** A new drawing; InvalidStateError once finished. */
  startDrawing(hints: HandwritingHints = {}): HandwritingDrawing {
    const state = recognizerState.get(this)!;
    if (!state.active) {
      throw new DOMException('The recognizer has been finished.', 'InvalidStateError');
    }
    return new HandwritingDrawing(CONSTRUCTING, state, resolveHints(hints));
  }

  /** Frees the recognizer; its drawings' getPrediction() rejects from now on. */
  finish(): void {
    const state = recognizerState.get(this)!;
    if (!state.active) return;
    state.active = false;
    state.reader.release();
  }
}

function languagesOf(constraint: HandwritingModelConstraint | undefined, method: string): string[] {
  const languages = (constraint as { languages?: unknown } | undefined)?.languages;
  if (
    constraint === null ||
    typeof constraint !== 'object' ||
    languages === undefined ||
    typeof languages === 'string' ||
    !(Symbol.iterator in Object(languages))
  ) {
    throw new TypeError(
      `Failed to execute '${method}' on 'Navigator': required member languages is undefined or not a sequence`,
    );
  }
  return [...(languages as Iterable<unknown>)].map(String);
}

/** True when every tag is a language read (its primary subtag, in any case: en, en-US, EN-gb). */
export function supportsLanguages(languages: readonly string[]): boolean {
  return (
    languages.length > 0 &&
    languages.every((tag) => SUPPORTED_LANGUAGES.includes(tag.split('-')[0]!.toLowerCase()))
  );
}

/** The entry points of the API, reading with `open`. */
export interface HandwritingApi {
  queryHandwritingRecognizer(
    constraint: HandwritingModelConstraint,
  ): Promise<HandwritingRecognizerQueryResult | null>;
  createHandwritingRecognizer(
    constraint: HandwritingModelConstraint,
  ): Promise<HandwritingRecognizer>;
}

/**
 * The API's entry points over a reader.
 *
 * @param limits - the ink budgets of a drawing. Default: core's INK_LIMITS.
 * @example
 * const api = handwritingApi(openWorkerReader(urls));
 * const recognizer = await api.createHandwritingRecognizer({ languages: ['en'] });
 */
export function handwritingApi(open: OpenReader, limits: InkLimits = INK_LIMITS): HandwritingApi {
  return {
    async queryHandwritingRecognizer(constraint) {
      const languages = languagesOf(constraint, 'queryHandwritingRecognizer');
      if (!supportsLanguages(languages)) return null;
      return {
        textAlternatives: true,
        textSegmentation: true,
        hints: {
          recognitionType: ['text', 'per-character'],
          inputType: ['mouse', 'stylus', 'touch'],
          textContext: true,
          alternatives: true,
        },
      };
    },
    async createHandwritingRecognizer(constraint) {
      const languages = languagesOf(constraint, 'createHandwritingRecognizer');
      if (!supportsLanguages(languages)) {
        throw new DOMException(
          `Unsupported languages: expected ${SUPPORTED_LANGUAGES.join(', ')}, got ${languages.join(', ') || 'none'}.`,
          'NotSupportedError',
        );
      }
      return new HandwritingRecognizer(CONSTRUCTING, await open(), limits);
    },
  };
}
