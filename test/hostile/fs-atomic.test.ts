// Directory swaps interrupted by a crash (issue 13): recoverDirectory installs the complete
// staged version, or puts the previous one back, and removes what dead processes left.

import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recoverDirectory, replaceDirectoryAtomic } from '../../src/node/fs-atomic.js';

let dir: string;
// A pid no live process has (above the kernel's pid_max default of 4194304).
const DEAD = 4194399;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hcr-atomic-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function version(path: string, text: string): Promise<void> {
  await mkdir(path, { recursive: true });
  await writeFile(join(path, 'v.txt'), text);
}

describe('recoverDirectory', () => {
  it('installs the complete new version a crash left between the two renames', async () => {
    const target = join(dir, 'a');
    await version(join(dir, `.a.new-${DEAD}-0badf00d`), 'new');
    await version(join(dir, `.a.old-${DEAD}-0badf00d`), 'old');
    await version(join(dir, `.a.tmp-${DEAD}-12345678`), 'half');
    const report = await recoverDirectory(target);
    expect(report.restored).toBe('new');
    expect(await readFile(join(target, 'v.txt'), 'utf8')).toBe('new');
    expect((await readdir(dir)).filter((n) => n.startsWith('.a.'))).toEqual([]);
  });

  it('puts the previous version back when the new one never completed', async () => {
    const target = join(dir, 'b');
    await version(join(dir, `.b.old-${DEAD}-0badf00d`), 'old');
    await version(join(dir, `.b.tmp-${DEAD}-0badf00d`), 'half');
    expect((await recoverDirectory(target)).restored).toBe('old');
    expect(await readFile(join(target, 'v.txt'), 'utf8')).toBe('old');
  });

  it('keeps an intact directory, removes stale temporaries beside and inside it', async () => {
    const target = join(dir, 'c');
    await version(target, 'current');
    await version(join(dir, `.c.new-${DEAD}-0badf00d`), 'staged');
    await writeFile(join(target, `.history.json.tmp-${DEAD}-0badf00d`), '[');
    const report = await recoverDirectory(target);
    expect(report.restored).toBeNull();
    expect(report.removed).toHaveLength(2);
    expect(await readFile(join(target, 'v.txt'), 'utf8')).toBe('current');
    expect(await readdir(target)).toEqual(['v.txt']);
  });

  it('leaves the temporaries of a live process alone', async () => {
    const target = join(dir, 'd');
    await version(join(dir, `.d.new-${process.pid}-0badf00d`), 'in progress');
    const report = await recoverDirectory(target);
    expect(report).toMatchObject({ restored: null, busy: true, removed: [] });
    await rm(join(dir, `.d.new-${process.pid}-0badf00d`), { recursive: true });
  });

  it('a swap leaves no temporary behind', async () => {
    const target = join(dir, 'e');
    await replaceDirectoryAtomic(target, (tmp) => writeFile(join(tmp, 'v.txt'), '1'));
    await replaceDirectoryAtomic(target, (tmp) => writeFile(join(tmp, 'v.txt'), '2'));
    expect(await readFile(join(target, 'v.txt'), 'utf8')).toBe('2');
    expect((await readdir(dir)).filter((n) => n.startsWith('.e.'))).toEqual([]);
  });
});
