// npx tsx bench/adapt-lines-page.ts -- [--words 30] [--others 100] [--writers 1] [--json]
// Adapting the line model in the page (issue 23's target: 30 of a writer's words in at most
// 60 s, and the gain on that writer's other words). For a UNIPEN test writer (never trained on;
// letters and digits, as bench:ink), Debian's Chromium opens the page served with the shipped
// models, imports a samples zip of the writer's words as line samples (ink and text, the
// Teach panel's export format), so many that the panel's hold-out leaves --words to train on,
// presses "Adapt the line model" and times it. It then exports the adapted line model and reads
// --others other words of the writer in Node, as the page reads ink (core/line/adapt.ts's
// readLineSamples: rendered at the model's scale, greedy and with the language model), with the
// shipped line model and the adapted one. Besides the time the page gives, it prints the
// processor seconds Chromium spent meanwhile (from /proc): on a machine busy with other work,
// what the adaptation costs on an idle core.

import { EventEmitter } from 'node:events';
import { readFileSync, readdirSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { chromium } from 'playwright-core';
import {
  LINE_ADAPT_DEFAULTS,
  charAccuracy,
  readLineSamples,
  type InkLineSample,
} from '../src/core/line/adapt.js';
import { createRandom, shuffleInPlace } from '../src/core/random.js';
import { decodeZip, encodeZip } from '../src/core/zip.js';
import { loadUnipenWords, type UnipenWord } from '../src/node/data/lines/unipen-words.js';
import { defaultDataDir } from '../src/node/data/paths.js';
import { initEngine } from '../src/node/engine/index.js';
import { loadModel } from '../src/node/model/artifact.js';
import { loadLineModel } from '../src/node/model/line-artifact.js';
import { packagePath } from '../src/node/package-root.js';
import { defaultLanguageModel } from '../src/node/read/language-model.js';
import { DEFAULT_LINE_MODEL_DIR } from '../src/node/read/line-reader.js';
import { buildServer } from '../src/node/server/app.js';
import { serveUntilSignal } from '../src/node/server/listen.js';
import { buildWeb, webBuildState } from '../src/node/server/web-build.js';
import { BENCH_PAGE_OPTIONS, parseBenchArgs } from './args.js';

/** Issue 23's target for adapting the line model in the browser, in seconds. */
export const ADAPT_LINES_TARGET_SECONDS = 60;

const values = parseBenchArgs(
  'bench:adapt-lines-page',
  "Adapting the line model in Chromium to a UNIPEN test writer's words: time and gain.",
  {
    lineModel: {
      flags: '--line-model <dir>',
      description: 'the line model',
      default: DEFAULT_LINE_MODEL_DIR,
    },
    dataDir: {
      flags: '--data-dir <dir>',
      description: 'datasets folder holding unipen-words/',
      default: defaultDataDir(),
    },
    words: {
      flags: '--words <n>',
      description: 'words trained on',
      parse: 'positive',
      default: 30,
    },
    others: {
      flags: '--others <n>',
      description: "the writer's other words read before and after",
      parse: 'positive',
      default: 100,
    },
    writers: { flags: '--writers <n>', description: 'test writers', parse: 'positive', default: 1 },
    seed: {
      flags: '--seed <n>',
      description: 'seed of the writers and words',
      parse: 'positive',
      default: 2026,
    },
    ...BENCH_PAGE_OPTIONS,
  },
);

/** Processor seconds of every Chromium process this one started (utime + stime, /proc). */
function chromiumCpuSeconds(): number {
  const parent = new Map<number, number>();
  const ticks = new Map<number, number>();
  const names = new Map<number, string>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const fields = stat.slice(close + 2).split(' ');
      const pid = Number(entry);
      names.set(pid, stat.slice(stat.indexOf('(') + 1, close));
      parent.set(pid, Number(fields[1]));
      ticks.set(pid, Number(fields[11]) + Number(fields[12]));
    } catch {
      // Gone meanwhile.
    }
  }
  const mine = (pid: number): boolean => {
    for (let p = parent.get(pid); p !== undefined && p > 1; p = parent.get(p)) {
      if (p === process.pid) return true;
    }
    return false;
  };
  let total = 0;
  for (const [pid, t] of ticks) if (/chrom/i.test(names.get(pid) ?? '') && mine(pid)) total += t;
  return total / 100;
}

const asSample = (w: UnipenWord): InkLineSample => ({
  text: w.label,
  strokes: w.strokes.map((s) =>
    Array.from({ length: s.length >> 1 }, (_, i) => ({ x: s[2 * i]!, y: s[2 * i + 1]! })),
  ),
});

// The words imported: the panel holds out floor(n * heldOut), so n trains on --words.
let imported = values.words;
while (imported - Math.floor(imported * LINE_ADAPT_DEFAULTS.heldOut) < values.words) imported++;

