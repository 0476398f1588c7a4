// Model files kept in the browser's Cache API, as docs/WEB.md tells a page's author in
// "What it downloads, and the second visit": a model's files (model.json, weights.bin, hcr.json,
// the language model) are fetched once and read from the cache on the next visits without a
// request, as long as the model's version stays the same. An entry is keyed by the file's URL
// and carries the version it was stored under, so a new model's files replace the old ones.
// Where the Cache API is missing (Node, an http origin other than localhost) or fails, files are
// fetched as usual and the browser's HTTP cache does what it can.

/** The Cache API store hcr keeps model files in. */
export const MODEL_CACHE_NAME = 'hcr-models';

/** The response header a stored file's version is kept in. */
export const MODEL_VERSION_HEADER = 'x-hcr-model-version';

/** A fetch as tfjs' `loadLayersModel(url, { fetchFunc })` calls it. */
export type ModelFetch = (input: RequestInfo | URL, init?: RequestInit) => Promise<Response>;

/** Options of {@link modelFetch}; every field optional. */
export interface ModelFetchOptions {
  /**
   * The model's version: anything that changes when one of its files changes (a hash). Files
   * are cached under it; without one they are fetched as usual. Default: none.
   */
  readonly version?: string;
  /** The Cache API store. Default: {@link MODEL_CACHE_NAME}. */
  readonly cacheName?: string;
  /** The network. Default: globalThis.fetch. */
  readonly fetch?: typeof fetch;
  /**
   * The Cache API. Default: globalThis.caches where the context has it (secure contexts: https
   * and localhost); none means every file is fetched.
   */
  readonly caches?: CacheStorage;
}

/** The Cache API of this context, when it has one (`caches` itself throws on some origins). */
function defaultCaches(): CacheStorage | undefined {
  try {
    return typeof caches === 'undefined' ? undefined : caches;
  } catch {
    return undefined;
  }
}

/**
 * A fetch for the files of one model: a file stored under the model's version is answered from
 * the Cache API without a request; any other is fetched, and a successful answer is stored
 * under the version (replacing what the same URL held before). A cache that cannot be opened,
 * read or written (storage off, quota, an opaque origin) leaves the network answer as it is.
 *
 * @example
 * const fetchFunc = modelFetch({ version: 'sha256:8d090ec2' });
 * const model = await tf.loadLayersModel('/models/line-en/model.json', { fetchFunc });
 */
export function modelFetch(options: ModelFetchOptions = {}): ModelFetch {
  const network = options.fetch ?? fetch.bind(globalThis);
  const { version } = options;
  const storage = options.caches ?? defaultCaches();
  if (version === undefined || !storage) return (input, init) => network(input, init);
  const cacheName = options.cacheName ?? MODEL_CACHE_NAME;
  let opened: Promise<Cache | undefined> | undefined;
  // A cache that cannot be opened is the same as none: the files come from the network.
  const open = () => (opened ??= storage.open(cacheName).catch(() => undefined));
  return async (input, init) => {
    const href = input instanceof Request ? input.url : String(input);
    const url = new URL(href, globalThis.location?.href).href;
    const cache = await open();
    const stored = await cache?.match(url).catch(() => undefined);
    if (stored?.headers.get(MODEL_VERSION_HEADER) === version) return stored;
    const response = await network(url, init);
    if (!cache || !response.ok) return response;
    const body = await response.arrayBuffer();
    // The body is decoded: the network's content-encoding and length no longer describe it.
    const headers = new Headers({ [MODEL_VERSION_HEADER]: version });
    const type = response.headers.get('content-type');
    if (type) headers.set('content-type', type);
    const answer = { status: response.status, statusText: response.statusText, headers };
    // A file that cannot be stored (quota) is read from the network again next time.
    await cache.put(url, new Response(body, answer)).catch(() => undefined);
    return new Response(body, answer);
  };
}

/**
 * The version of a model directory from its hcr.json: the SHA-256 that hcr.json records for
 * each of its files (`files: { "weights.bin": { sha256 } }`), so a changed file changes it.
 * Undefined when hcr.json records none.
 *
 * @example
 * versionFromMetadata({ files: { 'weights.bin': { sha256: 'cee6...' } } }); // 'weights.bin:cee6...'
 */
export function versionFromMetadata(metadata: unknown): string | undefined {
  const files = (metadata as { files?: unknown } | null)?.files;
  if (files === null || typeof files !== 'object') return undefined;
  const parts = Object.entries(files as Record<string, { sha256?: unknown } | null>)
    .filter(([, file]) => typeof file?.sha256 === 'string')
    .map(([name, file]) => `${name}:${String(file!.sha256)}`)
    .sort();
  return parts.length > 0 ? parts.join(',') : undefined;
}

/** A model directory's hcr.json and the version to cache its files under. */
export interface ModelMetadata {
  /** hcr.json's fields; empty when it could not be read. */
  readonly metadata: Readonly<Record<string, unknown>>;
  /** The given version, else hcr.json's record of SHA-256s (versionFromMetadata), else none. */
  readonly version: string | undefined;
}

/**
 * Reads the hcr.json beside a model's model.json (through the cache when `version` is given,
 * else from the network) and settles the version its other files are cached under. A missing
 * or unreadable hcr.json gives empty metadata, and no version unless one was given.
 *
 * @example
 * const { metadata, version } = await modelMetadata('/line-model/model.json');
 * const model = await tf.loadLayersModel('/line-model/model.json', {
 *   fetchFunc: modelFetch({ version }),
 * });
 */
export async function modelMetadata(
  modelUrl: string,
  version?: string,
  options: Omit<ModelFetchOptions, 'version'> = {},
): Promise<ModelMetadata> {
  let metadata: Record<string, unknown> = {};
  try {
    const url = new URL('hcr.json', new URL(modelUrl, globalThis.location?.href));
    const response = await modelFetch({ ...options, version })(url);
    const body: unknown = response.ok ? await response.json() : {};
    if (body !== null && typeof body === 'object') metadata = body as Record<string, unknown>;
  } catch {
    // No metadata: the caller's defaults.
  }
  return { metadata, version: version ?? versionFromMetadata(metadata) };
}
