// When `npm start` rebuilds the page: the build is missing, or a source is newer than it.

import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WEB_SOURCES, webBuildState } from '../../src/node/server/web-build.js';

let root: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'hcr-web-build-'));
  await mkdir(join(root, 'src', 'web'), { recursive: true });
  await mkdir(join(root, 'src', 'core', 'read'), { recursive: true });
  await writeFile(join(root, 'src', 'web', 'index.html'), '<!doctype html>');
  await writeFile(join(root, 'src', 'core', 'read', 'deep.ts'), 'export {};');
  await writeFile(join(root, 'vite.config.ts'), 'export default {};');
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Sets a file's modification time to `seconds` after the epoch. */
const touch = (path: string, seconds: number) => utimes(path, seconds, seconds);

describe('webBuildState', () => {
  it('builds from the page, core and the Vite config', () => {
    expect(WEB_SOURCES).toEqual(['src/web', 'src/core', 'vite.config.ts']);
  });

  it('is stale when the page was never built', async () => {
    expect(await webBuildState({ root })).toEqual({
      stale: true,
      reason: 'dist/web/index.html is missing',
      hasSources: true,
    });
  });

  it('is up to date when the build is newer than every source', async () => {
    await mkdir(join(root, 'dist', 'web'), { recursive: true });
    for (const file of ['src/web/index.html', 'src/core/read/deep.ts', 'vite.config.ts']) {
      await touch(join(root, file), 1_000_000);
    }
    await writeFile(join(root, 'dist', 'web', 'index.html'), 'built');
    await touch(join(root, 'dist', 'web', 'index.html'), 2_000_000);
    expect(await webBuildState({ root })).toMatchObject({ stale: false, reason: 'up to date' });
  });

  it('names the source that is newer than the build, however deep', async () => {
    await touch(join(root, 'src', 'core', 'read', 'deep.ts'), 3_000_000);
    expect(await webBuildState({ root })).toMatchObject({
      stale: true,
      reason: 'src/core/read/deep.ts is newer than the build',
    });
  });

  it('never asks an installed package (no sources) to rebuild its shipped page', async () => {
    await rm(join(root, 'src'), { recursive: true });
    expect(await webBuildState({ root })).toEqual({
      stale: false,
      reason: 'no sources to compare with',
      hasSources: false,
    });
  });
});
