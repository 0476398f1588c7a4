// npm run bench:adapt-page -- [--model DIR] [--family NAME] [--per-class 5] [--json] [--screenshot PNG]
// Adapting in the page (issue 17's browser target): Debian's Chromium opens the page served with
// the model, imports a zip of samples (PER_CLASS fresh renderings per class of a held-out font
// family of the synthetic styles, as PNGs per class), presses Adapt and times it, while a stroke
// is drawn on the pad over and over and the page's frames and readings are counted (the page must
// keep drawing). It then exports the adapted model and scores it in Node, next to the base model,
// on 10 other renderings per class of the same family.

import { EventEmitter } from 'node:events';
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { chromium } from 'playwright-core';
import sharp from 'sharp';
import { IMAGE_PIXELS } from '../src/core/types.js';
import { decodeZip, encodeZip } from '../src/core/zip.js';
import { DEFAULT_MODEL_DIR } from '../src/node/cli/main.js';
import { FONT_FAMILIES } from '../src/node/data/synth/families.js';
import { renderFamilyDataset } from '../src/node/data/synth/generate.js';
import { initEngine } from '../src/node/engine/index.js';
import { evaluateModel } from '../src/node/eval/evaluate.js';
import { loadModel } from '../src/node/model/artifact.js';
import { buildServer } from '../src/node/server/app.js';
import { serveUntilSignal } from '../src/node/server/listen.js';
import { buildWeb, webBuildState } from '../src/node/server/web-build.js';
import { BENCH_PAGE_OPTIONS, parseBenchArgs } from './args.js';

const values = parseBenchArgs(
  'bench:adapt-page',
  'Adapting in the page: times Adapt in Chromium while the pad keeps drawing, then scores the adapted model.',
  {
    model: { flags: '--model <dir>', description: 'model to adapt', default: DEFAULT_MODEL_DIR },
    family: {
      flags: '--family <name>',
      description: 'held-out font family the samples are rendered in',
      default: 'Reenie Beanie',
    },
    perClass: {
      flags: '--per-class <n>',
      description: 'samples per class',
      parse: 'positive',
      default: 5,
    },
    ...BENCH_PAGE_OPTIONS,
    idle: {
      flags: '--idle',
      description:
        'leave the page alone while it adapts (default: draw a stroke about every second)',
      default: false,
    },
  },
);
const PER_CLASS = values.perClass;
const OTHERS = 10;

await initEngine({ backend: 'wasm' });
const base = await loadModel(values.model);
const labelSet = base.labelSet;
const family = FONT_FAMILIES.find((f) => f.name === values.family);
if (!family) throw new Error(`unknown family ${values.family}`);
const samples = await renderFamilyDataset(family, labelSet, PER_CLASS, 101, 'samples');
const others = await renderFamilyDataset(
  family,
  labelSet,
  OTHERS,
  202,
  `${family.name} (other samples)`,
);

const work = await mkdtemp(join(tmpdir(), 'hcr-bench-adapt-page-'));
const entries = await Promise.all(
  Array.from(samples.labels, async (y, i) => ({
    name: `samples/${labelSet.classes[y]}/${String(i).padStart(4, '0')}.png`,
    data: await sharp(
      Buffer.from(samples.images.subarray(i * IMAGE_PIXELS, (i + 1) * IMAGE_PIXELS)),
      {
        raw: { width: 28, height: 28, channels: 1 },
      },
    )
      .png()
      .toBuffer(),
  })),
);
const samplesZip = join(work, 'samples.zip');
await writeFile(samplesZip, encodeZip(entries));

