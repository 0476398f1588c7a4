// The polyfill in Chromium, as a page uses it: built by `vite build -c vite.handwriting.config.ts`
// into dist/handwriting, served as static files, imported as an ES module. Checks the IDL's
// shapes on navigator and the objects, the errors the spec names, and a drawing read end to end
// in the Web Worker (WebAssembly) by an untrained line model of the real architecture (its
// text is noise, its shape is not) and by the shipped glyph model per character.

import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getLineArchitecture } from '../../src/core/line/architectures.js';
import { LINE_CHARSET } from '../../src/core/line/charset.js';
import { HANDWRITING_DIST, ensureHandwritingBuilt } from './handwriting-build.js';

const CHROMIUM = process.env['HCR_CHROMIUM'] ?? '/usr/bin/chromium';

/** An untrained line model (line-tiny) saved as the polyfill loads it, with its hcr.json. */
async function saveFixtureLineModel(dir: string): Promise<void> {
  await tf.setBackend('cpu');
  const model = getLineArchitecture('line-tiny').build(LINE_CHARSET.length + 1);
  await mkdir(dir, { recursive: true });
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      await writeFile(
        join(dir, 'model.json'),
        JSON.stringify({
          format: 'layers-model',
          modelTopology: artifacts.modelTopology,
          weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs ?? [] }],
        }),
      );
      await writeFile(
        join(dir, 'weights.bin'),
        new Uint8Array(artifacts.weightData as ArrayBuffer),
      );
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  model.dispose();
  await writeFile(join(dir, 'hcr.json'), JSON.stringify({ kind: 'line', charset: LINE_CHARSET }));
}

const TYPES: Readonly<Record<string, string>> = Object.freeze({
  '.js': 'text/javascript',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.bin': 'application/octet-stream',
  '.html': 'text/html',
});

const PAGE = `<!doctype html><meta charset="utf-8"><title>polyfill</title>
<script type="module">
  import * as hw from '/handwriting.js';
  window.hw = hw;
  window.nativeBefore = typeof navigator.createHandwritingRecognizer;
  window.polyfill = hw.createHandwritingPolyfill({ modelBase: '/fixture-models/' });
  window.installed = window.polyfill.install();
  document.body.dataset.ready = '1';
</script>`;

