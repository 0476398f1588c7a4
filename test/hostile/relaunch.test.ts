// `hcr serve` gives memory back without the user setting an environment variable (issue 22):
// started without glibc's allocator settings, it serves from a second process whose environment
// holds them (src/node/cli/relaunch.ts), read here from /proc; --no-relaunch serves from the
// process started; SIGTERM and Ctrl-C's SIGINT still stop it cleanly, a launcher killed with
// SIGKILL takes the server with it, and the server's exit code is the command's. How much
// memory comes back is measured by test/hostile/server.test.ts and `npm run bench:serve`.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALLOCATOR_ENV, relaunchEnv, type LaunchContext } from '../../src/node/cli/relaunch.js';
import { EXIT_CODE } from '../../src/core/errors.js';
import { initEngine } from '../../src/node/engine/index.js';
import { saveFixtureModel } from '../server/helpers.js';

const ROOT = join(import.meta.dirname, '..', '..');
/** Starting a server loads tfjs and the model: slow on a loaded 2-core machine. */
const START_MS = 240_000;

const debian: LaunchContext = {
  platform: 'linux',
  glibc: '2.36',
  env: {},
  execArgv: ['--import', 'tsx'],
};

describe('relaunchEnv', () => {
  it('relaunches `hcr serve` on glibc with every allocator setting', () => {
    expect(relaunchEnv(['serve', '--port', '0'], debian)).toEqual(ALLOCATOR_ENV);
    expect(ALLOCATOR_ENV).toEqual({ MALLOC_MMAP_THRESHOLD_: '131072', MALLOC_ARENA_MAX: '2' });
  });

  it("keeps the user's own values and adds only the missing ones", () => {
    const env = { MALLOC_ARENA_MAX: '4' };
    expect(relaunchEnv(['serve'], { ...debian, env })).toEqual({
      MALLOC_MMAP_THRESHOLD_: '131072',
    });
    expect(relaunchEnv(['serve'], { ...debian, env: { ...ALLOCATOR_ENV } })).toBeUndefined();
  });

  it('runs everything else in the process started', () => {
    expect(relaunchEnv(['read', 'page.png'], debian)).toBeUndefined();
    expect(relaunchEnv(['serve', '--no-relaunch'], debian)).toBeUndefined();
    expect(relaunchEnv(['serve', '--help'], debian)).toBeUndefined();
    expect(relaunchEnv(['serve'], { ...debian, glibc: undefined })).toBeUndefined();
    expect(relaunchEnv(['serve'], { ...debian, platform: 'darwin' })).toBeUndefined();
    expect(relaunchEnv(['serve'], { ...debian, execArgv: ['--inspect'] })).toBeUndefined();
  });
});

/** `hcr serve` started as a user would, its launcher and the process that serves. */
interface Served {
  readonly launcher: ChildProcess;
  /** The serving process's id, from the `--json` line. */
  readonly pid: number;
  readonly url: string;
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr(): string;
}

let dir: string;
let modelDir: string;
const started: Served[] = [];

/** The environment of a user who never heard of glibc's settings. */
function plainEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env, ...extra };
  for (const name of Object.keys(ALLOCATOR_ENV)) if (!(name in extra)) delete env[name];
  return env;
}

function hcr(args: readonly string[], env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'src/node/cli/bin.ts'), ...args],
    // A process group of its own, as a shell gives a job: Ctrl-C is a SIGINT to the group.
    { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
}

async function serve(extraArgs: readonly string[] = [], env = plainEnv()): Promise<Served> {
  const launcher = hcr(
    ['serve', '--model', modelDir, '--port', '0', '--rate-limit', '0', '--json', ...extraArgs],
    env,
  );
  let stderr = '';
  launcher.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    launcher.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const line = await Promise.race([
    new Promise<string>((resolve) =>
      createInterface({ input: launcher.stdout! }).once('line', resolve),
    ),
    exit.then(({ code }) => {
      throw new Error(`hcr serve exited (${code}) before listening: ${stderr}`);
    }),
  ]);
  const { url, pid } = JSON.parse(line) as { url: string; pid: number };
  const served = { launcher, pid, url, exit, stderr: () => stderr };
  started.push(served);
  return served;
}

/** The environment a process started with, from /proc (not what it may have set since). */
function environOf(pid: number): Record<string, string> {
  const text = readFileSync(`/proc/${pid}/environ`, 'utf8');
  return Object.fromEntries(
    text
      .split('\0')
      .filter(Boolean)
      .map((entry) => [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)]),
  );
}

const alive = (pid: number) => existsSync(`/proc/${pid}`);

/** The settings of ALLOCATOR_ENV that the process `pid` started with. */
function allocatorSettingsOf(pid: number): Record<string, string> {
  const environ = environOf(pid);
  return Object.fromEntries(
    Object.keys(ALLOCATOR_ENV)
      .filter((name) => environ[name] !== undefined)
      .map((name) => [name, environ[name]!]),
  );
}

