// How every failure of a request becomes an HTTP answer: one JSON shape `{ code, message }`,
// never a stack trace. Every code and its status is in the one catalogue (src/core/errors.ts);
// the few failures that only HTTP has (a body too large, a wrong content type, a rate limit)
// are raised here as ApiError. Mapped once, in the server's error handler.

import { HTTP_ONLY_STATUS, type HttpOnlyErrorCode } from '../../core/errors.js';
import { HTTP_STATUS, isHcrError, type ErrorCode } from '../errors.js';
import type { ResolvedServerLimits } from './config.js';

/**
 * Codes of failures that exist only over HTTP, with their status (the catalogue's codes
 * without an exit code, src/core/errors.ts).
 *
 * @example
 * API_ERROR_STATUS.TOO_LARGE; // 413
 */
export const API_ERROR_STATUS = HTTP_ONLY_STATUS;

/** A key of {@link API_ERROR_STATUS}. */
export type ApiErrorCode = HttpOnlyErrorCode;

/** The body of every error answer. */
export interface ErrorBody {
  readonly code: ApiErrorCode | ErrorCode;
  readonly message: string;
}

/**
 * An HTTP-level failure with its code; thrown by route handlers, turned into JSON by
 * {@link toErrorReply}.
 *
 * @example
 * throw new ApiError('BAD_REQUEST', "multipart body: expected a file field 'image', got none");
 */
export class ApiError extends Error {
  readonly code: ApiErrorCode;

  constructor(code: ApiErrorCode, message: string) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
  }

  /** The HTTP status of this error's code. */
  get statusCode(): number {
    return API_ERROR_STATUS[this.code];
  }
}

/** The content types `POST /api/predict` and `POST /api/read` take, as named in error messages. */
export const ACCEPTED_CONTENT_TYPES =
  'an image (image/png, image/jpeg, image/webp, image/gif, image/tiff, image/svg+xml or application/octet-stream), multipart/form-data or application/json';

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(bytes % (1024 * 1024) === 0 ? 0 : 1)} MiB`;
}

interface FastifyLikeError {
  code?: unknown;
  statusCode?: unknown;
  validation?: unknown;
  message?: unknown;
}

/**
 * The status and JSON body for any error a request raised. Errors that hcr did not expect
 * (status 500) get a generic message; `internal` is then true and the caller reports the error.
 *
 * @param context - the limits (named in messages), the request's content type
 * @example
 * const { status, body } = toErrorReply(new HcrError('BAD_IMAGE', 'x.png: not an image'), ctx);
 * // status 422, body { code: 'BAD_IMAGE', message: 'x.png: not an image' }
 */
export function toErrorReply(
  error: unknown,
  context: {
    limits: ResolvedServerLimits;
    contentType?: string | undefined;
    /** The request's method and URL, named in messages. Default: none. */
    request?: string | undefined;
  },
): { status: number; body: ErrorBody; internal: boolean } {
  const reply = (code: ApiErrorCode, message: string) => ({
    status: API_ERROR_STATUS[code],
    body: { code, message },
    internal: code === 'INTERNAL',
  });
  if (error instanceof ApiError) return reply(error.code, error.message);
  if (isHcrError(error)) {
    const status = HTTP_STATUS[error.code];
    if (status >= 500)
      return reply('INTERNAL', 'internal error: the server could not run the model');
    return { status, body: { code: error.code, message: error.message }, internal: false };
  }
  const e = (typeof error === 'object' && error !== null ? error : {}) as FastifyLikeError;
  const message = typeof e.message === 'string' ? e.message : String(error);
  const { limits } = context;
  switch (e.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
    case 'FST_REQ_FILE_TOO_LARGE':
      return reply(
        'TOO_LARGE',
        `request body: expected at most ${mib(limits.maxUploadBytes)} (${limits.maxUploadBytes} bytes), got more`,
      );
    case 'FST_FILES_LIMIT':
      return reply(
        'TOO_LARGE',
        `multipart body: expected at most ${limits.maxBatch} images in one request, got more`,
      );
    case 'FST_PARTS_LIMIT':
    case 'FST_FIELDS_LIMIT':
      return reply('TOO_LARGE', `multipart body: too many parts or fields (${message})`);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return reply(
        'UNSUPPORTED_MEDIA_TYPE',
        `request body: expected ${ACCEPTED_CONTENT_TYPES}, got ${context.contentType ?? 'no content type'}`,
      );
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return reply(
        'BAD_REQUEST',
        'JSON body: expected an object with "image" or "images", got nothing',
      );
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return reply('BAD_REQUEST', `JSON body: not valid JSON (${message})`);
  }
  if (e.validation !== undefined) return reply('BAD_REQUEST', message);
  const status = typeof e.statusCode === 'number' ? e.statusCode : 500;
  if (status === 429) {
    return reply(
      'RATE_LIMITED',
      `too many requests: at most ${limits.rateLimitPerMinute} work units per minute per client (${message})`,
    );
  }
  if (status === 403) {
    return reply(
      'FORBIDDEN',
      `${context.request ?? 'request'}: this path is not served (a dotfile, or a path that leaves the page's folder)`,
    );
  }
  if (status === 408) return reply('TIMEOUT', `request took too long to arrive (${message})`);
  if (status === 413) return reply('TOO_LARGE', message);
  if (status === 415) return reply('UNSUPPORTED_MEDIA_TYPE', message);
  if (status === 503) return reply('UNAVAILABLE', message);
  if (status >= 400 && status < 500) {
    const where = context.request ?? 'request';
    return {
      status,
      body: { code: 'BAD_REQUEST', message: `${where}: ${message}` },
      internal: false,
    };
  }
  return reply('INTERNAL', 'internal error: the server could not answer this request');
}
