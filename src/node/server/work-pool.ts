// The server's bounded pool of worker threads (docs/DESIGN.md §9): decoding, normalization,
// segmentation and the model run here, never on the event loop, so `/healthz` and every other
// request stay fast whatever one upload costs. A job waits in a bounded queue for a free worker
// (full: 503 BUSY), has a time budget (past it the worker is terminated and replaced: 422
// OVER_BUDGET), and is cancelled the same way when its client leaves.

import type { Worker } from 'node:worker_threads';
import type { BackendName } from '../engine/backend.js';
import { startWorker } from '../engine/worker-bootstrap.js';
import { HcrError, type ErrorCode } from '../errors.js';
import type { LoadedModel } from '../model/artifact.js';
import { API_ERROR_STATUS, ApiError, type ApiErrorCode } from './errors.js';
import { FairShare, type ScheduledJob } from './fair-share.js';
import type { WorkJob, WorkResult } from './work.js';
import type { WorkReply, WorkRequest, WorkWorkerInit } from './work-worker.js';

/** Options of {@link WorkPool.start}; every field is required (the server resolves them). */
export interface WorkPoolOptions {
  /** Worker threads, each running one job at a time. */
  readonly workers: number;
  /** Jobs that may wait for a worker; one more is refused with BUSY. */
  readonly maxQueue: number;
  /** Time a job may run in a worker, in milliseconds. */
  readonly timeoutMs: number;
  /** Time a job may wait for a free worker, in milliseconds. */
  readonly queueTimeoutMs: number;
  /** Jobs one client may have waiting or running at once; one more is refused with BUSY. */
  readonly maxJobsPerClient: number;
  /** The tfjs backend the workers start. */
  readonly backend: BackendName;
  /** Heap limit of each worker's JavaScript, in MiB (its crash is then a 422, not the server's). */
  readonly maxHeapMiB?: number;
  /** Receives failures of the pool itself (a worker that cannot start). Default: none. */
  readonly onError?: (error: Error) => void;
}

/** What {@link WorkPool.stats} reports. */
export interface WorkPoolStats {
  readonly workers: number;
  readonly busy: number;
  /** Workers starting (after a replacement), not yet taking jobs. */
  readonly starting: number;
  readonly queued: number;
  /**
   * Workers terminated and replaced so far: work over its time budget, a client gone, a crash,
   * or a job that left the worker holding much memory.
   */
  readonly restarts: number;
  /** Tensors alive in the workers beyond their models' weights, as each last reported. */
  readonly tensors: number;
}

interface Pending {
  readonly id: number;
  readonly job: WorkJob;
  readonly resolve: (value: WorkResult) => void;
  readonly reject: (error: Error) => void;
  readonly signal: AbortSignal | undefined;
  /** Who asked (the client's address): jobs are shared fairly between clients. */
  readonly client: string;
  readonly onAbort: () => void;
  timer: NodeJS.Timeout | undefined;
  /** When a worker took it (performance.now()), until its cost is recorded. */
  startedAt?: number;
}

interface Slot {
  worker: Worker;
  state: 'starting' | 'idle' | 'busy' | 'closed';
  running: Pending | undefined;
  tensors: number;
  /**
   * While the slot's worker starts again: the job whose end replaced it. Its client is charged
   * the restart as if the job still ran (a heavy job costs its own sender, see FairShare).
   */
  replacedFor: ScheduledJob | undefined;
}

/** How long a running job whose client left may go on before its worker is terminated, in ms. */
export const CANCEL_GRACE_MS = 1_000;

/** The error a job gets when its client left: nobody reads it, but the promise must settle. */
export class ClientGoneError extends ApiError {
  constructor() {
    super('BAD_REQUEST', 'request: the client closed the connection; its work was stopped');
    this.name = 'ClientGoneError';
  }
}

/**
 * A bounded pool of worker threads, each with its own copy of the served model. Waiting jobs are
 * shared between clients as {@link FairShare} decides: round robin between addresses, pages
 * never shutting out another client's work, a client whose jobs run long held to all workers
 * but one.
 *
 * @example
 * const pool = await WorkPool.start(loaded, { workers: 2, maxQueue: 16, timeoutMs: 10_000, backend: 'wasm' });
 * const results = await pool.run({ kind: 'predict', images, top: 5, budget }, { signal });
 * await pool.close();
 */
