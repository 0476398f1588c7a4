// The error catalogue as the server and CLI see it: each code's HTTP status and exit code.
// The error class itself lives in src/core so that browser code can throw it too.

import { HcrError, type ErrorCode } from '../core/errors.js';

export { HcrError, ERROR_CODES, type ErrorCode } from '../core/errors.js';

/** HTTP status for each error code (mapped once, in the server's error handler). */
export const HTTP_STATUS: Readonly<Record<ErrorCode, number>> = Object.freeze({
  BAD_DATA: 422,
  BAD_IMAGE: 422,
  BAD_INK: 422,
  BAD_OPTION: 400,
  BAD_MODEL: 500,
  NOT_FOUND: 404,
  DOWNLOAD: 502,
  ENGINE: 500,
});

/** Process exit code for each error code (the CLI's only call to process.exit uses it). */
export const EXIT_CODE: Readonly<Record<ErrorCode, number>> = Object.freeze({
  BAD_DATA: 3,
  BAD_IMAGE: 3,
  BAD_INK: 3,
  BAD_OPTION: 2,
  BAD_MODEL: 4,
  NOT_FOUND: 5,
  DOWNLOAD: 6,
  ENGINE: 7,
});

/** True for errors hcr raised on purpose (their message is meant for the user). */
export function isHcrError(error: unknown): error is HcrError {
  return error instanceof HcrError;
}
