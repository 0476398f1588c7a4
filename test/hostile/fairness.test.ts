// Fairness across clients (issue 22 §2), on a real socket: one address floods the server with
// slow pages (a 4800x4800 grid of bars, each running until its time budget) two at a time, while
// a fair address reads short lines one after the other. The fair client's reads are all answered
// (no 503) in about the time they take on an idle server, measured first as the control: before
// the pool shared its workers by address, each waited for a heavy page to end (seconds, the
// whole budget) or was refused. The heavy client's own pages pay: they wait, or are refused.
// Times are compared in orders of magnitude, so that a loaded 2-core machine does not fail it.

import { request as httpRequest } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { LINE_GLYPHS, linePng, saveFixtureModel } from '../server/helpers.js';
import { gridOfBarsPng } from './inputs.js';
import { startHostileServer, stopHostileServer, type HostileServer } from './serve-child.js';

/**
 * The heavy pages' time budget: each grid segments for seconds and is then over the candidate
 * budget or this, far longer than a line; and a line read within it even on a loaded machine.
 */
const BUDGET_MS = 20_000;

let dir: string;
let server: HostileServer;
let grid: Buffer;
let line: Buffer;

/** POSTs `body` from the loopback address `from` (127.0.0.x): its status and time in ms. */
function post(
  from: string,
  path: string,
  body: Buffer,
): Promise<{ status: number; ms: number; text: string }> {
  const start = performance.now();
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${server.url}${path}`, {
      method: 'POST',
      localAddress: from,
      agent: false,
      headers: { 'content-type': 'image/png', 'content-length': body.length },
    });
    req.on('error', reject);
    req.on('response', (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, ms: performance.now() - start, text }),
      );
    });
    req.end(body);
  });
}

/** `count` reads of the line from `from`, one after the other. */
async function fairReads(
  from: string,
  count: number,
): Promise<{ status: number; ms: number; text: string }[]> {
  const answers = [];
  for (let i = 0; i < count; i++) answers.push(await post(from, '/api/read', line));
  return answers;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;

beforeAll(async () => {
  grid = await gridOfBarsPng(4800);
  line = (await linePng([LINE_GLYPHS.L, LINE_GLYPHS['1'], LINE_GLYPHS.L])).png;
  dir = await mkdtemp(join(tmpdir(), 'hcr-fair-'));
  const modelDir = await saveFixtureModel(join(dir, 'model'));
  server = await startHostileServer(modelDir, {
    rateLimitPerMinute: 0,
    lineModel: false,
    concurrency: 2,
    workTimeoutMs: BUDGET_MS,
  });
}, 300_000);

afterAll(async () => {
  if (server) await stopHostileServer(server);
  await rm(dir, { recursive: true, force: true });
});

it("keeps a fair client's reads near their idle time while another address floods slow pages", async () => {
  // Warm-up of both workers at once (each compiles its kernels: tens of seconds on a loaded
  // machine), then the control: the fair client alone.
  await Promise.all([fairReads('127.0.0.4', 2), fairReads('127.0.0.5', 2)]);
  const control = await fairReads('127.0.0.3', 8);
  expect(control.filter((a) => a.status !== 200).map((a) => `${a.status} ${a.text}`)).toEqual([]);

  let flooding = true;
  const heavyStatuses: number[] = [];
  const heavy = async () => {
    while (flooding) heavyStatuses.push((await post('127.0.0.2', '/api/read', grid)).status);
  };
  const floods = [heavy(), heavy()];
  // Let the heavy pages take the workers first.
  await new Promise((resolve) => setTimeout(resolve, 500));
  const fair = await fairReads('127.0.0.3', 8);
  flooding = false;
  await Promise.all(floods);

  const refused = fair.filter((a) => a.status !== 200).map((a) => `${a.status} ${a.text}`);
  expect(refused).toEqual([]);
  // Each heavy page was over a budget (422) or waited its turn out (503): it cost its sender.
  expect(heavyStatuses.length).toBeGreaterThan(0);
  expect(heavyStatuses.every((s) => s === 422 || s === 503)).toBe(true);
  const fairMs = fair.map((a) => a.ms);
  // Within an order of magnitude of the control (plus what a second core's page costs a loaded
  // machine), and none near a heavy page's budget, which each waited for before.
  expect(median(fairMs)).toBeLessThan(10 * median(control.map((a) => a.ms)) + 500);
  expect(Math.max(...fairMs)).toBeLessThan(BUDGET_MS / 2);
  expect(server.errors()).toBe('');
}, 300_000);
