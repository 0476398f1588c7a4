// `hcr serve` on Linux with glibc runs in a second process started with glibc's allocator
// settings, so that the memory a burst of large uploads took goes back to the system once the
// burst is over (docs/HTTP-API.md "Memory"). glibc reads these settings only from the
// environment at start-up, so the process that the user started starts itself again with them
// and stays as a small launcher: it forwards signals to the server and exits with its code.
// bin.ts calls this before the CLI's modules load, so the launcher holds little memory; this
// file imports nothing but Node's own modules.

import { spawn } from 'node:child_process';
import { constants } from 'node:os';

/**
 * The allocator settings `hcr serve` runs with (measured in docs/HTTP-API.md "Memory"):
 * buffers of 128 KiB or more are mapped on their own and unmapped when freed, rather than kept
 * in the heap for reuse (glibc otherwise raises this threshold up to 32 MiB as large buffers
 * are freed); and two arenas for all threads instead of up to eight per core, so the free
 * memory a burst leaves in each worker thread's arena is not kept many times over.
 */
export const ALLOCATOR_ENV: Readonly<Record<string, string>> = Object.freeze({
  MALLOC_MMAP_THRESHOLD_: '131072',
  MALLOC_ARENA_MAX: '2',
});

/** The flag of `hcr serve` that keeps it in the process the user started. */
export const NO_RELAUNCH_FLAG = '--no-relaunch';

/** What decides whether `hcr serve` starts itself again (the running process, in the CLI). */
export interface LaunchContext {
  readonly platform: NodeJS.Platform;
  /** glibc's version when Node runs on glibc; undefined elsewhere (musl, macOS, Windows). */
  readonly glibc: string | undefined;
  readonly env: NodeJS.ProcessEnv;
  /** Node's own flags (`process.execArgv`). */
  readonly execArgv: readonly string[];
}

function currentContext(): LaunchContext {
  const header = (process.report.getReport() as { header?: { glibcVersionRuntime?: string } })
    .header;
  return {
    platform: process.platform,
    glibc: header?.glibcVersionRuntime,
    env: process.env,
    execArgv: process.execArgv,
  };
}

/**
 * The environment variables `hcr <argv>` should start itself again with, or undefined when it
 * runs here: for `hcr serve` on Linux with glibc when one of {@link ALLOCATOR_ENV} is unset
 * (the user's own values are kept), unless it was given `--no-relaunch`, asked for help, or
 * runs under the inspector (a debugger attached here would not see the server).
 *
 * @example
 * relaunchEnv(['serve', '--port', '0']); // { MALLOC_MMAP_THRESHOLD_: '131072', MALLOC_ARENA_MAX: '2' } on Debian
 * relaunchEnv(['serve', '--no-relaunch']); // undefined
 */
export function relaunchEnv(
  argv: readonly string[],
  given?: LaunchContext,
): Record<string, string> | undefined {
  if (argv[0] !== 'serve') return undefined;
  if (argv.some((arg) => arg === NO_RELAUNCH_FLAG || arg === '--help' || arg === '-h')) {
    return undefined;
  }
  // Node's report (which names the C library) is built only for `hcr serve`.
  const context = given ?? currentContext();
  if (context.platform !== 'linux' || context.glibc === undefined) return undefined;
  if (context.execArgv.some((flag) => flag.startsWith('--inspect'))) return undefined;
  const missing = Object.entries(ALLOCATOR_ENV).filter(([name]) => context.env[name] === undefined);
  return missing.length === 0 ? undefined : { ...Object.fromEntries(missing) };
}

/** The signals the launcher passes on to the server (a terminal's Ctrl-C reaches only it). */
const FORWARDED_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * The same signal again within this many ms is the same signal delivered twice, not a second
 * Ctrl-C: a wrapper such as tsx's CLI passes on the terminal's SIGINT when its child has not
 * said within 30 ms that it got it (measured 45 ms apart on a loaded machine), and the server
 * would take the second as "stop now" and cut its requests off.
 */
