// One catalogue of error codes (src/core/errors.ts): the CLI's exit codes, the server's
// statuses and the codes docs/HTTP-API.md lists are all read from it, so none can drift.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_CATALOGUE, ERROR_CODES, EXIT_CODE, HTTP_STATUS } from '../../src/node/errors.js';
import { API_ERROR_STATUS, ApiError, toErrorReply } from '../../src/node/server/errors.js';
import { resolveServerLimits } from '../../src/node/server/config.js';
import { HcrError } from '../../src/core/errors.js';

const ROOT = join(import.meta.dirname, '..', '..');

describe('the error catalogue', () => {
  const codes = Object.keys(ERROR_CATALOGUE);

  it('splits into the codes an HcrError carries and the ones only HTTP has, each once', () => {
    const library = Object.keys(ERROR_CODES);
    const http = Object.keys(API_ERROR_STATUS);
    expect([...library, ...http].sort()).toEqual([...codes].sort());
    expect(library.filter((c) => http.includes(c))).toEqual([]);
    expect(Object.keys(EXIT_CODE).sort()).toEqual([...library].sort());
    expect(Object.keys(HTTP_STATUS).sort()).toEqual([...codes].sort());
  });

  it('answers every code with the status the catalogue gives it', () => {
    const limits = resolveServerLimits({});
    for (const code of Object.keys(API_ERROR_STATUS) as (keyof typeof API_ERROR_STATUS)[]) {
      const reply = toErrorReply(new ApiError(code, 'x'), { limits });
      expect(reply.status, code).toBe(ERROR_CATALOGUE[code].httpStatus);
    }
    for (const code of Object.keys(ERROR_CODES) as (keyof typeof ERROR_CODES)[]) {
      const reply = toErrorReply(new HcrError(code, 'x'), { limits });
      // A server-side failure (a broken model) is answered as INTERNAL, never with its message.
      const expected = HTTP_STATUS[code] >= 500 ? 500 : HTTP_STATUS[code];
      expect(reply.status, code).toBe(expected);
    }
  });

  it('is the table docs/HTTP-API.md lists, status for status', () => {
    const doc = readFileSync(join(ROOT, 'docs', 'HTTP-API.md'), 'utf8');
    const listed = new Map(
      [...doc.matchAll(/^\| (\d{3}) \| `([A-Z_]+)` \|/gm)].map((m) => [m[2]!, Number(m[1])]),
    );
    // Each listed status is the catalogue's, and every code only HTTP has is listed (of the
    // library's codes, the docs list the ones a request can raise).
    expect(
      [...listed].filter(
        ([code, status]) => HTTP_STATUS[code as keyof typeof HTTP_STATUS] !== status,
      ),
    ).toEqual([]);
    expect(Object.keys(API_ERROR_STATUS).filter((code) => !listed.has(code))).toEqual([]);
    for (const raised of ['BAD_IMAGE', 'BAD_INK', 'BAD_OPTION', 'NOT_FOUND']) {
      expect(listed.has(raised), raised).toBe(true);
    }
  });
});
