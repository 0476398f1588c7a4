// The polyfill's API in Node, over a fake reader: the spec's shapes (strokes copy their points,
// drawings hold strokes by reference) and errors (TypeError, NotSupportedError,
// InvalidStateError, QuotaExceededError), the query's answer, hints resolved the spec's way,
// and install() leaving a native API alone.

import { describe, expect, it } from 'vitest';
import { resolveInkLimits } from '../../src/core/ink/limits.js';
import type { InkStroke } from '../../src/core/ink/types.js';
import {
  HandwritingDrawing,
  HandwritingRecognizer,
  HandwritingStroke,
  handwritingApi,
  supportsLanguages,
  type InkReader,
} from '../../src/web/handwriting/api.js';
import type { InkReadHints } from '../../src/web/handwriting/read-ink.js';

function fakeReader() {
  const calls: { strokes: InkStroke[]; hints: InkReadHints }[] = [];
  let released = 0;
  let opened = 0;
  const open = async (): Promise<InkReader> => {
    opened++;
    return {
      read: async (strokes, hints) => {
        calls.push({ strokes, hints });
        return [{ text: 'hi', segmentationResult: [] }];
      },
      release: () => void released++,
    };
  };
  return { open, calls, released: () => released, opened: () => opened };
}

const stroke = (...points: [number, number][]): HandwritingStroke => {
  const s = new HandwritingStroke();
  for (const [x, y] of points) s.addPoint({ x, y });
  return s;
};

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

describe('HandwritingStroke', () => {
  it('copies points in and out, keeps t only when given, and clears', () => {
    const s = new HandwritingStroke();
    const point = { x: 1, y: 2, t: 0 };
    s.addPoint(point);
    s.addPoint({ x: 3, y: 4 });
    point.x = 99;
    const out = s.getPoints();
    expect(out).toEqual([
      { x: 1, y: 2, t: 0 },
      { x: 3, y: 4 },
    ]);
    expect('t' in out[1]!).toBe(false);
    out[0]!.x = 42;
    expect(s.getPoints()[0]!.x).toBe(1);
    s.clear();
    expect(s.getPoints()).toEqual([]);
  });

  it('throws TypeError for a point without finite x and y, or with a bad t', () => {
    const s = new HandwritingStroke();
    expect(() => s.addPoint({ y: 1 } as never)).toThrow(TypeError);
    expect(() => s.addPoint({ x: Number.NaN, y: 1 })).toThrow(
      /expected x to be a finite number, got NaN/,
    );
    expect(() => s.addPoint({ x: 1, y: '2' } as never)).toThrow(TypeError);
    expect(() => s.addPoint({ x: 1, y: 2, t: Infinity })).toThrow(/expected t/);
    expect(() => s.addPoint(null as never)).toThrow(TypeError);
    expect(s.getPoints()).toEqual([]);
  });
});