await initEngine({ backend: 'wasm' });
const words = (await loadUnipenWords(values.dataDir, { parts: ['test'] })).filter((w) =>
  /^[A-Za-z0-9]+$/.test(w.label),
);
const byWriter = new Map<string, UnipenWord[]>();
for (const w of words) byWriter.set(w.writer, [...(byWriter.get(w.writer) ?? []), w]);
const rand = createRandom(values.seed);
const writers = shuffleInPlace(
  [...byWriter.keys()].filter((k) => byWriter.get(k)!.length >= imported + values.others).sort(),
  rand,
).slice(0, values.writers);
const lm = (await defaultLanguageModel()).line;
const base = await loadLineModel(values.lineModel);
const charModel = await loadModel(packagePath('models', 'alnum36'));
const work = await mkdtemp(join(tmpdir(), 'hcr-bench-adapt-lines-page-'));
if ((await webBuildState()).stale) await buildWeb();
const app = await buildServer({
  model: charModel,
  lineModel: values.lineModel,
  rateLimitPerMinute: 0,
});
const running = await serveUntilSignal(app, { port: 0, signalSource: new EventEmitter() });
const browser = await chromium.launch({ executablePath: values.chromium, headless: true });
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const results: Record<string, unknown>[] = [];
try {
  for (const writer of writers) {
    const list = shuffleInPlace([...byWriter.get(writer)!], rand);
    const samples = list.slice(0, imported).map(asSample);
    const others = list.slice(imported, imported + values.others).map(asSample);
    const zip = join(work, 'words.zip');
    await writeFile(
      zip,
      encodeZip(
        samples.map((s, i) => ({
          name: `hcr-samples/lines/${String(i).padStart(4, '0')}.json`,
          data: new TextEncoder().encode(JSON.stringify(s)),
        })),
      ),
    );
    const context = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      acceptDownloads: true,
      // The page's CSP forbids eval; the bench's probes are strings (tsx rewrites functions).
      bypassCSP: true,
    });
    const page = await context.newPage();
    await page.goto(`${running.url}/#line`);
    await page.waitForFunction(`document.body.dataset.teachLines === 'ready'`, null, {
      timeout: 600_000,
    });
    await page.setInputFiles('#import', zip);
    await page.waitForFunction(
      `document.querySelectorAll('#teach-line-samples .line-sample').length === ${samples.length}`,
      null,
      { timeout: 120_000 },
    );
    await page.click('#teach-toggle');
    const cpuBefore = chromiumCpuSeconds();
    const clicked = Date.now();
    await page.click('#adapt-lines');
    await page.waitForFunction(`document.body.dataset.lineModel === 'adapted'`, null, {
      timeout: 3_600_000,
      polling: 500,
    });
    const wall = (Date.now() - clicked) / 1000;
    const cpu = chromiumCpuSeconds() - cpuBefore;
    const seconds = Number(await page.evaluate(`document.body.dataset.adaptLinesSeconds`));
    const status = (await page.textContent('#adapt-lines-status')) ?? '';
    if (values.screenshot) await page.screenshot({ path: values.screenshot, fullPage: true });
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.click('#export-line-model'),
    ]);
    const modelZip = join(work, 'line-model.zip');
    await download.saveAs(modelZip);
    for (const { name, data } of await decodeZip(await readFile(modelZip), modelZip)) {
      await mkdir(dirname(join(work, name)), { recursive: true });
      await writeFile(join(work, name), data);
    }
    await context.close();
    const adapted = await loadLineModel(join(work, 'hcr-adapted-line'));
    const texts = others.map((s) => s.text);
    const score = (read: { greedy: readonly string[]; withLanguageModel: readonly string[] }) => ({
      greedy: charAccuracy(read.greedy, texts),
      languageModel: charAccuracy(read.withLanguageModel, texts),
    });
    const read = { charset: base.metadata.charset, languageModel: lm };
    const before = score(readLineSamples(base.model, others, read));
    const after = score(readLineSamples(adapted.model, others, read));
    adapted.dispose();
    const result = {
      writer,
      imported: samples.length,
      trainedOn: values.words,
      adaptSeconds: seconds,
      wallSeconds: wall,
      chromiumCpuSeconds: cpu,
      targetSeconds: ADAPT_LINES_TARGET_SECONDS,
      others: { count: others.length, before, after },
      status,
    };
    results.push(result);
    if (!values.json) {
      console.log(
        `${writer}: ${samples.length} words imported, ${values.words} trained on; adapted in ${seconds.toFixed(1)} s (the page's figure; ${wall.toFixed(1)} s from the click), Chromium used ${cpu.toFixed(1)} s of processor meanwhile; target ≤ ${ADAPT_LINES_TARGET_SECONDS} s`,
      );
      console.log(
        `  the writer's ${others.length} other words, characters right: with the language model ${pct(before.languageModel)} → ${pct(after.languageModel)}, the model alone ${pct(before.greedy)} → ${pct(after.greedy)}`,
      );
      console.log(`  page: ${status}`);
    }
  }
} finally {
  await browser.close();
  await running.close();
  base.dispose();
  charModel.dispose();
  await rm(work, { recursive: true, force: true });
}
if (values.json) console.log(JSON.stringify({ lineModel: values.lineModel, results }, null, 2));
