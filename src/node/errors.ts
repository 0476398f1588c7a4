// The error catalogue as the server and CLI see it: each code's HTTP status and exit code,
// read from the one table in src/core/errors.ts (the error class lives in src/core so that
// browser code can throw it too).

import { HcrError } from '../core/errors.js';

export {
  HcrError,
  ERROR_CATALOGUE,
  ERROR_CODES,
  EXIT_CODE,
  HTTP_STATUS,
  type ErrorCode,
} from '../core/errors.js';

/** True for errors hcr raised on purpose (their message is meant for the user). */
export function isHcrError(error: unknown): error is HcrError {
  return error instanceof HcrError;
}