const SAME_SIGNAL_MS = 200;

/**
 * Runs `hcr <argv>` again in a second process with `env` added to this one's environment, and
 * resolves with its exit code (128 + the signal's number when a signal ended it), or undefined
 * when it could not be started. The second process has its own process group, so that a
 * terminal's Ctrl-C reaches it once, forwarded from here (SIGINT, SIGTERM and SIGHUP are; the
 * same signal again within {@link SAME_SIGNAL_MS} is not passed on twice); it
 * inherits stdin, stdout and stderr; and it stops as on SIGTERM when this process is gone
 * ({@link stopWhenLauncherLeaves}).
 *
 * @example
 * process.exitCode = await relaunch(['serve'], { MALLOC_ARENA_MAX: '2' });
 */
export function relaunch(
  argv: readonly string[],
  env: Readonly<Record<string, string>>,
): Promise<number | undefined> {
  const script = process.argv[1];
  if (script === undefined) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...process.execArgv, script, ...argv], {
      env: { ...process.env, ...env },
      stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
      detached: true,
    });
    const lastSent = new Map<NodeJS.Signals, number>();
    const forwarder = (signal: NodeJS.Signals) => () => {
      const now = performance.now();
      if (now - (lastSent.get(signal) ?? -Infinity) < SAME_SIGNAL_MS) return;
      lastSent.set(signal, now);
      child.kill(signal);
    };
    const forward = new Map(FORWARDED_SIGNALS.map((signal) => [signal, forwarder(signal)]));
    const stopForwarding = () => {
      for (const [signal, handler] of forward) process.off(signal, handler);
    };
    child.once('spawn', () => {
      for (const [signal, handler] of forward) process.on(signal, handler);
    });
    child.once('error', (error) => {
      // Only a process that did not start: once running, the server's own exit settles this.
      if (child.pid !== undefined) return;
      stopForwarding();
      process.stderr.write(
        `hcr: could not start the server with glibc's allocator settings (${error.message}); serving in this process\n`,
      );
      resolve(undefined);
    });
    child.once('exit', (code, signal) => {
      stopForwarding();
      resolve(code ?? 128 + (signal ? constants.signals[signal] : 0));
    });
  });
}

/**
 * `hcr <argv>` as the entry point runs it: `hcr serve` starts itself again when
 * {@link relaunchEnv} says so, and resolves with the server's exit code; otherwise resolves
 * undefined for the CLI to run the command here, a server started by {@link relaunch} first
 * watching its launcher ({@link stopWhenLauncherLeaves}).
 *
 * @example
 * process.exitCode = (await relaunchServe(argv)) ?? (await main(argv));
 */
export async function relaunchServe(argv: readonly string[]): Promise<number | undefined> {
  const env = relaunchEnv(argv);
  if (env !== undefined) return relaunch(argv, env);
  if (argv[0] === 'serve') stopWhenLauncherLeaves();
  return undefined;
}

/**
 * In the server that {@link relaunch} started: when the launcher is gone (killed with SIGKILL,
 * so it could not forward a signal), stop as on SIGTERM, finishing the requests in flight,
 * rather than serve on with nobody to stop it. Called before the first await of the process,
 * so that a launcher gone during start-up is seen too. A process started without an IPC
 * channel has no launcher to watch: nothing changes.
 */
export function stopWhenLauncherLeaves(): void {
  // Node defines `connected` only in a process started with an IPC channel.
  const connected = (process as { connected?: boolean }).connected;
  if (connected === undefined) return;
  // Under a loader (tsx) the event loop turns before this runs: the launcher may be gone.
  if (!connected) {
    process.kill(process.pid, 'SIGTERM');
    return;
  }
  // The channel only watches the launcher: it must not keep the server's process alive.
  process.channel?.unref();
  process.once('disconnect', () => process.kill(process.pid, 'SIGTERM'));
}
