// The polyfill's model files in the browser's Cache API (src/web/model-cache.ts): in Node over a
// fake CacheStorage, the rules (a file stored under its model's version is read without a
// request, another version replaces it, no version or no cache means the network); in Chromium,
// the built polyfill's first visit downloads the module, its worker and WebAssembly, the line
// model and the language model, at most 12 MB (issue 23's target); the second visit reads the
// model files from the cache without a request. A model under a new version is fetched again and
// replaces the old; a line model without a given version is versioned by its hcr.json's SHA-256s.
// The server answers with no-store, so only the Cache API can spare a request.

import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  MODEL_CACHE_NAME,
  MODEL_VERSION_HEADER,
  modelFetch,
  modelMetadata,
  versionFromMetadata,
} from '../../src/web/model-cache.js';
import { HANDWRITING_DIST, ensureHandwritingBuilt } from './handwriting-build.js';
import { saveOneCharacterLineModel } from './line-fixture.js';

const CHROMIUM = process.env['HCR_CHROMIUM'] ?? '/usr/bin/chromium';
/** Issue 23: the module plus the line model (and its language model), at most 12 MB. */
const MAX_DOWNLOAD_BYTES = 12 * 1024 * 1024;

const TYPES: Readonly<Record<string, string>> = Object.freeze({
  '.js': 'text/javascript',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.bin': 'application/octet-stream',
});

const PAGE = `<!doctype html><meta charset="utf-8"><title>polyfill cache</title>
<script type="module">
  import * as hw from '/handwriting.js';
  window.hw = hw;
  document.body.dataset.ready = '1';
</script>`;

/** One request the server answered: its path and the bytes of its body. */
interface Served {
  readonly path: string;
  readonly bytes: number;
}

/** What {@link visit} passes to createHandwritingPolyfill. */
interface VisitOptions {
  readonly modelBase?: string;
  readonly modelVersions?: Record<string, string>;
}

/** A CacheStorage of one Map per cache name, enough for modelFetch. */
function fakeCaches(options: { failOpen?: boolean } = {}) {
  const stores = new Map<string, Map<string, Response>>();
  const storage = {
    open: async (name: string) => {
      if (options.failOpen) throw new DOMException('no storage here', 'SecurityError');
      let store = stores.get(name);
      if (!store) stores.set(name, (store = new Map()));
      const s = store;
      return {
        match: async (url: string) => s.get(url)?.clone(),
        put: async (url: string, response: Response) => void s.set(url, response.clone()),
      };
    },
  } as unknown as CacheStorage;
  return { storage, stores };
}

/** A network that answers every URL with its path (404 for /missing) and counts requests. */
function fakeNetwork() {
  const requests: string[] = [];
  const fetchImpl = (async (input: RequestInfo | URL) => {
    const url = String(input);
    requests.push(new URL(url).pathname);
    return url.endsWith('/missing')
      ? new Response('no', { status: 404 })
      : new Response(`body of ${new URL(url).pathname} #${requests.length}`, {
          headers: { 'content-type': 'text/plain', 'content-encoding': 'identity' },
        });
  }) as typeof fetch;
  return { fetchImpl, requests };
}