async function healthy(url: string): Promise<void> {
  const res = await fetch(`${url}/healthz`);
  expect(res.status).toBe(200);
}

const onGlibc =
  process.platform === 'linux' &&
  (process.report.getReport() as { header?: { glibcVersionRuntime?: string } }).header
    ?.glibcVersionRuntime !== undefined;

describe.skipIf(!onGlibc)('hcr serve on Linux with glibc', () => {
  beforeAll(async () => {
    await initEngine({ backend: 'wasm' });
    dir = await mkdtemp(join(tmpdir(), 'hcr-relaunch-'));
    modelDir = await saveFixtureModel(join(dir, 'model'));
  });

  afterAll(async () => {
    // Whatever a failed test left running: the servers and launchers these tests started.
    for (const served of started) {
      for (const pid of [served.pid, served.launcher.pid]) {
        if (pid !== undefined && alive(pid)) process.kill(pid, 'SIGKILL');
      }
    }
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it(
    'serves from a second process started with the allocator settings, and stops on SIGTERM',
    async () => {
      const served = await serve();
      expect(served.pid).not.toBe(served.launcher.pid);
      expect(allocatorSettingsOf(served.pid)).toEqual(ALLOCATOR_ENV);
      expect(allocatorSettingsOf(served.launcher.pid!)).toEqual({});
      await healthy(served.url);
      served.launcher.kill('SIGTERM');
      expect(await served.exit).toEqual({ code: 0, signal: null });
      expect(alive(served.pid)).toBe(false);
      expect(served.stderr()).toMatch(/hcr: SIGTERM: finishing requests in flight/);
      expect(served.stderr()).not.toMatch(/cut off|unexpected/);
    },
    START_MS,
  );

  it(
    "stops once on Ctrl-C's SIGINT, forwarded by the launcher",
    async () => {
      const served = await serve();
      // What a terminal does on Ctrl-C: SIGINT to the job's process group. The server, in a
      // group of its own, hears it once, from the launcher; also when a wrapper (tsx's CLI)
      // passes the same SIGINT on to the launcher a moment later.
      process.kill(-served.launcher.pid!, 'SIGINT');
      await new Promise((resolve) => setTimeout(resolve, 30));
      served.launcher.kill('SIGINT');
      expect(await served.exit).toEqual({ code: 0, signal: null });
      expect(alive(served.pid)).toBe(false);
      // One shutdown, not the forced one a second signal would start.
      expect(served.stderr().match(/SIGINT: finishing/g)).toHaveLength(1);
      expect(served.stderr()).not.toMatch(/cut off/);
    },
    START_MS,
  );

  it(
    'stops the server when its launcher is killed with SIGKILL',
    async () => {
      const served = await serve();
      served.launcher.kill('SIGKILL');
      await served.exit;
      await expect.poll(() => alive(served.pid), { timeout: 30_000, interval: 100 }).toBe(false);
    },
    START_MS,
  );

  it(
    'stops the server when its launcher is killed with SIGKILL while the server starts',
    async () => {
      const launcher = hcr(['serve', '--model', modelDir, '--port', '0', '--json'], plainEnv());
      const exit = new Promise((resolve) => launcher.once('exit', resolve));
      const childrenFile = `/proc/${launcher.pid}/task/${launcher.pid}/children`;
      let server = NaN;
      await expect
        .poll(
          () => {
            server = Number(readFileSync(childrenFile, 'utf8').trim().split(' ')[0] || NaN);
            return Number.isInteger(server);
          },
          { timeout: 30_000, interval: 10 },
        )
        .toBe(true);
      started.push({ launcher, pid: server, url: '', exit: exit as never, stderr: () => '' });
      launcher.kill('SIGKILL');
      await exit;
      await expect.poll(() => alive(server), { timeout: 60_000, interval: 100 }).toBe(false);
    },
    START_MS,
  );

  it(
    'serves from the process started with --no-relaunch, and stops on SIGTERM',
    async () => {
      const served = await serve(['--no-relaunch']);
      expect(served.pid).toBe(served.launcher.pid);
      expect(allocatorSettingsOf(served.pid)).toEqual({});
      await healthy(served.url);
      served.launcher.kill('SIGTERM');
      expect(await served.exit).toEqual({ code: 0, signal: null });
    },
    START_MS,
  );

  it(
    "exits with the server's exit code",
    async () => {
      const missing = join(dir, 'no-model');
      const run = (args: string[]) =>
        new Promise<number | null>((resolve) =>
          hcr(['serve', '--model', missing, '--port', '0', ...args], plainEnv()).once(
            'exit',
            resolve,
          ),
        );
      const [relaunched, here] = await Promise.all([run([]), run(['--no-relaunch'])]);
      expect(here).not.toBe(0);
      expect(relaunched).toBe(here);
      expect(here).toBe(EXIT_CODE.NOT_FOUND);
    },
    START_MS,
  );
});