export class WorkPool {
  readonly #init: WorkWorkerInit;
  readonly #options: WorkPoolOptions;
  readonly #slots: Slot[] = [];
  readonly #queue: Pending[] = [];
  #nextId = 0;
  readonly #share: FairShare;
  #restarts = 0;
  #closed = false;

  private constructor(init: WorkWorkerInit, options: WorkPoolOptions) {
    this.#init = init;
    this.#options = options;
    this.#share = new FairShare(options.workers);
  }

  /**
   * Starts `workers` threads and resolves once each has built its model.
   *
   * @throws HcrError ENGINE when a worker cannot start its backend or build the model
   */
  static async start(loaded: LoadedModel, options: WorkPoolOptions): Promise<WorkPool> {
    const weights = loaded.model.weights;
    const shapes = weights.map((w) => w.shape.map((d) => d ?? 1));
    const total = shapes.reduce((sum, s) => sum + s.reduce((a, b) => a * b, 1), 0);
    const shared = new SharedArrayBuffer(total * 4);
    const view = new Float32Array(shared);
    let offset = 0;
    for (const w of weights) {
      const values = w.read().dataSync() as Float32Array;
      view.set(values, offset);
      offset += values.length;
    }
    const pool = new WorkPool(
      {
        backend: options.backend,
        topology: loaded.model.toJSON(null, false) as object,
        weightShapes: shapes,
        weights: shared,
        labelSet: loaded.labelSet,
        metadata: loaded.metadata,
        dir: loaded.dir,
      },
      options,
    );
    const started = Array.from({ length: options.workers }, () => pool.#spawn());
    try {
      await Promise.all(started);
    } catch (error) {
      await pool.close();
      throw error;
    }
    return pool;
  }

  /** Workers, busy workers, waiting jobs, restarts and the workers' tensors. */
  stats(): WorkPoolStats {
    return {
      workers: this.#slots.length,
      busy: this.#slots.filter((s) => s.state === 'busy').length,
      starting: this.#slots.filter((s) => s.state === 'starting').length,
      queued: this.#queue.length,
      restarts: this.#restarts,
      tensors: this.#slots.reduce((sum, s) => sum + s.tensors, 0),
    };
  }

  /**
   * Runs `job` in the next free worker; among waiting jobs, those of the clients with the fewest
   * jobs running go first. Rejects with ApiError BUSY when the queue is full, `client` already
   * has `maxJobsPerClient` jobs waiting or running, or the job waited `queueTimeoutMs`, OVER_BUDGET when it ran `timeoutMs` (the worker is
   * terminated and replaced), {@link ClientGoneError} when `signal` aborts (a running job's worker
   * is replaced if it has not finished {@link CANCEL_GRACE_MS} later), and the job's
   * own HcrError or ApiError.
   */
  run(job: WorkJob, options: { signal?: AbortSignal; client?: string } = {}): Promise<WorkResult> {
    const { signal, client = '' } = options;
    if (this.#closed) {
      return Promise.reject(new ApiError('UNAVAILABLE', 'the server is shutting down'));
    }
    if (signal?.aborted) return Promise.reject(new ClientGoneError());
    const { maxQueue, queueTimeoutMs, workers, maxJobsPerClient } = this.#options;
    const mine = this.#queue.filter((p) => p.client === client).length + this.#runningFor(client);
    if (mine >= maxJobsPerClient) {
      return Promise.reject(
        new ApiError(
          'BUSY',
          `server busy: this client already has ${mine} request(s) waiting or running (at most ${maxJobsPerClient}); send the next when one is answered`,
        ),
      );
    }
    if (this.#queue.length >= maxQueue) {
      return Promise.reject(
        new ApiError(
          'BUSY',
          `server busy: ${this.#queue.length} requests already wait for ${workers} worker(s) (at most ${maxQueue} may wait); try again in a few seconds`,
        ),
      );
    }
    return new Promise<WorkResult>((resolve, reject) => {
      const pending: Pending = {
        id: this.#nextId++,
        job,
        resolve,
        reject,
        signal,
        client,
        onAbort: () => this.#abandon(pending),
        timer: setTimeout(() => {
          pending.timer = undefined;
          this.#cancel(
            pending,
            new ApiError(
              'BUSY',
              `server busy: the request waited ${queueTimeoutMs / 1000} s for a free worker; try again in a few seconds`,
            ),
          );
        }, queueTimeoutMs),
      };
      signal?.addEventListener('abort', pending.onAbort, { once: true });
      this.#queue.push(pending);
      this.#dispatch();
    });
  }

