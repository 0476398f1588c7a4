// The polyfill's reader on the page's side: one Web Worker (worker.ts) shared by every open
// recognizer of a polyfill, started by the first and ended when the last one finishes, so the
// models load once and nothing runs on the page's thread.

import type { InkReader, OpenReader } from './api.js';
import type { FromReader, ModelUrls, ToReader } from './protocol.js';
import type { HandwritingPrediction } from './types.js';

interface Running {
  readonly worker: Worker;
  readonly ready: Promise<void>;
  readonly pending: Map<
    number,
    { resolve: (p: HandwritingPrediction[]) => void; reject: (e: unknown) => void }
  >;
  users: number;
}

/**
 * Opens readers backed by one worker reading with the models at `urls`.
 *
 * @param startWorker - makes the worker (tests may pass their own). Default: the bundled worker.
 * @example
 * const open = workerReader({ lineModel, glyphModel, languageModel });
 * const reader = await open();
 */
export function workerReader(
  urls: ModelUrls,
  startWorker: () => Worker = () =>
    new Worker(new URL('./worker.ts', import.meta.url), {
      type: 'module',
      name: 'hcr-handwriting',
    }),
): OpenReader {
  let running: Running | undefined;
  let nextId = 1;

  const start = (): Running => {
    const worker = startWorker();
    const pending: Running['pending'] = new Map();
    let settle: { resolve: () => void; reject: (e: unknown) => void } | undefined;
    const ready = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
    const fail = (message: string): void => {
      const error = new DOMException(
        `The handwriting reader could not start: ${message}`,
        'OperationError',
      );
      settle?.reject(error);
      for (const p of pending.values()) p.reject(error);
      pending.clear();
    };
    worker.onmessage = (event: MessageEvent<FromReader>) => {
      const m = event.data;
      if (m.type === 'ready') settle?.resolve();
      else if (m.type === 'failed') fail(m.message);
      else {
        const p = pending.get(m.id);
        pending.delete(m.id);
        if (m.type === 'result') p?.resolve(m.predictions);
        else p?.reject(new DOMException(m.message, m.name));
      }
    };
    worker.onerror = (event) => fail(event.message || 'the worker failed');
    worker.postMessage({ type: 'init', urls } satisfies ToReader);
    return { worker, ready, pending, users: 0 };
  };

  return async () => {
    running ??= start();
    const current = running;
    current.users++;
    try {
      await current.ready;
    } catch (error) {
      current.worker.terminate();
      if (running === current) running = undefined;
      throw error;
    }
    let released = false;
    const reader: InkReader = {
      read: (strokes, hints) =>
        new Promise((resolve, reject) => {
          const id = nextId++;
          current.pending.set(id, { resolve, reject });
          current.worker.postMessage({ type: 'read', id, strokes, hints } satisfies ToReader);
        }),
      release: () => {
        if (released) return;
        released = true;
        if (--current.users > 0) return;
        current.worker.terminate();
        for (const p of current.pending.values()) {
          p.reject(new DOMException('The recognizer has been finished.', 'InvalidStateError'));
        }
        if (running === current) running = undefined;
      },
    };
    return reader;
  };
}