describe('modelFetch', () => {
  const url = 'https://example.test/models/line-en/weights.bin';

  it('reads a file stored under the same version without a request', async () => {
    const { storage, stores } = fakeCaches();
    const { fetchImpl, requests } = fakeNetwork();
    const get = () => modelFetch({ version: 'v1', caches: storage, fetch: fetchImpl })(url);
    const first = await get();
    expect(await first.text()).toBe('body of /models/line-en/weights.bin #1');
    const second = await get();
    expect(await second.text()).toBe('body of /models/line-en/weights.bin #1');
    expect(second.headers.get(MODEL_VERSION_HEADER)).toBe('v1');
    expect(second.headers.get('content-type')).toBe('text/plain');
    // The body is stored decoded: the network's encoding is not kept with it.
    expect(second.headers.get('content-encoding')).toBeNull();
    expect(requests).toEqual(['/models/line-en/weights.bin']);
    expect([...stores.get('hcr-models')!.keys()]).toEqual([url]);
  });

  it('fetches again under a new version, which replaces the old', async () => {
    const { storage, stores } = fakeCaches();
    const { fetchImpl, requests } = fakeNetwork();
    const get = (version: string) =>
      modelFetch({ version, caches: storage, fetch: fetchImpl })(url);
    await get('v1');
    expect(await (await get('v2')).text()).toMatch(/#2$/);
    expect(await (await get('v2')).text()).toMatch(/#2$/);
    expect(requests).toHaveLength(2);
    const store = stores.get('hcr-models')!;
    expect(store.size).toBe(1);
    expect(store.get(url)!.headers.get(MODEL_VERSION_HEADER)).toBe('v2');
  });

  it('uses the network alone without a version, without a cache, or when the cache fails', async () => {
    for (const options of [
      { caches: fakeCaches().storage },
      { version: 'v1', caches: fakeCaches({ failOpen: true }).storage },
      { version: 'v1' }, // Node has no globalThis.caches
    ]) {
      const { fetchImpl, requests } = fakeNetwork();
      const get = modelFetch({ ...options, fetch: fetchImpl });
      await get(url);
      await get(url);
      expect(requests).toHaveLength(2);
    }
  });

  it('never stores a failed answer', async () => {
    const { storage, stores } = fakeCaches();
    const { fetchImpl, requests } = fakeNetwork();
    const get = modelFetch({ version: 'v1', caches: storage, fetch: fetchImpl });
    expect((await get('https://example.test/missing')).status).toBe(404);
    expect((await get('https://example.test/missing')).status).toBe(404);
    expect(requests).toHaveLength(2);
    expect(stores.get('hcr-models')?.size ?? 0).toBe(0);
  });
});

describe('versionFromMetadata and modelMetadata', () => {
  it('versions a model directory by the SHA-256s its hcr.json records', async () => {
    const files = { 'weights.bin': { sha256: 'bb' }, 'model.json': { sha256: 'aa' } };
    expect(versionFromMetadata({ files })).toBe('model.json:aa,weights.bin:bb');
    expect(versionFromMetadata({ files: {} })).toBeUndefined();
    expect(versionFromMetadata({})).toBeUndefined();
    expect(versionFromMetadata(null)).toBeUndefined();

    const fetchImpl = (async () =>
      new Response(JSON.stringify({ charset: 'ab', files }))) as unknown as typeof fetch;
    const read = await modelMetadata('https://example.test/line/model.json', undefined, {
      fetch: fetchImpl,
    });
    expect(read).toEqual({
      metadata: { charset: 'ab', files },
      version: 'model.json:aa,weights.bin:bb',
    });
    // A given version wins; an unreadable hcr.json is empty metadata.
    const broken = (async () => new Response('{', { status: 200 })) as unknown as typeof fetch;
    expect(
      await modelMetadata('https://example.test/line/model.json', 'v9', { fetch: broken }),
    ).toEqual({ metadata: {}, version: 'v9' });
  });
});

describe.skipIf(!existsSync(CHROMIUM))('the polyfill’s models in the Cache API', () => {
  let dir: string;
  let server: Server;
  let url: string;
  let browser: Browser;
  const served: Served[] = [];

  beforeAll(async () => {
    await ensureHandwritingBuilt();
    dir = await mkdtemp(join(tmpdir(), 'hcr-polyfill-cache-'));
    server = createServer(async (request, response) => {
      const path = decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname);
      if (path === '/') {
        response.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
        return;
      }
      // /fixture-models/line-en/ is the test's line model; the rest is the built polyfill.
      const file = path.startsWith('/fixture-models/line-en/')
        ? join(dir, normalize(path.slice('/fixture-models/'.length)))
        : path.startsWith('/fixture-models/')
          ? join(HANDWRITING_DIST, 'models', normalize(path.slice('/fixture-models/'.length)))
          : join(HANDWRITING_DIST, normalize(path));
      try {
        const body = await readFile(file);
        served.push({ path, bytes: body.length });
        response
          .writeHead(200, {
            'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
            'cache-control': 'no-store',
          })
          .end(body);
      } catch {
        response.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true });
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => server?.close(resolve));
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /**
   * Opens the page in `context` (a visit: the context keeps its Cache API), creates a polyfill
   * with `options`, reads a short stroke, and gives the reading and what the server sent.
   */
  async function visit(
    context: BrowserContext,
    options: VisitOptions,
  ): Promise<{ text: string; served: Served[] }> {
    const from = served.length;
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(url);
    await page.waitForFunction(() => document.body.dataset['ready'] === '1');
    const text = await page.evaluate(async (opts) => {
      type Stroke = { addPoint(p: { x: number; y: number; t: number }): void };
      const hw = (window as unknown as Record<string, unknown>)['hw'] as {
        HandwritingStroke: new () => Stroke;
        createHandwritingPolyfill(o: unknown): {
          createHandwritingRecognizer(c: unknown): Promise<{
            startDrawing(): {
              addStroke(s: Stroke): void;
              getPrediction(): Promise<{ text: string }[]>;
            };
            finish(): void;
          }>;
        };
      };
      const recognizer = await hw
        .createHandwritingPolyfill(opts)
        .createHandwritingRecognizer({ languages: ['en'] });
      const drawing = recognizer.startDrawing();
      const stroke = new hw.HandwritingStroke();
      for (let i = 0; i < 12; i++)
        stroke.addPoint({ x: 10 + 3 * i, y: 20 + 12 * Math.sin(i), t: 16 * i });
      drawing.addStroke(stroke);
      const [best] = await drawing.getPrediction();
      recognizer.finish();
      return best?.text ?? '';
    }, options);
    await page.close();
    expect(errors).toEqual([]);
    return { text, served: served.slice(from) };
  }

  const under = (list: Served[], prefix: string) =>
    list
      .filter((s) => s.path.startsWith(prefix))
      .map((s) => s.path)
      .sort();

  it('downloads at most 12 MB on the first visit and no model file on the second', async () => {
    const context = await browser.newContext();
    const first = await visit(context, {});
    expect(under(first.served, '/models/')).toEqual([
      '/models/line-en/hcr.json',
      '/models/line-en/model.json',
      '/models/line-en/weights.bin',
      '/models/lm-en/language-model.json',
    ]);
    const bytes = first.served.reduce((n, s) => n + s.bytes, 0);
    // The module, its worker, one WebAssembly file, the line model and the language model.
    expect(first.served.filter((s) => s.path.endsWith('.wasm'))).toHaveLength(1);
    expect(bytes, `first visit: ${(bytes / 1e6).toFixed(2)} MB`).toBeLessThanOrEqual(
      MAX_DOWNLOAD_BYTES,
    );
    const second = await visit(context, {});
    expect(second.text).toBe(first.text);
    expect(under(second.served, '/models/')).toEqual([]);
    await context.close();
  }, 300_000);

  it('fetches a model again when its version changes, and keeps only the new one', async () => {
    const context = await browser.newContext();
    const base = '/fixture-models/';
    await saveOneCharacterLineModel(join(dir, 'line-en'), 'a');
    const v1 = await visit(context, { modelBase: base, modelVersions: { lineModel: 'v1' } });
    expect(v1.text).toBe('a');
    expect(under(v1.served, '/fixture-models/line-en/')).toHaveLength(3);
    const again = await visit(context, { modelBase: base, modelVersions: { lineModel: 'v1' } });
    expect(again.text).toBe('a');
    expect(under(again.served, '/fixture-models/line-en/')).toEqual([]);

    await saveOneCharacterLineModel(join(dir, 'line-en'), 'b');
    const v2 = await visit(context, { modelBase: base, modelVersions: { lineModel: 'v2' } });
    expect(v2.text).toBe('b');
    expect(under(v2.served, '/fixture-models/line-en/')).toEqual([
      '/fixture-models/line-en/hcr.json',
      '/fixture-models/line-en/model.json',
      '/fixture-models/line-en/weights.bin',
    ]);
    const page = await context.newPage();
    await page.goto(url);
    const stored = await page.evaluate(
      async ([name, header]) => {
        const cache = await caches.open(name);
        const entries = await Promise.all(
          (await cache.keys()).map(async (request) => [
            new URL(request.url).pathname,
            (await cache.match(request))?.headers.get(header),
          ]),
        );
        return entries.filter(([path]) => path!.startsWith('/fixture-models/line-en/')).sort();
      },
      [MODEL_CACHE_NAME, MODEL_VERSION_HEADER] as const,
    );
    expect(stored).toEqual([
      ['/fixture-models/line-en/hcr.json', 'v2'],
      ['/fixture-models/line-en/model.json', 'v2'],
      ['/fixture-models/line-en/weights.bin', 'v2'],
    ]);
    await context.close();
  }, 300_000);

  it('versions a line model by its hcr.json when given no version', async () => {
    const context = await browser.newContext();
    const base = '/fixture-models/';
    await saveOneCharacterLineModel(join(dir, 'line-en'), 'a');
    const first = await visit(context, { modelBase: base });
    expect(first.text).toBe('a');
    const second = await visit(context, { modelBase: base });
    // hcr.json is asked each time: it says whether the weights changed.
    expect(under(second.served, '/fixture-models/line-en/')).toEqual([
      '/fixture-models/line-en/hcr.json',
    ]);
    await saveOneCharacterLineModel(join(dir, 'line-en'), 'c');
    const changed = await visit(context, { modelBase: base });
    expect(changed.text).toBe('c');
    expect(under(changed.served, '/fixture-models/line-en/')).toEqual([
      '/fixture-models/line-en/hcr.json',
      '/fixture-models/line-en/model.json',
      '/fixture-models/line-en/weights.bin',
    ]);
    await context.close();
  }, 300_000);
});