  /** Terminates every worker; waiting and running jobs get UNAVAILABLE. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const pending of this.#queue.splice(0)) {
      this.#settle(pending, new ApiError('UNAVAILABLE', 'the server is shutting down'));
    }
    await Promise.all(
      this.#slots.map(async (slot) => {
        slot.state = 'closed';
        if (slot.running) {
          this.#settle(slot.running, new ApiError('UNAVAILABLE', 'the server is shutting down'));
        }
        slot.running = undefined;
        await slot.worker.terminate();
      }),
    );
  }

  #settle(pending: Pending, outcome: Error | { value: WorkResult }): void {
    if (pending.startedAt !== undefined) {
      this.#share.finished(pending.client, performance.now() - pending.startedAt);
      pending.startedAt = undefined;
    }
    if (pending.timer) clearTimeout(pending.timer);
    pending.timer = undefined;
    pending.signal?.removeEventListener('abort', pending.onAbort);
    if (outcome instanceof Error) pending.reject(outcome);
    else pending.resolve(outcome.value);
  }

  /** Ends a job that waits (dropped from the queue) or runs (its worker is replaced). */
  /**
   * The client of `pending` left. A waiting job leaves the queue; a running one may finish
   * within {@link CANCEL_GRACE_MS} (starting a worker again costs more than a short job), after
   * which its worker is terminated and replaced.
   */
  #abandon(pending: Pending): void {
    const slot = this.#slots.find((s) => s.running === pending);
    if (!slot) {
      this.#cancel(pending, new ClientGoneError());
      return;
    }
    this.#settle(pending, new ClientGoneError());
    pending.timer = setTimeout(() => {
      pending.timer = undefined;
      if (slot.running !== pending) return;
      slot.running = undefined;
      this.#replace(slot, pending);
    }, CANCEL_GRACE_MS);
  }

  #cancel(pending: Pending, error: Error): void {
    const index = this.#queue.indexOf(pending);
    if (index >= 0) {
      this.#queue.splice(index, 1);
      this.#settle(pending, error);
      return;
    }
    const slot = this.#slots.find((s) => s.running === pending);
    if (!slot) return;
    slot.running = undefined;
    this.#settle(pending, error);
    this.#replace(slot, pending);
  }

  #runningFor(client: string): number {
    return this.#slots.filter((s) => s.running?.client === client).length;
  }

  #dispatch(): void {
    for (const slot of this.#slots) {
      if (slot.state !== 'idle') continue;
      const index = this.#share.next(
        this.#queue.map(scheduled),
        this.#slots.flatMap((s) => {
          if (s.running) return [scheduled(s.running)];
          return s.state === 'starting' && s.replacedFor ? [s.replacedFor] : [];
        }),
      );
      if (index < 0) return;
      const [pending] = this.#queue.splice(index, 1);
      if (!pending) return;
      this.#share.started(pending.client, this.#queue.map(scheduled));
      slot.state = 'busy';
      slot.running = pending;
      pending.startedAt = performance.now();
      if (pending.timer) clearTimeout(pending.timer);
      const { timeoutMs } = this.#options;
      pending.timer = setTimeout(() => {
        pending.timer = undefined;
        this.#cancel(
          pending,
          new ApiError(
            'OVER_BUDGET',
            `request: the work took longer than the budget of ${timeoutMs / 1000} s per request and was stopped; send a smaller image, or fewer images or characters`,
          ),
        );
      }, timeoutMs);
      const request: WorkRequest = { id: pending.id, job: pending.job };
      slot.worker.postMessage(request);
    }
  }

  /** Starts a worker in a new slot, or in `slot` in place of its old one. */
  #spawn(slot?: Slot): Promise<void> {
    const worker = startWorker(import.meta.url, './work-worker', {
      workerData: this.#init,
      // A small young generation: a worker's baseline memory counts twice on a 2-core server.
      resourceLimits: {
        maxOldGenerationSizeMb: this.#options.maxHeapMiB ?? 512,
        maxYoungGenerationSizeMb: 8,
      },
    });
    const target: Slot = slot ?? {
      worker,
      state: 'starting',
      running: undefined,
      tensors: 0,
      replacedFor: undefined,
    };
    target.worker = worker;
    target.state = 'starting';
    target.running = undefined;
    if (!slot) this.#slots.push(target);
    return new Promise<void>((resolve, reject) => {
      const startFailed = (message: string) => {
        const error = new HcrError('ENGINE', `server worker could not start: ${message}`);
        reject(error);
        if (slot) this.#options.onError?.(error);
      };
      worker.on('message', (reply: WorkReply) => {
        if (target.worker !== worker) return;
        if (reply.type === 'ready') {
          target.state = this.#closed ? 'closed' : 'idle';
          target.replacedFor = undefined;
          target.tensors = reply.tensors;
          resolve();
          this.#dispatch();
        } else if (reply.type === 'failed') {
          startFailed(reply.message);
        } else {
          const pending = target.running;
          if (!pending || pending.id !== reply.id) return;
          target.running = undefined;
          target.state = 'idle';
          target.tensors = reply.tensors;
          if (reply.ok) this.#settle(pending, { value: reply.value });
          else this.#settle(pending, workError(reply.code, reply.message));
          if (reply.recycle) this.#replace(target, pending);
          else this.#dispatch();
        }
      });
      worker.on('error', (error: Error & { code?: string }) => {
        if (target.worker !== worker) return;
        if (target.state === 'starting') {
          startFailed(error.message);
          return;
        }
        const pending = target.running;
        target.running = undefined;
        if (pending) {
          this.#settle(
            pending,
            error.code === 'ERR_WORKER_OUT_OF_MEMORY'
              ? new ApiError(
                  'OVER_BUDGET',
                  'request: the work ran out of the memory a request may take and was stopped; send a smaller image',
                )
              : error,
          );
        }
        this.#replace(target, pending);
      });
      worker.on('exit', () => {
        if (target.worker !== worker || this.#closed) return;
        // A worker that exits on its own (not replaced, not closed) is replaced too.
        const pending = target.running;
        target.running = undefined;
        if (pending) this.#settle(pending, new Error('server worker exited during a job'));
        if (target.state !== 'starting') this.#replace(target, pending);
      });
    });
  }

  /**
   * Terminates the slot's worker (its job, if any, is already settled) and starts another;
   * `cause` is the job that ended it, whose client the restart is charged to.
   */
  #replace(slot: Slot, cause?: Pending): void {
    const old = slot.worker;
    void old.terminate();
    if (this.#closed) {
      slot.state = 'closed';
      return;
    }
    this.#restarts++;
    slot.replacedFor = cause && scheduled(cause);
    this.#spawn(slot).catch(() => {
      // Reported through onError; try again a little later rather than lose the slot.
      const failed = slot.worker;
      const retry = setTimeout(() => {
        if (!this.#closed && slot.worker === failed) this.#replace(slot);
      }, 1_000);
      retry.unref();
    });
  }
}

/** A job as {@link FairShare} sees it: its client, and whether it is a page (`read`, `ink`). */
function scheduled(pending: Pending): ScheduledJob {
  return { client: pending.client, kind: pending.job.kind === 'predict' ? 'predict' : 'read' };
}

/** A job's failure as the worker reported it: its coded error, or an unexpected one. */
function workError(code: string | undefined, message: string): Error {
  if (code !== undefined && code in API_ERROR_STATUS) {
    return new ApiError(code as ApiErrorCode, message);
  }
  if (code !== undefined) return new HcrError(code as ErrorCode, message);
  return new Error(`server worker: ${message}`);
}
