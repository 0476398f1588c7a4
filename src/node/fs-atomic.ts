// Writes that never leave half a file or half a directory behind, and recovery from the ones a
// crash interrupted. A file goes to a temporary sibling and is renamed into place. A directory
// cannot be swapped with one rename (rename(2) only replaces an empty directory), so it moves
// through named stages next to it:
//
//   .<name>.tmp-<pid>-<hex>   being filled (incomplete: thrown away after a crash)
//   .<name>.new-<pid>-<hex>   complete, about to replace <name>
//   .<name>.old-<pid>-<hex>   the previous <name>, removed once the new one is in place
//
// A kill -9 between the two renames of a swap leaves no <name> but a complete `.new` (and the
// `.old`); {@link recoverDirectory} puts the newest complete version back in place and removes
// what dead processes left behind. Every reader and writer of such a directory calls it first.

import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** The stages of a directory swap, as they appear in temporary names. */
type Stage = 'tmp' | 'new' | 'old';

function sibling(path: string, stage: Stage, id: string): string {
  return join(dirname(path), `.${basename(path)}.${stage}-${id}`);
}

function uniqueId(): string {
  return `${process.pid}-${randomBytes(4).toString('hex')}`;
}

/** A temporary path next to `path`, unique to this process and call. */
export function temporarySibling(path: string): string {
  return sibling(path, 'tmp', uniqueId());
}

/**
 * Writes `data` to `path` atomically: readers see the old file or the whole new one.
 *
 * @example
 * await writeFileAtomic('runs/x/history.json', JSON.stringify(history));
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = temporarySibling(path);
  try {
    await writeFile(tmp, data);
    await rename(tmp, path);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
}

/** Test hook: milliseconds to sleep between the two renames of a directory swap. */
function swapPauseMs(): number {
  const value = Number(process.env.HCR_TEST_SWAP_PAUSE_MS ?? 0);
  return Number.isFinite(value) && value > 0 ? value : 0;
}

/**
 * Fills a fresh temporary directory with `fill`, then swaps it into place at `dir`. An
 * existing `dir` is replaced only after the new one is complete. A crash at any instant leaves
 * `dir` as the old or the new version, or (killed between the two renames) no `dir` but the
 * complete new version staged beside it, which {@link recoverDirectory} puts in place.
 *
 * @example
 * await replaceDirectoryAtomic('runs/x', async (tmp) => writeFile(join(tmp, 'a.json'), '{}'));
 */
export async function replaceDirectoryAtomic(
  dir: string,
  fill: (tmpDir: string) => Promise<void>,
): Promise<void> {
  await mkdir(dirname(dir), { recursive: true });
  const id = uniqueId();
  const tmp = sibling(dir, 'tmp', id);
  const staged = sibling(dir, 'new', id);
  const old = sibling(dir, 'old', id);
  await mkdir(tmp);
  try {
    await fill(tmp);
  } catch (error) {
    await rm(tmp, { recursive: true, force: true });
    throw error;
  }
  // The rename marks the new version complete: from here on, recovery may install it.
  await rename(tmp, staged);
  let moved = false;
  try {
    await rename(dir, old);
    moved = true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const pause = swapPauseMs();
  if (pause > 0) await new Promise((resolve) => setTimeout(resolve, pause));
  await rename(staged, dir);
  if (moved) await rm(old, { recursive: true, force: true });
}

/** What {@link recoverDirectory} did. */
export interface RecoveryReport {
  /** `'new'`: a complete version staged by a crashed save was installed; `'old'`: the previous version was put back. */
  readonly restored: 'new' | 'old' | null;
  /** Temporaries of crashed processes that were removed. */
  readonly removed: readonly string[];
  /** True when a live process is in the middle of swapping `dir` (nothing was touched). */
  readonly busy: boolean;
}

const TEMPORARY = /^\.(.+)\.(tmp|new|old)-(\d+)-([0-9a-f]+)$/;

// A temporary of this process counts as in use: another process that crashed with the same
// pid is too rare to risk removing a file being written.
function isAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

interface Temporary {
  readonly path: string;
  readonly stage: Stage;
  readonly alive: boolean;
}

async function temporariesOf(path: string): Promise<Temporary[]> {
  let names: string[];
  try {
    names = await readdir(dirname(path));
  } catch {
    return [];
  }
  const base = basename(path);
  const found: Temporary[] = [];
  for (const name of names) {
    const match = TEMPORARY.exec(name);
    if (!match || match[1] !== base) continue;
    const full = join(dirname(path), name);
    found.push({
      path: full,
      stage: match[2] as Stage,
      alive: isAlive(Number(match[3])),
    });
  }
  return found;
}

/**
 * Whether anything (file, folder, link target) is at `path`; false when it cannot be stat'ed.
 *
 * @example
 * if (!(await exists(archive))) await fetchArchive();
 */
export async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

async function newestFirst(paths: string[]): Promise<string[]> {
  const times = await Promise.all(
    paths.map(async (p) => ({ p, t: (await stat(p).catch(() => null))?.mtimeMs ?? 0 })),
  );
  return times.sort((a, b) => b.t - a.t).map((x) => x.p);
}

/**
 * Finishes or undoes a directory swap that a crash interrupted, and removes the temporaries
 * crashed processes left next to `dir` (and inside it: half-written files). When `dir` is
 * missing, the newest complete staged version is installed, else the previous version is put
 * back. Temporaries of live processes are never touched.
 *
 * @example
 * await recoverDirectory('runs/x'); // { restored: 'new', removed: ['runs/.x.old-123-9f0c'], busy: false }
 */
export async function recoverDirectory(dir: string): Promise<RecoveryReport> {
  const temporaries = await temporariesOf(dir);
  const busy = temporaries.some((t) => t.alive && t.stage !== 'tmp');
  let restored: RecoveryReport['restored'] = null;
  const dead = temporaries.filter((t) => !t.alive);
  if (!busy && !(await exists(dir))) {
    for (const stage of ['new', 'old'] as const) {
      const candidates = await newestFirst(
        dead.filter((t) => t.stage === stage).map((t) => t.path),
      );
      const pick = candidates[0];
      if (pick === undefined) continue;
      await rename(pick, dir);
      restored = stage;
      break;
    }
  }
  const removed: string[] = [];
  for (const t of dead) {
    if (!(await exists(t.path))) continue;
    await rm(t.path, { recursive: true, force: true });
    removed.push(t.path);
  }
  // Files written with writeFileAtomic straight into `dir` (history.json) leave their own.
  let inside: string[] = [];
  try {
    inside = await readdir(dir);
  } catch {
    inside = [];
  }
  for (const name of inside) {
    const match = TEMPORARY.exec(name);
    if (!match) continue;
    const full = join(dir, name);
    if (isAlive(Number(match[3]))) continue;
    await rm(full, { recursive: true, force: true });
    removed.push(full);
  }
  return { restored, removed, busy };
}
