// bench:serve's server: `hcr serve` started as a child process on loopback, as a user starts it
// (without glibc's allocator settings: it relaunches itself with them, src/node/cli/relaunch.ts),
// with a monitor of its event loop's delay loaded into the serving process; its /healthz, its
// memory, and stopping it.

import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface Health {
  tensors: number;
  rssBytes: number;
  heapUsedBytes: number;
  workers?: { busy: number; starting: number; queued: number; restarts: number };
}

/**
 * Waits until the server's workers are idle and none is starting (autocannon's last requests,
 * cut when it stops, and hostile work make the pool replace workers), at most 60 s.
 */
export async function untilIdle(url: string): Promise<Health> {
  const end = performance.now() + 60_000;
  for (;;) {
    const h = await health(url);
    const w = h.workers;
    if (!w || (w.busy === 0 && w.starting === 0 && w.queued === 0) || performance.now() > end) {
      return h;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * Loaded into the server's process: the event loop's delay, measured by perf_hooks, written to
 * stderr as one JSON line (and the histogram reset) on each SIGUSR2.
 */
export const LOOP_DELAY_MONITOR = `data:text/javascript,${encodeURIComponent(
  [
    "import { monitorEventLoopDelay } from 'node:perf_hooks';",
    'const h = monitorEventLoopDelay({ resolution: 10 });',
    'h.enable();',
    "process.on('SIGUSR2', () => {",
    "  process.stderr.write(JSON.stringify({ loopDelayMaxMs: h.max / 1e6 }) + '\\n');",
    '  h.reset();',
    '});',
  ].join('\n'),
)}`;

/** Asks the server for its longest event-loop delay since the last ask, in ms. */
export async function loopDelayMaxMs(server: Server): Promise<number> {
  const answer = new Promise<number>((resolve) => {
    const onLine = (line: string) => {
      if (!line.startsWith('{"loopDelayMaxMs"')) return;
      server.lines.off('line', onLine);
      resolve((JSON.parse(line) as { loopDelayMaxMs: number }).loopDelayMaxMs);
    };
    server.lines.on('line', onLine);
  });
  process.kill(server.pid, 'SIGUSR2');
  return answer;
}

export interface Server {
  /** The process started: `hcr serve`'s launcher, or the server itself with --no-relaunch. */
  readonly child: ChildProcess;
  /** The process that serves (from the `--json` line); the monitor answers there. */
  readonly pid: number;
  readonly url: string;
  /** The server's stderr, line by line. */
  readonly lines: ReturnType<typeof createInterface>;
}

/**
 * Starts `hcr serve --port 0` and resolves with its URL once it listens; `relaunch: false`
 * passes --no-relaunch.
 */
export async function startServer(
  model: string,
  backend: string,
  relaunch: boolean,
): Promise<Server> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      '--import',
      LOOP_DELAY_MONITOR,
      path.join(ROOT, 'src', 'node', 'cli', 'bin.ts'),
      'serve',
      '--model',
      model,
      '--port',
      '0',
      '--rate-limit',
      '0',
      '--backend',
      backend,
      '--json',
      ...(relaunch ? [] : ['--no-relaunch']),
    ],
    // This environment as it is: `hcr serve` adds glibc's allocator settings itself.
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const lines = createInterface({ input: child.stdout! });
  const { url, pid } = await new Promise<{ url: string; pid: number }>((resolve, reject) => {
    child.once('exit', (code) =>
      reject(new Error(`hcr serve exited with code ${code} before listening:\n${stderr}`)),
    );
    lines.once('line', (line) => resolve(JSON.parse(line) as { url: string; pid: number }));
  });
  return { child, pid, url, lines: createInterface({ input: child.stderr! }) };
}

/** The resident memory of process `pid` in MiB (Linux), or NaN when it cannot be read. */
export function rssMiBOf(pid: number | undefined): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1]) / 1024;
  } catch {
    return NaN;
  }
}

export async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

export async function health(url: string): Promise<Health> {
  const response = await fetch(`${url}/healthz`);
  return (await response.json()) as Health;
}
