// The one error type hcr throws on purpose. Each carries a stable code from a small
// catalogue so that the CLI and the server can map it (exit code, HTTP status) in one place.

/** Codes of the errors hcr reports; see `src/node/errors.ts` for their HTTP status. */
export const ERROR_CODES = Object.freeze({
  /** A dataset file is corrupt, truncated or not of the expected format. */
  BAD_DATA: 'BAD_DATA',
  /** An input image cannot be decoded, is empty or is too large. */
  BAD_IMAGE: 'BAD_IMAGE',
  /** Ink (strokes as JSON, InkML) is malformed or over its work budget. */
  BAD_INK: 'BAD_INK',
  /** An option names something that does not exist (label set, architecture, backend...). */
  BAD_OPTION: 'BAD_OPTION',
  /** A model directory is missing files or its files do not match each other. */
  BAD_MODEL: 'BAD_MODEL',
  /** A file or directory that was asked for does not exist. */
  NOT_FOUND: 'NOT_FOUND',
  /** A download failed or its checksum did not match. */
  DOWNLOAD: 'DOWNLOAD',
  /** The backend or a kernel cannot do what was asked. */
  ENGINE: 'ENGINE',
} as const);

export type ErrorCode = keyof typeof ERROR_CODES;

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
