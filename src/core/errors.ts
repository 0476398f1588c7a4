// The one error type hcr throws on purpose, and the one catalogue of error codes: each code
// with when it happens, its HTTP status and its exit code, so that the CLI and the server map
// a code in one place and the docs list the same table.

/** One entry of {@link ERROR_CATALOGUE}. */
export interface ErrorKind {
  /** When the error happens. */
  readonly summary: string;
  /** The HTTP status of an answer with this code. */
  readonly httpStatus: number;
  /** The CLI's exit code; none for the failures that only HTTP has. */
  readonly exitCode?: number;
}

/**
 * Every error code hcr reports, in one table: when it happens, its HTTP status and, for the
 * codes an {@link HcrError} carries (the CLI's and the library's), its exit code. The codes
 * without an exit code are failures that only HTTP has (a body too large, a rate limit); the
 * server raises them as its `ApiError`. The server's error handler and the CLI's top-level
 * catch map codes through this table and nowhere else; docs/HTTP-API.md lists it.
 */
export const ERROR_CATALOGUE = Object.freeze({
  BAD_DATA: {
    summary: 'a dataset file is corrupt, truncated or not of the expected format',
    httpStatus: 422,
    exitCode: 3,
  },
  BAD_IMAGE: {
    summary: 'an input image cannot be decoded, is empty or is too large',
    httpStatus: 422,
    exitCode: 3,
  },
  BAD_INK: {
    summary: 'ink (strokes as JSON, InkML) is malformed or over its work budget',
    httpStatus: 422,
    exitCode: 3,
  },
  BAD_OPTION: {
    summary:
      'an option is invalid or names something that does not exist (label set, architecture, pattern...)',
    httpStatus: 400,
    exitCode: 2,
  },
  BAD_MODEL: {
    summary: 'a model directory is missing files or its files do not match each other',
    httpStatus: 500,
    exitCode: 4,
  },
  NOT_FOUND: {
    summary: 'a file or directory that was asked for does not exist',
    httpStatus: 404,
    exitCode: 5,
  },
  DOWNLOAD: {
    summary: 'a download failed or its checksum did not match',
    httpStatus: 502,
    exitCode: 6,
  },
  ENGINE: {
    summary: 'the backend or a kernel cannot do what was asked',
    httpStatus: 500,
    exitCode: 7,
  },
  BAD_REQUEST: {
    summary: 'the request is malformed: a schema violation, a missing field, invalid JSON',
    httpStatus: 400,
  },
  EMPTY_IMAGE: {
    summary: 'the image holds no character (blank, or only specks below the noise threshold)',
    httpStatus: 422,
  },
  OVER_BUDGET: {
    summary:
      'the request needs more work than one request may take (pixels, candidate characters, time in a worker); its work was stopped',
    httpStatus: 422,
  },
  FORBIDDEN: {
    summary: "a path the server will not serve (a dotfile, a path leaving the page's folder)",
    httpStatus: 403,
  },
  TOO_LARGE: {
    summary: 'the body, a file or the number of files is over a limit',
    httpStatus: 413,
  },
  UNSUPPORTED_MEDIA_TYPE: {
    summary: 'the content type is not an image, multipart/form-data or application/json',
    httpStatus: 415,
  },
  RATE_LIMITED: { summary: 'too many requests from one client in a minute', httpStatus: 429 },
  TIMEOUT: {
    summary: 'the request took longer to arrive than the request timeout',
    httpStatus: 408,
  },
  UNAVAILABLE: {
    summary: 'the server is shutting down or the page is not built',
    httpStatus: 503,
  },
  BUSY: {
    summary:
      'every worker is busy and the queue of waiting requests is full, or a request waited too long',
    httpStatus: 503,
  },
  INTERNAL: {
    summary: "a failure hcr did not expect; details go to the server's log, not the client",
    httpStatus: 500,
  },
} as const satisfies Readonly<Record<string, ErrorKind>>);

type CatalogueCode = keyof typeof ERROR_CATALOGUE;

/** The codes an {@link HcrError} carries: those of the catalogue with an exit code. */
export type ErrorCode = {
  [K in CatalogueCode]: (typeof ERROR_CATALOGUE)[K] extends { exitCode: number } ? K : never;
}[CatalogueCode];

/** The codes of failures that only HTTP has (no exit code). */
export type HttpOnlyErrorCode = Exclude<CatalogueCode, ErrorCode>;

/** `{ code: value }` for the catalogue's entries that have `field`, frozen. */
function column<K extends string>(
  field: 'httpStatus' | 'exitCode',
  keep: (kind: ErrorKind) => boolean,
) {
  const entries = Object.entries(ERROR_CATALOGUE as Readonly<Record<string, ErrorKind>>)
    .filter(([, kind]) => keep(kind))
    .map(([code, kind]) => [code, kind[field]]);
  return Object.freeze(Object.fromEntries(entries)) as Readonly<Record<K, number>>;
}

const hasExitCode = (kind: ErrorKind) => kind.exitCode !== undefined;

/** HTTP status of every code (mapped once, in the server's error handler). */
export const HTTP_STATUS = column<CatalogueCode>('httpStatus', () => true);

/** Process exit code of each {@link ErrorCode} (the CLI's only call to process.exit uses it). */
export const EXIT_CODE = column<ErrorCode>('exitCode', hasExitCode);

/** HTTP status of the codes that only HTTP has (the server's `ApiError`). */
export const HTTP_ONLY_STATUS = column<HttpOnlyErrorCode>('httpStatus', (k) => !hasExitCode(k));

/** The codes an {@link HcrError} carries, each as its own name. */
export const ERROR_CODES = Object.freeze(
  Object.fromEntries(Object.keys(EXIT_CODE).map((code) => [code, code])),
) as Readonly<{ [K in ErrorCode]: K }>;

/**
 * An expected failure with a message that says what was expected, what arrived and where.
 *
 * @example
 * throw new HcrError('BAD_DATA', `${file}: expected IDX magic 2051, got ${magic}`);
 */
export class HcrError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'HcrError';
    this.code = code;
  }
}

/**
 * Looks `key` up in a frozen registry, or throws a `BAD_OPTION` error that lists the valid keys.
 *
 * @example
 * const arch = lookup(ARCHITECTURES, 'seed', 'architecture');
 */
export function lookup<T>(registry: Readonly<Record<string, T>>, key: string, what: string): T {
  if (Object.prototype.hasOwnProperty.call(registry, key)) return registry[key] as T;
  throw new HcrError(
    'BAD_OPTION',
    `unknown ${what} '${key}': expected one of ${Object.keys(registry).join(', ')}`,
  );
}
