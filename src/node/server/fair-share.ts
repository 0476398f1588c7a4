// Which waiting job a free worker of the pool takes next (work-pool.ts), so that no client
// address holds more than its share of the workers while others wait, and a heavy job costs its
// own sender (issue 22): clients are served round robin (the one with the fewest jobs running,
// then the one served least recently), a page (`read`) never takes the last free worker from
// another client's work, and a client whose jobs run long is held to all workers but one.

/** What the scheduler needs to know of a job, waiting or running. */
export interface ScheduledJob {
  /** Who asked (the client's address). */
  readonly client: string;
  readonly kind: 'predict' | 'read';
}

/**
 * A client whose recent jobs ran this long on average, in ms, is heavy: it may hold all workers
 * but one, whoever else is waiting. A character takes some 10-50 ms, a line 100-500 ms, a page
 * of bars or a pathological pattern seconds.
 */
export const HEAVY_JOB_MS = 1_000;

/** Clients remembered (their turn and cost); older ones are forgotten when nothing of theirs waits. */
const MAX_CLIENTS = 1_000;

/** Per client: when it was last served (a dispatch count) and its jobs' average run time. */
interface ClientRecord {
  served: number;
  averageMs: number;
}

/**
 * The pool's scheduling policy, apart from its workers (a unit to test on its own).
 *
 * - Among the waiting jobs that may start, the client with the fewest jobs running goes first,
 *   then the one served least recently, then the oldest job: round robin between addresses, so
 *   one that sends many requests delays its own.
 * - `read` jobs (a page can take a worker for its whole time budget) run on at most all workers
 *   but one, so that a character never waits behind pages; except that a client with nothing
 *   running may take the last free worker for its page. One client's pages therefore never shut
 *   out another client's.
 * - A heavy client (its jobs' average run time at least {@link HEAVY_JOB_MS}) runs on at most all
 *   workers but one, so that its next slow job cannot take the worker that others' quick ones
 *   would have had.
 *
 * @example
 * const share = new FairShare(2);
 * const index = share.next(waiting, running); // -1: nothing may start now
 * share.started(waiting[index].client);
 * share.finished(client, 850);
 */
export class FairShare {
  readonly #workers: number;
  readonly #clients = new Map<string, ClientRecord>();
  #dispatched = 0;

  constructor(workers: number) {
    this.#workers = workers;
  }

  /** True when `client`'s recent jobs ran {@link HEAVY_JOB_MS} or longer on average. */
  heavy(client: string): boolean {
    return (this.#clients.get(client)?.averageMs ?? 0) >= HEAVY_JOB_MS;
  }

  /**
   * The index in `waiting` (oldest first) of the job to start on a free worker, or -1 when none
   * may start now. `running` holds the jobs the other workers run.
   */
  next(waiting: readonly ScheduledJob[], running: readonly ScheduledJob[]): number {
    const spare = Math.max(1, this.#workers - 1);
    const reads = running.filter((job) => job.kind === 'read').length;
    const runningFor = (client: string) => running.filter((job) => job.client === client).length;
    let best = -1;
    let bestKey: [number, number] = [Infinity, Infinity];
    for (const [index, job] of waiting.entries()) {
      const mine = runningFor(job.client);
      if (job.kind === 'read' && reads >= spare && mine > 0) continue;
      if (mine >= spare && this.heavy(job.client)) continue;
      const key: [number, number] = [mine, this.#clients.get(job.client)?.served ?? -1];
      if (key[0] < bestKey[0] || (key[0] === bestKey[0] && key[1] < bestKey[1])) {
        best = index;
        bestKey = key;
      }
    }
    return best;
  }

  /** Records that a job of `client` started: its turn is taken. */
  started(client: string, waiting: readonly ScheduledJob[] = []): void {
    const record = this.#clients.get(client) ?? { served: -1, averageMs: 0 };
    record.served = this.#dispatched++;
    this.#clients.set(client, record);
    if (this.#clients.size > MAX_CLIENTS) {
      const active = new Set(waiting.map((job) => job.client));
      active.add(client);
      for (const key of this.#clients.keys()) if (!active.has(key)) this.#clients.delete(key);
    }
  }

  /** Records that a job of `client` ran `ms` milliseconds (an average over its last few jobs). */
  finished(client: string, ms: number): void {
    const record = this.#clients.get(client);
    if (!record) return;
    // Half the weight on the newest job: a client that turns heavy is held back at its next job,
    // and one that turns light again is freed after two or three quick ones.
    record.averageMs = record.averageMs === 0 ? ms : (record.averageMs + ms) / 2;
  }
}
