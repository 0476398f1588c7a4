// Starts test/hostile/serve.ts in a child process of its own, so that the server's memory and
// event loop are measured alone, and stops it. The process runs with the allocator settings
// `hcr serve` starts itself with (ALLOCATOR_ENV, src/node/cli/relaunch.ts), since it serves
// from buildServer without the CLI.

import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { ALLOCATOR_ENV } from '../../src/node/cli/relaunch.js';

/** A server in a child process. */
export interface HostileServer {
  readonly child: ChildProcess;
  /** The address it answers on, e.g. `http://127.0.0.1:40123`. */
  readonly url: string;
  /** What the server wrote on stderr so far: one JSON line per internal error. */
  errors(): string;
}

/**
 * Starts the server on a free port of 127.0.0.1 with `options` (buildServer's) and `env` (by
 * default this process's with {@link ALLOCATOR_ENV}), and resolves once it listens.
 *
 * @example
 * const server = await startHostileServer(modelDir, { workTimeoutMs: 6_000 });
 * await fetch(`${server.url}/healthz`);
 * await stopHostileServer(server);
 */
export async function startHostileServer(
  modelDir: string,
  options: object,
  env: NodeJS.ProcessEnv = { ...process.env, ...ALLOCATOR_ENV },
): Promise<HostileServer> {
  let stderr = '';
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(import.meta.dirname, 'serve.ts'), modelDir, JSON.stringify(options)],
    { cwd: join(import.meta.dirname, '..', '..'), env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const lines = createInterface({ input: child.stdout! });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`server exited (${code}): ${stderr}`)));
    lines.once('line', (line) => resolve((JSON.parse(line) as { url: string }).url));
  });
  return { child, url, errors: () => stderr };
}

/** Stops the server (SIGTERM, a graceful close) and waits for its process to exit. */
export async function stopHostileServer(server: HostileServer): Promise<void> {
  if (server.child.exitCode !== null) return;
  const exited = new Promise((resolve) => server.child.once('exit', resolve));
  server.child.kill('SIGTERM');
  await exited;
}
