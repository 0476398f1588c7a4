// What the page's browser tests (page, teach, teach-lines, ink-page) set up alike: the built
// page (build.ts), `hcr serve` on a free port with a tiny fixture model (and, if asked, a line
// model that reads one character), and Debian's Chromium driven by playwright-core; and the
// Chromium to use, with the hint a test without one prints.

import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { chromium, type Browser } from 'playwright-core';
import { initEngine } from '../../src/node/engine/index.js';
import { loadModel, type LoadedModel } from '../../src/node/model/artifact.js';
import { buildServer } from '../../src/node/server/app.js';
import { serveUntilSignal, type RunningServer } from '../../src/node/server/listen.js';
import { saveFixtureModel } from '../server/helpers.js';
import { ensureWebBuilt } from './build.js';
import { saveOneCharacterLineModel } from './line-fixture.js';

/** The Chromium the tests drive: HCR_CHROMIUM, else Debian's. */
export const CHROMIUM = process.env['HCR_CHROMIUM'] ?? '/usr/bin/chromium';
/** Whether there is one; the tests are skipped without it (outside CI). */
export const HAVE_CHROMIUM = existsSync(CHROMIUM);
/** What a test run without Chromium says. */
export const INSTALL_HINT =
  `browser tests skipped: no Chromium at ${CHROMIUM}. Install Debian's (or Ubuntu's) package ` +
  `with 'sudo apt-get install chromium', or set HCR_CHROMIUM to a Chromium or Chrome binary.`;

/** What the page's server serves; every field optional. */
export interface PageServerOptions {
  /** The temporary folder's prefix. Default: `hcr-page-`. */
  readonly prefix?: string;
  /** The fixture model's leanings (saveFixtureModel's). Default: its own. */
  readonly leanings?: Record<string, number>;
  /** A line model that reads everything as this character (line-fixture.ts). Default: none. */
  readonly lineCharacter?: string;
}

/** A running page server and the browser to open it in. */
export interface PageServer {
  /** The temporary folder: the fixture model in `model/`, the line model in `line/`. */
  readonly dir: string;
  readonly loaded: LoadedModel;
  readonly app: FastifyInstance;
  readonly running: RunningServer;
  readonly browser: Browser;
  /** Closes the browser and the server, and removes the folder. */
  close(): Promise<void>;
}

/**
 * Builds the page if it is stale, serves it with a fixture model and launches Chromium.
 *
 * @example
 * const server = await startPageServer({ prefix: 'hcr-ink-page-', lineCharacter: 'a' });
 * const page = await server.browser.newPage();
 * await page.goto(server.running.url);
 * await server.close();
 */
export async function startPageServer(options: PageServerOptions = {}): Promise<PageServer> {
  await ensureWebBuilt();
  await initEngine({ backend: 'wasm' });
  const dir = await mkdtemp(join(tmpdir(), options.prefix ?? 'hcr-page-'));
  const loaded = await loadModel(await saveFixtureModel(join(dir, 'model'), options.leanings));
  if (options.lineCharacter !== undefined) {
    await saveOneCharacterLineModel(join(dir, 'line'), options.lineCharacter);
  }
  const app = await buildServer({
    model: loaded,
    rateLimitPerMinute: 0,
    // Without a line model, the page's glyph reader: the shipped one would read its lines.
    lineModel: options.lineCharacter === undefined ? false : join(dir, 'line'),
  });
  const running = await serveUntilSignal(app, { port: 0, signalSource: new EventEmitter() });
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true });
  return {
    dir,
    loaded,
    app,
    running,
    browser,
    close: async () => {
      await browser.close();
      await running.close();
      loaded.dispose();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
