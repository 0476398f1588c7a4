// data/zip.ts on its own: zip's CRC-32 (the standard check value, and continued over chunks),
// and a clear error for a file that is no zip. Archives with members, ZIP64 and broken
// archives are covered through `hcr data download` in download.test.ts.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { crc32, readZipDirectory } from '../../src/node/data/zip.js';

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe('zip', () => {
  it('crc32 gives the standard check value, whole or in chunks', () => {
    const data = new TextEncoder().encode('123456789');
    expect(crc32(data, 0)).toBe(0xcbf43926);
    expect(crc32(data.subarray(4), crc32(data.subarray(0, 4), 0))).toBe(0xcbf43926);
  });

  it('readZipDirectory refuses a file without an end-of-central-directory record', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hcr-zip-'));
    dirs.push(dir);
    const path = join(dir, 'not.zip');
    await writeFile(path, Buffer.alloc(100, 7));
    await expect(readZipDirectory(path, 'x/not.zip')).rejects.toThrow(
      /^x\/not\.zip: not a complete zip archive: no end-of-central-directory record$/,
    );
  });
});