describe('the recognizer and its drawings', () => {
  it('answers the query for English only, with the features it has', async () => {
    const api = handwritingApi(fakeReader().open);
    expect(await api.queryHandwritingRecognizer({ languages: ['en'] })).toEqual({
      textAlternatives: true,
      textSegmentation: true,
      hints: {
        recognitionType: ['text', 'per-character'],
        inputType: ['mouse', 'stylus', 'touch'],
        textContext: true,
        alternatives: true,
      },
    });
    expect(await api.queryHandwritingRecognizer({ languages: ['en-GB', 'EN-us'] })).not.toBeNull();
    expect(await api.queryHandwritingRecognizer({ languages: ['zh-CN'] })).toBeNull();
    expect(await api.queryHandwritingRecognizer({ languages: [] })).toBeNull();
    expect(await rejection(api.queryHandwritingRecognizer({} as never))).toBeInstanceOf(TypeError);
    expect(supportsLanguages(['en', 'fr'])).toBe(false);
  });

  it('rejects what it cannot create: NotSupportedError, TypeError', async () => {
    const reader = fakeReader();
    const api = handwritingApi(reader.open);
    const fr = await rejection(api.createHandwritingRecognizer({ languages: ['fr'] }));
    expect(fr).toBeInstanceOf(DOMException);
    expect(fr.name).toBe('NotSupportedError');
    expect(fr.message).toMatch(/expected en, got fr/);
    expect((await rejection(api.createHandwritingRecognizer({ languages: [] }))).name).toBe(
      'NotSupportedError',
    );
    expect(await rejection(api.createHandwritingRecognizer(undefined as never))).toBeInstanceOf(
      TypeError,
    );
    expect(reader.opened()).toBe(0);
  });

  it('keeps strokes by reference, reads a snapshot, and passes the hints resolved', async () => {
    const reader = fakeReader();
    const recognizer = await handwritingApi(reader.open).createHandwritingRecognizer({
      languages: ['en'],
    });
    expect(recognizer).toBeInstanceOf(HandwritingRecognizer);
    const drawing = recognizer.startDrawing({ textContext: 'hel', alternatives: 5 });
    expect(drawing).toBeInstanceOf(HandwritingDrawing);
    expect(await drawing.getPrediction()).toEqual([]);
    const a = stroke([0, 0], [1, 1]);
    const b = stroke([5, 0]);
    drawing.addStroke(a);
    drawing.addStroke(b);
    a.addPoint({ x: 2, y: 2 });
    expect(drawing.getStrokes()).toEqual([a, b]);
    expect(drawing.getStrokes()[0]).toBe(a);
    expect(await drawing.getPrediction()).toEqual([{ text: 'hi', segmentationResult: [] }]);
    expect(reader.calls[0]!.strokes[0]).toHaveLength(3);
    expect(reader.calls[0]!.hints).toEqual({
      recognitionType: 'text',
      textContext: 'hel',
      alternatives: 5,
    });
    drawing.removeStroke(a);
    expect(drawing.getStrokes()).toEqual([b]);
    drawing.clear();
    expect(drawing.getStrokes()).toEqual([]);
    expect(() => drawing.addStroke({} as never)).toThrow(TypeError);
    expect(() => drawing.removeStroke([] as never)).toThrow(TypeError);

    const defaults = recognizer.startDrawing();
    defaults.addStroke(stroke([0, 0]));
    await defaults.getPrediction();
    expect(reader.calls[1]!.hints).toEqual({
      recognitionType: 'text',
      textContext: '',
      alternatives: 3,
    });
    const odd = recognizer.startDrawing({
      recognitionType: 'per-character',
      alternatives: 1000,
      inputType: 'pen',
    });
    odd.addStroke(stroke([0, 0]));
    await odd.getPrediction();
    expect(reader.calls[2]!.hints).toEqual({
      recognitionType: 'per-character',
      textContext: '',
      alternatives: 10,
    });
  });

  it('throws InvalidStateError after finish(), and releases the reader once', async () => {
    const reader = fakeReader();
    const recognizer = await handwritingApi(reader.open).createHandwritingRecognizer({
      languages: ['en'],
    });
    const drawing = recognizer.startDrawing();
    drawing.addStroke(stroke([0, 0]));
    recognizer.finish();
    recognizer.finish();
    expect(reader.released()).toBe(1);
    let thrown: unknown;
    try {
      recognizer.startDrawing();
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(DOMException);
    expect((thrown as DOMException).name).toBe('InvalidStateError');
    expect((await rejection(drawing.getPrediction())).name).toBe('InvalidStateError');
    expect(() => new (HandwritingDrawing as unknown as new () => unknown)()).toThrow(
      /Illegal constructor/,
    );
  });

  it('refuses a drawing over the ink budgets with QuotaExceededError', async () => {
    const reader = fakeReader();
    const api = handwritingApi(reader.open, resolveInkLimits({ maxStrokes: 3, maxPoints: 10 }));
    const recognizer = await api.createHandwritingRecognizer({ languages: ['en'] });
    const many = recognizer.startDrawing();
    for (let i = 0; i < 4; i++) many.addStroke(stroke([i, 0]));
    const error = await rejection(many.getPrediction());
    expect(error.name).toBe('QuotaExceededError');
    expect(error.message).toMatch(/expected at most 3 strokes and 10 points, got 4 and 4/);
    const long = recognizer.startDrawing();
    long.addStroke(stroke(...Array.from({ length: 11 }, (_, i): [number, number] => [i, i])));
    expect((await rejection(long.getPrediction())).name).toBe('QuotaExceededError');
    const far = recognizer.startDrawing();
    far.addStroke(stroke([1e300, 0]));
    expect((await rejection(far.getPrediction())).message).toMatch(/expected coordinates within/);
    expect(reader.calls).toHaveLength(0);
  });
});
