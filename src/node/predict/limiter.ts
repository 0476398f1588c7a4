// A bound on how many images are decoded at once: decoding a large photo takes memory, and the
// recognition pipeline (recognize.ts) and the server's reading run their decodes through it.

/**
 * Runs async jobs at most `limit` at a time, in arrival order; the rest wait. Bounds the memory
 * that decoding large images takes when many arrive together.
 *
 * @example
 * const limiter = new Limiter(2);
 * const gray = await limiter.run(() => decodeImage(bytes));
 */
export class Limiter {
  readonly #limit: number;
  #active = 0;
  readonly #waiting: (() => void)[] = [];

  constructor(limit: number) {
    this.#limit = limit;
  }

  /** Runs `job` once a slot is free; resolves or rejects as `job` does. */
  async run<T>(job: () => Promise<T>): Promise<T> {
    if (this.#active >= this.#limit) {
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    }
    this.#active++;
    try {
      return await job();
    } finally {
      this.#active--;
      this.#waiting.shift()?.();
    }
  }
}
