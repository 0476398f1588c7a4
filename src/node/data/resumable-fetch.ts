// Brings a `<file>.part` to the complete content of a remote file over HTTP, resuming from what
// it already holds with a Range request, trying mirrors in turn and again after a pause. The
// part is always a prefix of the remote file, so an interrupted run resumes where it stopped.
// What the finished part must be (its checksum) is the caller's business (download-files.ts).

import { open, rm, stat } from 'node:fs/promises';
import { HcrError } from '../../core/errors.js';
import { describeError } from './files.js';

/** How {@link fetchToPart} fetches; every field is required (download-files.ts resolves them). */
export interface FetchPartOptions {
  /** The fetch implementation. */
  readonly fetch: typeof fetch;
  /** Aborts the fetch; the part is kept. */
  readonly signal: AbortSignal | undefined;
  /** Extra rounds over the URLs after a failure. */
  readonly retries: number;
  /** Wait before retry round k is k times this. */
  readonly retryDelayMs: number;
  /** Called after each chunk written, with the part's length and the total when known. */
  readonly onBytes: ((bytes: number, totalBytes: number | undefined) => void) | undefined;
}

/**
 * Brings `part` to the complete remote content, trying each URL in turn, for `retries` extra
 * rounds; every attempt resumes from what `part` already holds. `file` names the download in
 * errors; `expectedBytes`, when known, is the remote file's length.
 *
 * @throws HcrError DOWNLOAD when every round failed (the message lists the last round's
 *   failures and says whether the part is kept)
 * @example
 * await fetchToPart(['https://host/a.gz'], '/data/x/a.gz.part', 'x/a.gz', 4542, options);
 */
export async function fetchToPart(
  urls: readonly string[],
  part: string,
  file: string,
  expectedBytes: number | undefined,
  options: FetchPartOptions,
): Promise<void> {
  const failures: string[] = [];
  for (let round = 0; round <= options.retries; round++) {
    if (round > 0 && options.retryDelayMs > 0) {
      await sleep(options.retryDelayMs * round, options.signal);
    }
    for (const url of urls) {
      try {
        await fetchOnce(url, part, expectedBytes, options);
        return;
      } catch (error) {
        if (options.signal?.aborted) throw error;
        failures.push(`${url}: ${describeError(error)}`);
      }
    }
  }
  const kept =
    (await fileSize(part)) > 0 ? `; the partial download ${part} is kept, run again to resume` : '';
  throw new HcrError(
    'DOWNLOAD',
    `${file}: download failed after ${options.retries + 1} round(s): ${failures.slice(-urls.length).join('; ')}${kept}`,
  );
}

/** The size of the file at `path`, or 0 when there is none. */
async function fileSize(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason as Error);
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    function onAbort(): void {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    }
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** `bytes a-b/total` or `bytes * /total` of a Content-Range header. */
function parseContentRange(
  header: string | null,
): { start: number | undefined; total: number | undefined } | undefined {
  const match = /^bytes\s+(?:(\d+)-\d+|\*)\/(\d+|\*)\s*$/i.exec(header ?? '');
  if (!match) return undefined;
  return {
    start: match[1] === undefined ? undefined : Number(match[1]),
    total: match[2] === '*' || match[2] === undefined ? undefined : Number(match[2]),
  };
}

/** One request: appends to `part` (206) or rewrites it (200) until the body ends. */
async function fetchOnce(
  url: string,
  part: string,
  expectedBytes: number | undefined,
  options: FetchPartOptions,
): Promise<void> {
  let start = await fileSize(part);
  if (expectedBytes !== undefined && start > expectedBytes) {
    await rm(part, { force: true });
    start = 0;
  }
  if (expectedBytes !== undefined && start === expectedBytes) return;

  const init = { signal: options.signal };
  let response = await options.fetch(
    url,
    start > 0 ? { ...init, headers: { Range: `bytes=${start}-` } } : init,
  );
  if (response.status === 416) {
    // The part is at least as long as the remote file: complete, or stale and longer.
    const range = parseContentRange(response.headers.get('content-range'));
    await response.body?.cancel();
    if (range?.total === start) return;
    await rm(part, { force: true });
    start = 0;
    response = await options.fetch(url, init);
  }

  let total: number | undefined;
  let append: boolean;
  if (response.status === 206 && start > 0) {
    const range = parseContentRange(response.headers.get('content-range'));
    if (range?.start !== start) {
      await response.body?.cancel();
      // Start over on the next attempt rather than stitch mismatched pieces together.
      await rm(part, { force: true });
      throw new HcrError(
        'DOWNLOAD',
        `expected Content-Range starting at byte ${start}, got '${response.headers.get('content-range')}'`,
      );
    }
    total = range.total;
    append = true;
  } else if (response.status === 200) {
    // A server that ignores Range sends the whole file again: start over.
    const length = response.headers.get('content-length');
    total = length === null ? undefined : Number(length);
    append = false;
    start = 0;
  } else {
    await response.body?.cancel();
    throw new HcrError('DOWNLOAD', `HTTP ${response.status} ${response.statusText}`.trim());
  }
  total ??= expectedBytes;
  if (!response.body) throw new HcrError('DOWNLOAD', 'the response has no body');

  const handle = await open(part, append ? 'a' : 'w');
  let bytes = start;
  try {
    for await (const chunk of response.body) {
      // Each chunk is on disk before the next is read, so the part is always a prefix.
      await handle.write(chunk);
      bytes += chunk.length;
      options.onBytes?.(bytes, total);
    }
  } finally {
    await handle.close();
  }
  if (total !== undefined && bytes !== total) {
    throw new HcrError('DOWNLOAD', `the connection ended after ${bytes} of ${total} bytes`);
  }
}
