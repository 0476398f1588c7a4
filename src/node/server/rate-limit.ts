// Rate limiting by client address across every API route together, weighted by work: each
// client has a budget of units per minute, a request costs one unit per image it carries (at
// least one), so a batch of 64 images costs 64 single uploads, and a client gets the same budget
// whether it spreads its requests over /api/predict, /api/read and /api/model or not. Also what
// a request is charged with: the rate headers of its answer and the 429 once the budget is spent.

import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from './errors.js';

/** What {@link WorkRateLimiter.take} answers. */
export type RateDecision =
  | { readonly ok: true; readonly remaining: number }
  | { readonly ok: false; readonly remaining: number; readonly retryAfterSeconds: number };

/**
 * A fixed one-minute window of work units per client key (its address). Windows of clients that
 * went quiet are dropped as new ones arrive, so the table stays small.
 *
 * @example
 * const limiter = new WorkRateLimiter(600);
 * limiter.take('10.0.0.1', 64).ok; // true: 536 units left this minute
 */
export class WorkRateLimiter {
  readonly #perMinute: number;
  readonly #now: () => number;
  readonly #windows = new Map<string, { start: number; used: number }>();
  #lastSweep = 0;

  /**
   * @param perMinute - units a client may spend per minute (> 0)
   * @param now - the clock, in milliseconds. Default: `Date.now`
   */
  constructor(perMinute: number, now: () => number = Date.now) {
    this.#perMinute = perMinute;
    this.#now = now;
  }

  /** Units a client may spend per minute. */
  get perMinute(): number {
    return this.#perMinute;
  }

  /**
   * Spends `cost` units of `key`'s budget if they are left this minute; otherwise spends
   * nothing and says when the window ends.
   */
  take(key: string, cost: number): RateDecision {
    const now = this.#now();
    if (now - this.#lastSweep >= 60_000) {
      for (const [k, w] of this.#windows) if (now - w.start >= 60_000) this.#windows.delete(k);
      this.#lastSweep = now;
    }
    let window = this.#windows.get(key);
    if (!window || now - window.start >= 60_000) {
      window = { start: now, used: 0 };
      this.#windows.set(key, window);
    }
    if (window.used + cost > this.#perMinute) {
      return {
        ok: false,
        remaining: this.#perMinute - window.used,
        retryAfterSeconds: Math.max(1, Math.ceil((window.start + 60_000 - now) / 1000)),
      };
    }
    window.used += cost;
    return { ok: true, remaining: this.#perMinute - window.used };
  }
}

/**
 * Spends `cost` units of the budget of a request's client (its address), sets the answer's
 * `x-ratelimit-*` headers, and throws when the budget is spent.
 *
 * @throws ApiError RATE_LIMITED, with `retry-after` set on the reply
 */
export type RateCharge = (request: FastifyRequest, reply: FastifyReply, cost: number) => void;

/**
 * The server's {@link RateCharge} at `perMinute` units per client; one that charges nothing
 * when `perMinute` is 0 (no rate limit).
 *
 * @example
 * const charge = rateCharge(limits.rateLimitPerMinute);
 * charge(request, reply, images.length - 1);
 */
export function rateCharge(perMinute: number): RateCharge {
  if (perMinute <= 0) return () => undefined;
  const rates = new WorkRateLimiter(perMinute);
  return (request, reply, cost) => {
    const decision = rates.take(request.ip, cost);
    reply.header('x-ratelimit-limit', rates.perMinute);
    reply.header('x-ratelimit-remaining', Math.max(0, decision.remaining));
    if (!decision.ok) {
      reply.header('retry-after', decision.retryAfterSeconds);
      throw new ApiError(
        'RATE_LIMITED',
        `too many requests: at most ${rates.perMinute} work units per minute per client, all API routes together (a request costs 1 per image, this one ${cost}, ${Math.max(0, decision.remaining)} left); retry in ${decision.retryAfterSeconds} s`,
      );
    }
  };
}
