// When the page reads: a change of the pad asks for a reading after a delay (throttled while a
// stroke is being drawn, at once when it ends, after a short pause for ink), one reading runs at
// a time, and a change during a reading reads once more after it. The page is marked busy from
// the change until the last reading is done.

import type { Mode } from './page-state.js';

/** Delay between readings while a stroke is being drawn, in milliseconds, per mode. */
export const LIVE_DELAY_MS: Readonly<Record<Mode, number>> = Object.freeze({
  char: 120,
  line: 250,
});
/** Pause after a pen-up before the ink is read, in milliseconds (a quick next stroke waits). */
export const INK_DELAY_MS = 60;

/** What the loop needs of the page. */
export interface ReadLoopHost {
  /** Reads what the pad shows, once, and shows it. */
  readOnce(): Promise<void>;
  /** Whether a model reads (the page stays busy while it loads: it reads once it is ready). */
  canRead(): boolean;
  /** Marks the page busy (a reading pending or running) or not. */
  setBusy(busy: boolean): void;
}

/**
 * Schedules the page's readings, one at a time.
 *
 * @example
 * const loop = new ReadLoop({ readOnce, canRead: () => state.recognizer !== undefined, setBusy });
 * loop.schedule(LIVE_DELAY_MS.char);
 */
export class ReadLoop {
  readonly #host: ReadLoopHost;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #running = false;
  #again = false;

  constructor(host: ReadLoopHost) {
    this.#host = host;
  }

  /** True when no reading is pending or running. */
  get idle(): boolean {
    return this.#timer === undefined && !this.#running;
  }

  /**
   * Reads after `delay` milliseconds; a later call with a delay keeps the earlier one's time (so
   * a stroke is read every `delay` while drawn), one with none reads at once.
   */
  schedule(delay: number): void {
    this.#host.setBusy(true);
    if (delay > 0 && this.#timer !== undefined) return;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.update();
    }, delay);
  }

  /** Reads now, or once more after the reading that runs. */
  async update(): Promise<void> {
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = true;
    try {
      do {
        this.#again = false;
        await this.#host.readOnce();
      } while (this.#again);
    } finally {
      this.#running = false;
      if (this.#timer === undefined && this.#host.canRead()) this.#host.setBusy(false);
    }
  }
}
