// The one place hcr's worker threads are started from (worker-bootstrap.ts): the compiled module
// as it is, a `.ts` one through a bootstrap that registers tsx's loader in the worker. The
// replica and server-pool tests start real workers through it.

import { describe, expect, it } from 'vitest';
import { startWorker, workerEntry } from '../../src/node/engine/worker-bootstrap.js';

describe('workerEntry', () => {
  it('runs the compiled .js beside a compiled caller', () => {
    const entry = workerEntry('file:///app/dist/node/server/work-pool.js', './work-worker');
    expect(entry).toEqual({
      script: new URL('file:///app/dist/node/server/work-worker.js'),
      eval: false,
    });
  });

  it("registers tsx's loader, then imports the .ts beside a .ts caller", () => {
    const entry = workerEntry(import.meta.url, './fixture-worker');
    expect(entry.eval).toBe(true);
    expect(entry.script).toMatch(
      /^import\("file:\/\/.*tsx.*\.mjs"\)\.then\(\(m\) => \{ m\.register\(\);/,
    );
    expect(entry.script).toContain(new URL('./fixture-worker.ts', import.meta.url).href);
  });
});

it('starts a worker that runs TypeScript', async () => {
  const worker = startWorker(import.meta.url, '../../src/core/errors');
  // errors.ts only declares things: the worker loads it and ends by itself.
  const code = await new Promise((resolve, reject) => {
    worker.once('error', reject);
    worker.once('exit', resolve);
  });
  expect(code).toBe(0);
});
