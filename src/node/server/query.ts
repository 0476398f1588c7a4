// The query string of a request, checked before any route sees it: every parameter's name and
// value must be valid percent-encoding of UTF-8 (docs/HTTP-API.md). Fastify's parser keeps what
// it cannot decode as it came, so `?charset=%ED%A0%80` (an encoded surrogate) would reach the
// reader as some other text; here it is a 400 that names the parameter and where it goes wrong.

/** A run of percent escapes, such as `%C3%A9`, or a `%` that does not start a valid one. */
const ESCAPES = /(?:%[0-9A-Fa-f]{2})+|%/g;

/**
 * Why the query string of `url` cannot be decoded, naming the parameter and the position (1-based,
 * in the query string after `?`) of the first bad escape; undefined when it can.
 *
 * @example
 * queryEncodingError('/api/read?charset=%ED%A0%80');
 * // "query parameter 'charset': expected percent-encoded UTF-8, got '%ED%A0%80' at position 9 of the query string"
 */
export function queryEncodingError(url: string): string | undefined {
  const mark = url.indexOf('?');
  if (mark < 0) return undefined;
  const query = url.slice(mark + 1);
  let offset = 0;
  for (const part of query.split('&')) {
    const eq = part.indexOf('=');
    const rawName = eq < 0 ? part : part.slice(0, eq);
    for (const [text, at, isName] of [
      [rawName, offset, true],
      [eq < 0 ? '' : part.slice(eq + 1), offset + eq + 1, false],
    ] as const) {
      for (const match of text.matchAll(ESCAPES)) {
        let bad = match[0] === '%';
        if (!bad) {
          try {
            decodeURIComponent(match[0]);
          } catch {
            bad = true;
          }
        }
        if (!bad) continue;
        const name = isName ? 'a query parameter name' : `query parameter '${safeName(rawName)}'`;
        const shown = match[0] === '%' ? text.slice(match.index, match.index + 3) : match[0];
        return (
          `${name}: expected percent-encoded UTF-8, got '${shown.slice(0, 48)}' ` +
          `at position ${at + match.index + 1} of the query string`
        );
      }
    }
    offset += part.length + 1;
  }
  return undefined;
}

/** A parameter name for a message: decoded when it can be, at most 40 characters. */
function safeName(raw: string): string {
  let name = raw;
  try {
    name = decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    // Shown as it came.
  }
  return name.slice(0, 40);
}
