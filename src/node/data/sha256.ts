// SHA-256 of files, streamed, remembered per process and (optionally) across runs in
// `<cacheDir>/hashes.json`: the dataset cache is keyed by the hashes of its source files, and
// re-hashing 30 MB of data on every run is what would make a second run slow. A remembered
// hash is reused only while the file's inode, size, mtime and ctime are all unchanged: size
// and mtime alone can be forged (a copy with `touch -r`), but any write, rename or utimes call
// sets the ctime to the current time, which no user can set back.

import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { HcrError } from '../errors.js';
import { writeFileAtomic } from '../fs-atomic.js';
import { fileError } from './files.js';

/** Options of {@link sha256File}. */
export interface Sha256Options {
  /**
   * Directory whose `hashes.json` remembers hashes across runs (keyed by absolute path, inode,
   * size, mtime and ctime). Default: none, hashes are only remembered for the life of the process.
   */
  readonly cacheDir?: string;
}

/** File name of the hash store inside a cache directory. */
export const HASH_STORE_FILE = 'hashes.json';

interface StoredHash {
  readonly ino: number;
  readonly size: number;
  readonly mtimeMs: number;
  readonly ctimeMs: number;
  readonly sha256: string;
}

/** What must be unchanged for a remembered hash to be reused. */
type FileIdentity = Omit<StoredHash, 'sha256'>;

type HashStore = Record<string, StoredHash>;

// Per-process memo: the same file (path, inode, size, mtime, ctime) is hashed once; concurrent callers
// share one pending hash.
const memo = new Map<string, Promise<string>>();
// Pending writes of each hashes.json, chained so that concurrent updates do not lose entries.
const storeWrites = new Map<string, Promise<void>>();

/**
 * The hex SHA-256 of a file, streamed (constant memory). A file already hashed by this process
 * (same path, inode, size, mtime and ctime) is not read again; with `cacheDir`, neither is one hashed by an
 * earlier run. A missing file throws `NOT_FOUND`.
 *
 * @example
 * await sha256File('mnist/t10k-labels-idx1-ubyte.gz'); // 'f7ae60f9...'
 * await sha256File(path, { cacheDir: '~/.cache/hcr' }); // remembered in hashes.json
 */
export async function sha256File(path: string, options: Sha256Options = {}): Promise<string> {
  const absolute = resolve(path);
  let info;
  try {
    info = await stat(absolute);
  } catch (error) {
    throw fileError(path, error);
  }
  if (!info.isFile()) throw new HcrError('BAD_DATA', `${path}: not a regular file`);
  const identity: FileIdentity = {
    ino: info.ino,
    size: info.size,
    mtimeMs: info.mtimeMs,
    ctimeMs: info.ctimeMs,
  };
  const key = `${absolute}\0${JSON.stringify(identity)}`;
  let pending = memo.get(key);
  if (pending === undefined) {
    pending = hashWithStore(absolute, identity, options.cacheDir);
    memo.set(key, pending);
    pending.catch(() => memo.delete(key));
  }
  return pending;
}

/**
 * The hex SHA-256 of bytes in memory.
 *
 * @example
 * sha256Bytes(new TextEncoder().encode('abc')); // 'ba7816bf...'
 */
export function sha256Bytes(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Forgets the hashes remembered by this process (for tests; the on-disk store stays). */
export function clearSha256Memo(): void {
  memo.clear();
}

async function hashWithStore(
  absolute: string,
  identity: FileIdentity,
  cacheDir: string | undefined,
): Promise<string> {
  if (cacheDir === undefined) return hashStream(absolute);
  const storePath = join(cacheDir, HASH_STORE_FILE);
  const stored = (await readStore(storePath))[absolute];
  if (
    stored &&
    stored.ino === identity.ino &&
    stored.size === identity.size &&
    stored.mtimeMs === identity.mtimeMs &&
    stored.ctimeMs === identity.ctimeMs
  ) {
    return stored.sha256;
  }
  const sha256 = await hashStream(absolute);
  await updateStore(storePath, absolute, { ...identity, sha256 });
  return sha256;
}

function hashStream(path: string): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const hash = createHash('sha256');
    createReadStream(path, { highWaterMark: 1 << 20 })
      .on('data', (chunk) => hash.update(chunk))
      .on('error', (error) => reject(fileError(path, error)))
      .on('end', () => resolvePromise(hash.digest('hex')));
  });
}

// A store that cannot be read or parsed is treated as empty: it only saves time, and is
// rewritten on the next update.
async function readStore(storePath: string): Promise<HashStore> {
  try {
    const parsed: unknown = JSON.parse(await readFile(storePath, 'utf8'));
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return {};
    const store: HashStore = {};
    for (const [path, entry] of Object.entries(parsed as Record<string, unknown>)) {
      if (isStoredHash(entry)) store[path] = entry;
    }
    return store;
  } catch {
    return {};
  }
}

function isStoredHash(value: unknown): value is StoredHash {
  if (typeof value !== 'object' || value === null) return false;
  const entry = value as Record<string, unknown>;
  return (
    typeof entry.ino === 'number' &&
    typeof entry.size === 'number' &&
    typeof entry.mtimeMs === 'number' &&
    typeof entry.ctimeMs === 'number' &&
    typeof entry.sha256 === 'string' &&
    /^[0-9a-f]{64}$/.test(entry.sha256)
  );
}

function updateStore(storePath: string, path: string, entry: StoredHash): Promise<void> {
  const previous = storeWrites.get(storePath) ?? Promise.resolve();
  const next = previous.then(async () => {
    const store = await readStore(storePath);
    store[path] = entry;
    await writeFileAtomic(storePath, `${JSON.stringify(store, null, 1)}\n`);
  });
  // A failed write of the store only costs a re-hash next time; never fail the caller for it.
  const settled = next.catch(() => undefined);
  storeWrites.set(storePath, settled);
  return settled;
}
