// The options of hcr's HTTP server and their defaults, in one frozen object that `hcr serve
// --help`, the README and the tests all read, and the one function that checks and resolves them.

import { HcrError } from '../errors.js';

/** Options of {@link buildServer}'s limits and answers; every field is optional. */
export interface ServerLimitOptions {
  /** Largest request body (an upload or a whole batch), in bytes. Default: 10 MiB. */
  readonly maxUploadBytes?: number;
  /**
   * Largest image accepted, in pixels (width x height), read from the image's header before it is
   * decoded. Default: 24,000,000 (a 6000x4000 photo).
   */
  readonly maxPixels?: number;
  /** Most images in one batch request. Default: 64. */
  readonly maxBatch?: number;
  /**
   * Time allowed to receive a whole request, in milliseconds (Node's `requestTimeout`, against
   * clients that send slowly). Default: 30,000.
   */
  readonly requestTimeoutMs?: number;
  /** Requests to `/api/*` per client address per minute; 0 turns the limit off. Default: 600. */
  readonly rateLimitPerMinute?: number;
  /** Classes ranked in an answer when the request does not say (`?top=`). Default: 5. */
  readonly top?: number;
  /** Images decoded and normalized at once; more wait their turn (bounds memory). Default: 2. */
  readonly concurrency?: number;
}

/**
 * The defaults of {@link ServerLimitOptions}, plus the address `hcr serve` listens on.
 *
 * @example
 * SERVER_DEFAULTS.port; // 3000
 */
export const SERVER_DEFAULTS = Object.freeze({
  port: 3000,
  host: '127.0.0.1',
  maxUploadBytes: 10 * 1024 * 1024,
  maxPixels: 24_000_000,
  maxBatch: 64,
  requestTimeoutMs: 30_000,
  rateLimitPerMinute: 600,
  top: 5,
  concurrency: 2,
});

/** {@link ServerLimitOptions} with every default filled in. */
export type ResolvedServerLimits = Readonly<Required<ServerLimitOptions>>;

/**
 * Fills in the defaults of {@link ServerLimitOptions} and checks each value.
 *
 * @throws HcrError BAD_OPTION naming the option, what it expects and what it got
 * @example
 * resolveServerLimits({ rateLimitPerMinute: 0 }).maxBatch; // 64
 */
export function resolveServerLimits(options: ServerLimitOptions = {}): ResolvedServerLimits {
  const resolved: Required<ServerLimitOptions> = {
    maxUploadBytes: options.maxUploadBytes ?? SERVER_DEFAULTS.maxUploadBytes,
    maxPixels: options.maxPixels ?? SERVER_DEFAULTS.maxPixels,
    maxBatch: options.maxBatch ?? SERVER_DEFAULTS.maxBatch,
    requestTimeoutMs: options.requestTimeoutMs ?? SERVER_DEFAULTS.requestTimeoutMs,
    rateLimitPerMinute: options.rateLimitPerMinute ?? SERVER_DEFAULTS.rateLimitPerMinute,
    top: options.top ?? SERVER_DEFAULTS.top,
    concurrency: options.concurrency ?? SERVER_DEFAULTS.concurrency,
  };
  const positive: (keyof ServerLimitOptions)[] = [
    'maxUploadBytes',
    'maxPixels',
    'maxBatch',
    'requestTimeoutMs',
    'top',
    'concurrency',
  ];
  for (const name of positive) {
    const value = resolved[name];
    if (!Number.isInteger(value) || value < 1) {
      throw new HcrError('BAD_OPTION', `server ${name}: expected a positive integer, got ${value}`);
    }
  }
  if (!Number.isInteger(resolved.rateLimitPerMinute) || resolved.rateLimitPerMinute < 0) {
    throw new HcrError(
      'BAD_OPTION',
      `server rateLimitPerMinute: expected an integer >= 0 (0 = off), got ${resolved.rateLimitPerMinute}`,
    );
  }
  return Object.freeze(resolved);
}
