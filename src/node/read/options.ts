// The reading options a person sets, as `hcr read`'s flags and the fields of POST /api/read name
// them, turned into core's ReadOptions and checked against the model in one place for both.

import type { ContextScope } from '../../core/read/context.js';
import { resolveReadOptions, type Decoder, type ReadOptions } from '../../core/read/options.js';
import { prepareReading } from '../../core/read/read.js';

/** The reading options a person may set; every field optional, defaults in READ_DEFAULTS. */
export interface ReadRequest {
  /** Ranked classes kept per character. Default: READ_DEFAULTS.top (3). */
  readonly top?: number;
  /** Settle look-alikes (O/0, I/1, ...) by the line. Default: true. */
  readonly context?: boolean;
  /** What the context may change. Default: READ_DEFAULTS.contextScope ('lookalikes'). */
  readonly contextScope?: ContextScope;
  /** How lines are decoded. Default: READ_DEFAULTS.decoder ('language-model'). */
  readonly decoder?: Decoder;
  /** Weight of the language model. Default: READ_DEFAULTS.lmWeight. */
  readonly lmWeight?: number;
  /** Readings per line (each line's `alternatives` when > 1). Default: 1. */
  readonly alternatives?: number;
  /** Characters a reading may use: digits, letters, alnum or the characters. Default: alnum. */
  readonly charset?: string;
  /** The shape of every line (a mask or a small regex). Default: none. */
  readonly pattern?: string;
  /** Entries a line may be, one a line (the text). Default: none. */
  readonly lexicon?: string;
  /** Keep every wide gap as a space. Default: false. */
  readonly keepSpacing?: boolean;
  /**
   * What reads the lines: `line`, the line model reading each whole (when one is installed),
   * or `glyphs`, the character model reading the glyphs cut from them. Not a core reading
   * option: it chooses the model. Default: 'line'.
   */
  readonly reader?: 'line' | 'glyphs';
}

/** The fields of a {@link ReadRequest}: the only ones that reach the reader. */
export const READ_REQUEST_OPTIONS = Object.freeze([
  'top',
  'context',
  'contextScope',
  'decoder',
  'lmWeight',
  'alternatives',
  'charset',
  'pattern',
  'lexicon',
  'keepSpacing',
] as const) satisfies readonly (keyof ReadRequest)[];

/**
 * Core's ReadOptions of a request: the fields of {@link READ_REQUEST_OPTIONS} that it sets, and
 * nothing else (a query string's other parameters, or a command's other options, never reach
 * the reader).
 *
 * @example
 * readRequestOptions({ pattern: 'AA99 9AA', top: undefined }); // { pattern: 'AA99 9AA' }
 */
export function readRequestOptions(request: ReadRequest): ReadOptions {
  const out: Record<string, unknown> = {};
  for (const key of READ_REQUEST_OPTIONS) if (request[key] !== undefined) out[key] = request[key];
  return out as ReadOptions;
}

/**
 * Checks reading options against the model's classes (the charset, the pattern and the lexicon)
 * before any image is read, and answers them with the lexicon parsed, so that reading many
 * images parses it once.
 *
 * @throws HcrError BAD_OPTION naming the option, the pattern position or the lexicon line and
 *   column that the model cannot read
 * @example
 * const options = prepareReadOptions({ lexicon: 'LONDON\nPARIS' }, loaded.labelSet.classes);
 */
export function prepareReadOptions(options: ReadOptions, classes: readonly string[]): ReadOptions {
  const prepared = prepareReading(resolveReadOptions(options), classes);
  return prepared.lexicon ? { ...options, lexicon: prepared.lexicon } : options;
}
