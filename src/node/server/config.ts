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
  /**
   * Work units a client address may spend on `/api/*` per minute, all routes together; a request
   * costs one unit per image it carries (a batch of 64 costs 64), at least 1; 0 turns the limit
   * off. Default: 600.
   */
  readonly rateLimitPerMinute?: number;
  /** Classes ranked in an answer when the request does not say (`?top=`). Default: 5. */
  readonly top?: number;
  /**
   * Worker threads that decode, normalize, segment and run the model, off the event loop; each
   * runs one request at a time (bounds memory and CPU). Default: 2.
   */
  readonly concurrency?: number;
  /**
   * Requests that may wait for a free worker; one more gets a 503 BUSY. Default: 16.
   */
  readonly maxQueue?: number;
  /**
   * Pixels one request may decode, all its images together (read from the headers before any
   * decoding); more is a 422 OVER_BUDGET. Default: 48,000,000 (two images at maxPixels).
   */
  readonly maxRequestPixels?: number;
  /**
   * Candidate characters `/api/read` may classify in one image (segmentation of a page of specks
   * or bars finds many); more is a 422 OVER_BUDGET before the model runs. Default: 4,000.
   */
  readonly maxCandidates?: number;
  /**
   * Time one request's work may take in a worker, in milliseconds; past it the worker is
   * terminated (and replaced) and the request gets a 422 OVER_BUDGET. Default: 10,000.
   */
  readonly workTimeoutMs?: number;
  /** Time a request may wait for a free worker, in milliseconds; then 503 BUSY. Default: 10,000. */
  readonly maxQueueWaitMs?: number;
  /**
   * Requests one client address may have waiting or running in the workers at once; one more is
   * a 503 BUSY, so that one client cannot fill the queue. Default: 4.
   */
  readonly maxJobsPerClient?: number;
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
  maxQueue: 16,
  maxRequestPixels: 48_000_000,
  maxCandidates: 4_000,
  workTimeoutMs: 10_000,
  maxQueueWaitMs: 10_000,
  maxJobsPerClient: 4,
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
    maxQueue: options.maxQueue ?? SERVER_DEFAULTS.maxQueue,
    maxRequestPixels: options.maxRequestPixels ?? SERVER_DEFAULTS.maxRequestPixels,
    maxCandidates: options.maxCandidates ?? SERVER_DEFAULTS.maxCandidates,
    workTimeoutMs: options.workTimeoutMs ?? SERVER_DEFAULTS.workTimeoutMs,
    maxQueueWaitMs: options.maxQueueWaitMs ?? SERVER_DEFAULTS.maxQueueWaitMs,
    maxJobsPerClient: options.maxJobsPerClient ?? SERVER_DEFAULTS.maxJobsPerClient,
  };
  const positive: (keyof ServerLimitOptions)[] = [
    'maxUploadBytes',
    'maxPixels',
    'maxBatch',
    'requestTimeoutMs',
    'top',
    'concurrency',
    'maxQueue',
    'maxRequestPixels',
    'maxCandidates',
    'workTimeoutMs',
    'maxQueueWaitMs',
    'maxJobsPerClient',
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