describe.skipIf(!existsSync(CHROMIUM))(
  'the Handwriting Recognition API polyfill in Chromium',
  () => {
    let dir: string;
    let server: Server;
    let url: string;
    let browser: Browser;
    let page: Page;
    const errors: string[] = [];

    beforeAll(async () => {
      await ensureHandwritingBuilt();
      dir = await mkdtemp(join(tmpdir(), 'hcr-polyfill-'));
      await saveFixtureLineModel(join(dir, 'line-en'));
      server = createServer(async (request, response) => {
        const path = decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname);
        let file: string;
        if (path === '/' || path === '/index.html') {
          response.writeHead(200, { 'content-type': TYPES['.html']! }).end(PAGE);
          return;
        } else if (path.startsWith('/fixture-models/line-en/')) {
          file = join(dir, normalize(path.slice('/fixture-models/'.length)));
        } else if (path.startsWith('/fixture-models/')) {
          file = join(HANDWRITING_DIST, 'models', normalize(path.slice('/fixture-models/'.length)));
        } else file = join(HANDWRITING_DIST, normalize(path));
        try {
          const body = await readFile(file);
          response
            .writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' })
            .end(body);
        } catch {
          response.writeHead(404).end();
        }
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
      browser = await chromium.launch({ executablePath: CHROMIUM, headless: true });
      page = await browser.newPage();
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(url);
      await page.waitForFunction(() => document.body.dataset['ready'] === '1');
    }, 180_000);

    afterAll(async () => {
      await browser?.close();
      await new Promise((resolve) => server?.close(resolve));
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it('installs itself where the browser has no API, with the IDL’s shapes', async () => {
      const shapes = await page.evaluate(() => {
        const w = window as unknown as Record<string, unknown>;
        const nav = navigator as unknown as Record<string, unknown>;
        const methods = (o: object) =>
          Object.getOwnPropertyNames(o)
            .filter((n) => n !== 'constructor')
            .sort();
        const Stroke = (globalThis as unknown as { HandwritingStroke: { prototype: object } })
          .HandwritingStroke;
        const hw = w['hw'] as Record<string, { prototype: object }>;
        return {
          nativeBefore: w['nativeBefore'],
          installed: w['installed'],
          create: typeof nav['createHandwritingRecognizer'],
          query: typeof nav['queryHandwritingRecognizer'],
          stroke: methods(Stroke.prototype),
          drawing: methods(hw['HandwritingDrawing']!.prototype),
          recognizer: methods(hw['HandwritingRecognizer']!.prototype),
          again: (w['polyfill'] as { install(): boolean }).install(),
        };
      });
      expect(shapes).toEqual({
        nativeBefore: 'undefined',
        installed: true,
        create: 'function',
        query: 'function',
        stroke: ['addPoint', 'clear', 'getPoints'],
        drawing: ['addStroke', 'clear', 'getPrediction', 'getStrokes', 'removeStroke'],
        recognizer: ['finish', 'startDrawing'],
        again: false,
      });
    });

    it('answers queries and names the spec’s errors', async () => {
      const result = await page.evaluate(async () => {
        const nav = navigator as unknown as {
          queryHandwritingRecognizer(c: unknown): Promise<unknown>;
          createHandwritingRecognizer(c: unknown): Promise<{
            startDrawing(h?: unknown): unknown;
            finish(): void;
          }>;
        };
        const name = async (p: Promise<unknown>) =>
          p.then(
            () => 'resolved',
            (e: Error) => `${e.constructor.name}:${e.name}`,
          );
        const recognizer = await nav.createHandwritingRecognizer({ languages: ['en'] });
        const drawing = recognizer.startDrawing() as {
          addStroke(s: unknown): void;
          getPrediction(): Promise<unknown>;
        };
        let addBad = '';
        try {
          drawing.addStroke({});
        } catch (e) {
          addBad = (e as Error).name;
        }
        let badPoint = '';
        try {
          new (
            globalThis as unknown as { HandwritingStroke: new () => { addPoint(p: unknown): void } }
          ).HandwritingStroke().addPoint({ x: 1 });
        } catch (e) {
          badPoint = (e as Error).name;
        }
        recognizer.finish();
        let afterFinish = '';
        try {
          recognizer.startDrawing();
        } catch (e) {
          afterFinish = `${(e as Error).constructor.name}:${(e as Error).name}`;
        }
        return {
          query: await nav.queryHandwritingRecognizer({ languages: ['en'] }),
          queryFr: await nav.queryHandwritingRecognizer({ languages: ['fr'] }),
          queryNone: await name(nav.queryHandwritingRecognizer({})),
          createFr: await name(nav.createHandwritingRecognizer({ languages: ['fr'] })),
          createEmpty: await name(nav.createHandwritingRecognizer({ languages: [] })),
          createNone: await name(nav.createHandwritingRecognizer({})),
          addBad,
          badPoint,
          afterFinish,
          predictAfterFinish: await name(drawing.getPrediction()),
        };
      });
      expect(result).toEqual({
        query: {
          textAlternatives: true,
          textSegmentation: true,
          hints: {
            recognitionType: ['text', 'per-character'],
            inputType: ['mouse', 'stylus', 'touch'],
            textContext: true,
            alternatives: true,
          },
        },
        queryFr: null,
        queryNone: 'TypeError:TypeError',
        createFr: 'DOMException:NotSupportedError',
        createEmpty: 'DOMException:NotSupportedError',
        createNone: 'TypeError:TypeError',
        addBad: 'TypeError',
        badPoint: 'TypeError',
        afterFinish: 'DOMException:InvalidStateError',
        predictAfterFinish: 'DOMException:InvalidStateError',
      });
    });

    it('reads a drawing in its worker: predictions with text and segmentation, per line and per character', async () => {
      const result = await page.evaluate(async () => {
        type Stroke = { addPoint(p: { x: number; y: number; t?: number }): void };
        const nav = navigator as unknown as {
          createHandwritingRecognizer(c: unknown): Promise<{
            startDrawing(h?: unknown): {
              addStroke(s: Stroke): void;
              getPrediction(): Promise<
                {
                  text: string;
                  segmentationResult: {
                    grapheme: string;
                    beginIndex: number;
                    endIndex: number;
                    drawingSegments: {
                      strokeIndex: number;
                      beginPointIndex: number;
                      endPointIndex: number;
                    }[];
                  }[];
                }[]
              >;
            };
            finish(): void;
          }>;
        };
        const HS = (globalThis as unknown as { HandwritingStroke: new () => Stroke })
          .HandwritingStroke;
        const started = performance.now();
        const recognizer = await nav.createHandwritingRecognizer({ languages: ['en'] });
        const loadMs = performance.now() - started;
        const fill = (drawing: { addStroke(s: Stroke): void }) => {
          // An "L" and an "I" side by side, 40 px tall, as a mouse would give them.
          const strokes: [number, number][][] = [
            [
              [10, 10],
              [10, 50],
              [30, 50],
            ],
            [
              [45, 10],
              [45, 50],
            ],
          ];
          let t = 0;
          for (const points of strokes) {
            const s = new HS();
            for (const [x, y] of points) s.addPoint({ x, y, t: (t += 16) });
            drawing.addStroke(s);
          }
        };
        const text = recognizer.startDrawing({ alternatives: 2, textContext: 'say ' });
        fill(text);
        const readStart = performance.now();
        const predictions = await text.getPrediction();
        const readMs = performance.now() - readStart;
        const perChar = recognizer.startDrawing({ recognitionType: 'per-character' });
        fill(perChar);
        const chars = await perChar.getPrediction();
        const empty = await recognizer.startDrawing().getPrediction();
        recognizer.finish();
        return { predictions, chars, empty, loadMs, readMs };
      });
      expect(result.empty).toEqual([]);
      expect(result.predictions.length).toBeGreaterThanOrEqual(0);
      expect(result.predictions.length).toBeLessThanOrEqual(2);
      for (const p of [...result.predictions, ...result.chars]) {
        expect(typeof p.text).toBe('string');
        for (const s of p.segmentationResult) {
          expect(p.text.slice(s.beginIndex, s.endIndex)).toBe(s.grapheme);
          for (const d of s.drawingSegments) {
            expect([0, 1]).toContain(d.strokeIndex);
            expect(d.beginPointIndex).toBeLessThan(d.endPointIndex);
          }
        }
      }
      expect(result.chars.length).toBeGreaterThanOrEqual(1);
      expect(result.chars[0]!.segmentationResult).toHaveLength(2);
      expect(result.chars[0]!.text).toMatch(/^L[0-9A-Z]$/);
      expect(result.chars[0]!.segmentationResult[1]!.drawingSegments).toEqual([
        { strokeIndex: 1, beginPointIndex: 0, endPointIndex: 2 },
      ]);
      expect(errors).toEqual([]);
    });
  },
);
