// bench:ink's page: the page served by an hcr server with the given models and opened in line
// mode in Debian's Chromium, with a probe that times each reading in the page, and real mouse
// strokes written on its pad (one Input.dispatchMouseEvent per point).

import { EventEmitter } from 'node:events';
import { chromium, type Browser, type CDPSession, type Page } from 'playwright-core';
import { initEngine } from '../../src/node/engine/index.js';
import { loadModel, type LoadedModel } from '../../src/node/model/artifact.js';
import { packagePath } from '../../src/node/package-root.js';
import { DEFAULT_LINE_MODEL_DIR } from '../../src/node/read/line-reader.js';
import { buildServer } from '../../src/node/server/app.js';
import { serveUntilSignal, type RunningServer } from '../../src/node/server/listen.js';
import { buildWeb, webBuildState } from '../../src/node/server/web-build.js';
import type { PadStrokes } from './strokes.js';

/** The page open in Chromium, served by an hcr server with the given models. */
export interface InkPage {
  readonly page: Page;
  close(): Promise<void>;
}

/** Options of {@link openInkPage}. */
export interface InkPageOptions {
  /** Line model directory. Default: models/line-en. */
  readonly lineModel?: string;
  /** Character model directory. Default: models/alnum36. */
  readonly model?: string;
  /** Chromium's executable. Default: $HCR_CHROMIUM, else /usr/bin/chromium. */
  readonly chromium?: string;
  /** Builds dist/web when stale. Default: buildWeb; tests pass their lock-taking build. */
  readonly ensureBuilt?: () => Promise<void>;
}

// The probes run in the page: strings, since tsx rewrites functions (and the page's CSP
// forbids eval, hence bypassCSP). `__ink` records each pointerup on the pad, each moment the
// page has nothing left to read (data-busy back to false), and every animation frame.
const PROBE = `(() => {
  const ink = (window.__ink = { ups: [], done: [], frames: [] });
  document.getElementById('pad').addEventListener('pointerup', () => ink.ups.push(performance.now()), true);
  new MutationObserver(() => {
    if (document.body.dataset.busy === 'false') ink.done.push(performance.now());
  }).observe(document.body, { attributes: true, attributeFilter: ['data-busy'] });
  const tick = (t) => { ink.frames.push(t); requestAnimationFrame(tick); };
  requestAnimationFrame(tick);
})()`;
const RESET = `(() => { const i = window.__ink; i.ups.length = 0; i.done.length = 0; i.frames.length = 0; })()`;
/** True once the page has read everything written so far. */
const SETTLED = `(() => { const i = window.__ink; const up = i.ups.at(-1);
  return document.body.dataset.busy === 'false' && (up === undefined || (i.done.at(-1) ?? -1) > up); })()`;

/**
 * Serves the page with the models and opens it in line mode in Chromium, with the timing probe
 * installed and the reading worker started (one dot written, read and cleared).
 *
 * @example
 * const { page, close } = await openInkPage();
 */
export async function openInkPage(options: InkPageOptions = {}): Promise<InkPage> {
  await (
    options.ensureBuilt ?? (async () => void ((await webBuildState()).stale && (await buildWeb())))
  )();
  await initEngine({ backend: 'wasm' });
  const loaded: LoadedModel = await loadModel(options.model ?? packagePath('models', 'alnum36'));
  let running: RunningServer | undefined;
  let browser: Browser | undefined;
  try {
    const app = await buildServer({
      model: loaded,
      lineModel: options.lineModel ?? DEFAULT_LINE_MODEL_DIR,
      rateLimitPerMinute: 0,
    });
    running = await serveUntilSignal(app, { port: 0, signalSource: new EventEmitter() });
    browser = await chromium.launch({
      executablePath: options.chromium ?? process.env['HCR_CHROMIUM'] ?? '/usr/bin/chromium',
      headless: true,
    });
    const context = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      bypassCSP: true,
    });
    const page = await context.newPage();
    await page.goto(`${running.url}/#line`);
    await page.waitForFunction(`document.body.dataset.recognizer === 'browser'`, null, {
      timeout: 120_000,
    });
    await page.evaluate(PROBE);
    await drawOnPad(page, [
      [
        [0.5, 0.5],
        [0.51, 0.52],
      ],
    ]);
    await settle(page, 120_000);
    await clearPad(page);
    const b = browser;
    const r = running;
    return {
      page,
      close: async () => {
        await b.close();
        await r.close();
        loaded.dispose();
      },
    };
  } catch (error) {
    await browser?.close();
    await running?.close();
    loaded.dispose();
    throw error;
  }
}

/** Waits until the page has read every stroke written. */
export async function settle(page: Page, timeout = 60_000): Promise<void> {
  await page.waitForFunction(SETTLED, null, { timeout, polling: 5 });
}

/** Clears the pad (the page's Clear button) and waits for the empty reading. */
export async function clearPad(page: Page): Promise<void> {
  await page.click('#clear');
  await page.waitForFunction(`document.body.dataset.busy === 'false'`, null, { polling: 5 });
  await page.evaluate(RESET);
}

/** The CDP session each page's mouse events go through. */
const sessions = new WeakMap<Page, Promise<CDPSession>>();

/**
 * Writes strokes on the pad with the mouse: per stroke a move to its first point, a press, one
 * move per point and a release, as Input.dispatchMouseEvent (page.mouse's own call), the
 * events of a stroke sent at once and then awaited together. No waiting between strokes: the
 * page reads while the next stroke is written, as it does for a writer.
 *
 * @param each - called after each pen-up (the latency bench waits for the reading there)
 */
export async function drawOnPad(
  page: Page,
  strokes: PadStrokes,
  each?: () => Promise<void>,
): Promise<void> {
  let session = sessions.get(page);
  if (!session) {
    session = page.context().newCDPSession(page);
    sessions.set(page, session);
  }
  const cdp = await session;
  const box = (await page.locator('#pad').boundingBox())!;
  const at = ([x, y]: readonly [number, number]) => ({
    x: box.x + x * box.width,
    y: box.y + y * box.height,
  });
  const mouse = (
    type: 'mouseMoved' | 'mousePressed' | 'mouseReleased',
    point: { x: number; y: number },
    buttons: number,
  ) =>
    cdp.send('Input.dispatchMouseEvent', {
      type,
      ...point,
      button: type === 'mouseMoved' && buttons === 0 ? 'none' : 'left',
      buttons,
      ...(type === 'mouseMoved' ? {} : { clickCount: 1 }),
    });
  for (const stroke of strokes) {
    if (stroke.length === 0) continue;
    const first = at(stroke[0]!);
    const sent = [mouse('mouseMoved', first, 0), mouse('mousePressed', first, 1)];
    for (const p of stroke.slice(1)) sent.push(mouse('mouseMoved', at(p), 1));
    sent.push(mouse('mouseReleased', at(stroke.at(-1)!), 0));
    await Promise.all(sent);
    await each?.();
  }
}

/** The pad's aspect (width / height), to place words in pad units without distortion. */
export async function padAspect(page: Page): Promise<number> {
  const box = (await page.locator('#pad').boundingBox())!;
  return box.width / box.height;
}

/** The text the page shows for the writing area ("Reads a / b" → "a\nb"). */
export async function pageReading(page: Page): Promise<string> {
  const summary = (await page.textContent('#line-summary')) ?? '';
  return summary.startsWith('Reads ') ? summary.slice('Reads '.length).replace(/ \/ /g, '\n') : '';
}
