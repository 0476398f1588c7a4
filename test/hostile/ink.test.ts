// Ink bounded like pixels (issue 22 §5), on a real socket: InkML of a million points, of 10,000
// strokes and nested 100,000 deep is refused by the ink budgets with a clear 422, while /healthz,
// polled throughout, stays as quick as when the server is idle (the body is parsed and drawn in a
// worker, never on the event loop). Times are compared in orders of magnitude, so that a loaded
// 2-core machine does not fail it.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { saveFixtureModel } from '../server/helpers.js';
import { startHostileServer, stopHostileServer, type HostileServer } from './serve-child.js';

let dir: string;
let server: HostileServer;

const p99 = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) * 0.99)]!;

/** /healthz's latencies, polled every 25 ms until `done` settles. */
async function pollHealth(done: Promise<unknown>): Promise<number[]> {
  const latencies: number[] = [];
  let running = true;
  void done.finally(() => (running = false));
  while (running) {
    const start = performance.now();
    const res = await fetch(`${server.url}/healthz`);
    await res.arrayBuffer();
    latencies.push(performance.now() - start);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return latencies;
}

const trace = (points: number) =>
  `<trace>${Array.from({ length: points }, (_, i) => `${i % 997} ${i % 89}`).join(',')}</trace>`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hcr-ink-'));
  const modelDir = await saveFixtureModel(join(dir, 'model'));
  server = await startHostileServer(modelDir, { rateLimitPerMinute: 0, lineModel: false });
}, 300_000);

afterAll(async () => {
  if (server) await stopHostileServer(server);
  await rm(dir, { recursive: true, force: true });
});

it('refuses a million points, 10,000 strokes and deep nesting while /healthz stays quick', async () => {
  const idle = await pollHealth(new Promise((resolve) => setTimeout(resolve, 1_000)));
  const bodies: [string, string, RegExp][] = [
    ['a million points', `<ink>${trace(1_000_000)}</ink>`, /at most 200000 points/],
    ['10,000 strokes', `<ink>${trace(2).repeat(10_000)}</ink>`, /at most 2000 strokes/],
    [
      'nested 100,000 deep',
      `<ink>${'<traceGroup>'.repeat(100_000)}${trace(2)}${'</traceGroup>'.repeat(100_000)}</ink>`,
      /nest|deep/i,
    ],
  ];
  const busy: number[] = [];
  for (const [name, body, message] of bodies) {
    expect(body.length, name).toBeLessThan(10 * 1024 * 1024);
    const answer = fetch(`${server.url}/api/ink`, {
      method: 'POST',
      headers: { 'content-type': 'application/inkml+xml' },
      body,
    }).then(async (res) => ({
      status: res.status,
      body: (await res.json()) as { code: string; message: string },
    }));
    busy.push(...(await pollHealth(answer)));
    const { status, body: reply } = await answer;
    expect({ name, status, code: reply.code }).toEqual({ name, status: 422, code: 'BAD_INK' });
    expect(reply.message).toMatch(message);
  }
  // The loop never held for long: each poll within an order of magnitude of the idle ones (plus
  // what a loaded machine adds), none near a second.
  expect(p99(busy)).toBeLessThan(10 * p99(idle) + 100);
  expect(Math.max(...busy)).toBeLessThan(1_000);
  expect(server.errors()).toBe('');
}, 300_000);
