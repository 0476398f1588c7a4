// `hcr read --ink`: files of ink (JSON strokes, InkML) read like images, each file's failure
// (missing, not ink, over the budgets) an error entry that names it, the others still read.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readInkFiles } from '../../src/node/cli/ink-files.js';
import { initEngine } from '../../src/node/engine/index.js';
import { loadModel, type LoadedModel } from '../../src/node/model/artifact.js';
import { packagePath } from '../../src/node/package-root.js';

const L1 = [
  [
    { x: 10, y: 10, t: 0 },
    { x: 10, y: 50, t: 16 },
    { x: 32, y: 50, t: 32 },
  ],
  [
    { x: 50, y: 18, t: 200 },
    { x: 56, y: 10, t: 216 },
    { x: 56, y: 50, t: 232 },
  ],
];

describe('readInkFiles', () => {
  let dir: string;
  let loaded: LoadedModel;

  beforeAll(async () => {
    await initEngine({ backend: 'wasm' });
    loaded = await loadModel(packagePath('models/alnum36'));
    dir = await mkdtemp(join(tmpdir(), 'hcr-read-ink-'));
  }, 60_000);

  afterAll(async () => {
    loaded?.dispose();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('reads JSON and InkML files, and names each file that cannot be read', async () => {
    const json = join(dir, 'l1.json');
    await writeFile(json, JSON.stringify({ strokes: L1 }));
    const inkml = join(dir, 'l1.inkml');
    await writeFile(
      inkml,
      `<ink xmlns="http://www.w3.org/2003/InkML">${L1.map(
        (s) => `<trace>${s.map((p) => `${p.x} ${p.y}`).join(', ')}</trace>`,
      ).join('')}</ink>`,
    );
    const bad = join(dir, 'bad.inkml');
    await writeFile(bad, '<ink><trace>1 2, 3</trace></ink>');
    const results = await readInkFiles(loaded, [json, inkml, bad, join(dir, 'gone.json'), dir]);
    expect(results.map((r) => r.status)).toEqual(['ok', 'ok', 'error', 'error', 'error']);
    expect(results[0]).toMatchObject({ text: 'L1' });
    expect(results[1]).toMatchObject({ text: 'L1' });
    expect(results[2]).toMatchObject({
      code: 'BAD_INK',
      error: expect.stringMatching(
        /bad\.inkml: trace 0: point 1: expected 2 values \(X Y\), got 1/,
      ),
    });
    expect(results[3]).toMatchObject({ code: 'NOT_FOUND' });
    expect(results[4]).toMatchObject({
      code: 'BAD_INK',
      error: expect.stringMatching(/expected an ink file/),
    });
  });
});