if ((await webBuildState()).stale) await buildWeb();
const app = await buildServer({ model: base, rateLimitPerMinute: 0 });
const running = await serveUntilSignal(app, { port: 0, signalSource: new EventEmitter() });
const browser = await chromium.launch({ executablePath: values.chromium, headless: true });
try {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 900 },
    acceptDownloads: true,
    // The page's CSP forbids eval; the bench's probes are strings (tsx rewrites functions).
    bypassCSP: true,
  });
  const page = await context.newPage();
  await page.goto(running.url);
  await page.waitForFunction(`document.body.dataset.teach === 'ready'`, null, {
    timeout: 120_000,
  });
  await page.setInputFiles('#import', samplesZip);
  await page.waitForFunction(
    `document.getElementById('teach-toggle').textContent === 'Teach (${samples.labels.length})'`,
    null,
    { timeout: 60_000 },
  );
  // Count frames and readings while adapting (run in the page, hence a string).
  await page.evaluate(`(() => {
    window.frames_ = 0;
    window.readings_ = 0;
    const adapting = () => document.body.dataset.adapting === 'true';
    const tick = () => {
      if (adapting()) window.frames_++;
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
    new MutationObserver(() => {
      if (adapting()) window.readings_++;
    }).observe(document.getElementById('summary'), { childList: true, characterData: true, subtree: true });
  })()`);
  await page.click('#teach-toggle');
  const started = Date.now();
  await page.click('#adapt');
  await page.waitForFunction(`document.body.dataset.adapting === 'true'`);
  // The Teach panel scrolled the page: bring the pad back before drawing on it.
  await page.locator('#pad').scrollIntoViewIfNeeded();
  const box = (await page.locator('#pad').boundingBox())!;
  let strokes = 0;
  while ((await page.evaluate(`document.body.dataset.adapting`)) === 'true') {
    if (values.idle) {
      await page.waitForTimeout(200);
      continue;
    }
    const k = strokes++ % 3;
    await page.mouse.move(box.x + box.width * (0.3 + 0.2 * k), box.y + box.height * 0.2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * (0.4 + 0.1 * k), box.y + box.height * 0.8, {
      steps: 8,
    });
    await page.mouse.up();
    await page.waitForTimeout(300);
    await page.click('#clear');
  }
  const wall = (Date.now() - started) / 1000;
  await page.waitForFunction(`document.body.dataset.model === 'adapted'`, null, {
    timeout: 30_000,
  });
  const status = (await page.textContent('#adapt-status')) ?? '';
  const seconds = Number(await page.evaluate(`document.body.dataset.adaptSeconds`));
  const { frames, readings } = (await page.evaluate(
    `({ frames: window.frames_, readings: window.readings_ })`,
  )) as { frames: number; readings: number };
  if (values.screenshot) {
    // A reading under the adapted model with its correction row, and the panel below.
    await page.locator('#pad').scrollIntoViewIfNeeded();
    await page.mouse.move(box.x + box.width * 0.35, box.y + box.height * 0.25);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.65, box.y + box.height * 0.25, { steps: 6 });
    await page.mouse.move(box.x + box.width * 0.4, box.y + box.height * 0.8, { steps: 6 });
    await page.mouse.up();
    await page.waitForFunction(`document.body.dataset.busy === 'false'`);
    await page.screenshot({ path: values.screenshot, fullPage: true });
  }
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.click('#export-model'),
  ]);
  const zip = join(work, 'model.zip');
  await download.saveAs(zip);
  for (const { name, data } of await decodeZip(await readFile(zip), zip)) {
    await mkdir(dirname(join(work, name)), { recursive: true });
    await writeFile(join(work, name), data);
  }
  const adapted = await loadModel(join(work, 'hcr-adapted'));
  const before = (await evaluateModel(base, [others])).results[0]!.accuracy;
  const after = (await evaluateModel(adapted, [others])).results[0]!.accuracy;
  adapted.dispose();
  const result = {
    model: values.model,
    family: family.name,
    samples: samples.labels.length,
    adaptSeconds: seconds,
    wallSeconds: wall,
    framesPerSecond: frames / wall,
    readingsWhileAdapting: readings,
    strokesWhileAdapting: strokes,
    others: { count: others.labels.length, before, after },
    status,
  };
  if (values.json) console.log(JSON.stringify(result, null, 2));
  else {
    console.log(
      `${values.model}, ${family.name}: ${result.samples} samples adapted in ${seconds.toFixed(1)} s (worker), ${wall.toFixed(1)} s from the click`,
    );
    console.log(
      `page while adapting: ${result.framesPerSecond.toFixed(1)} frames/s, ${readings} readings of ${strokes} strokes`,
    );
    console.log(
      `other ${family.name} samples (${others.labels.length}): ${(before * 100).toFixed(1)}% → ${(after * 100).toFixed(1)}%`,
    );
    console.log(status);
  }
  await context.close();
} finally {
  await browser.close();
  await running.close();
  base.dispose();
  await rm(work, { recursive: true, force: true });
}
