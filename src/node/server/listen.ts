// Listening and graceful shutdown: on SIGINT or SIGTERM the server stops taking connections,
// finishes the requests in flight, then closes; a second signal (or a time limit) closes the
// remaining connections at once.

import type { FastifyInstance } from 'fastify';
import { HcrError } from '../errors.js';
import { SERVER_DEFAULTS } from './config.js';

/** Something that emits signals: `process`, or an EventEmitter in tests. */
export interface SignalSource {
  on(event: string, listener: () => void): unknown;
  off(event: string, listener: () => void): unknown;
}

/** Options of {@link serveUntilSignal}; every field is optional. */
export interface ListenOptions {
  /** Port; 0 picks a free one. Default: {@link SERVER_DEFAULTS}.port (3000). */
  readonly port?: number;
  /** Address to listen on. Default: {@link SERVER_DEFAULTS}.host (127.0.0.1, this machine only). */
  readonly host?: string;
  /** Signals that start a graceful shutdown. Default: `['SIGINT', 'SIGTERM']`. */
  readonly signals?: readonly string[];
  /** Where signals come from. Default: `process`. */
  readonly signalSource?: SignalSource;
  /** How long requests in flight may take to finish before connections are cut. Default: 10,000 ms. */
  readonly shutdownTimeoutMs?: number;
  /** Called when a shutdown starts, with its cause (a signal name or `'close'`). Default: none. */
  readonly onShutdown?: (cause: string) => void;
}

/** How a server stopped. */
export interface ShutdownResult {
  /** What started it: a signal name, or `'close'` for {@link RunningServer.close}. */
  readonly cause: string;
  /** True when requests were still running and their connections were cut. */
  readonly forced: boolean;
}

/** A listening server. */
export interface RunningServer {
  /** The address it answers on, e.g. `http://127.0.0.1:3000`. */
  readonly url: string;
  readonly port: number;
  /** Resolves once the server has stopped (after a signal or {@link RunningServer.close}). */
  readonly closed: Promise<ShutdownResult>;
  /** Starts a graceful shutdown, as a signal would; resolves when it is done. */
  close(): Promise<ShutdownResult>;
}

/**
 * Listens, and shuts down gracefully on the first of `signals`: no new connections, requests in
 * flight finish (new requests on kept-alive connections get a 503), then the server closes. A
 * second signal, or `shutdownTimeoutMs`, cuts the remaining connections.
 *
 * @throws HcrError BAD_OPTION when the port is in use or the address cannot be listened on
 *
 * @example
 * const running = await serveUntilSignal(app, { port: 3000 });
 * console.log(`serving ${running.url}`);
 * await running.closed; // after Ctrl-C
 */
export async function serveUntilSignal(
  app: FastifyInstance,
  options: ListenOptions = {},
): Promise<RunningServer> {
  const signals = options.signals ?? ['SIGINT', 'SIGTERM'];
  const source = options.signalSource ?? process;
  const timeoutMs = options.shutdownTimeoutMs ?? 10_000;
  const wanted = {
    port: options.port ?? SERVER_DEFAULTS.port,
    host: options.host ?? SERVER_DEFAULTS.host,
  };
  try {
    await app.listen(wanted);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const where = `${wanted.host}:${wanted.port}`;
    if (code === 'EADDRINUSE') {
      throw new HcrError(
        'BAD_OPTION',
        `cannot listen on ${where}: the port is in use (another hcr serve?); pass --port N, or --port 0 for any free port`,
        { cause: error },
      );
    }
    if (code === 'EACCES' || code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') {
      throw new HcrError(
        'BAD_OPTION',
        `cannot listen on ${where}: ${code === 'EACCES' ? 'permission denied (ports below 1024 need privileges)' : 'no such address on this machine'}; pass another --port or --host`,
        { cause: error },
      );
    }
    throw error;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const host = wanted.host;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  let closing: Promise<ShutdownResult> | undefined;
  let forced = false;
  let resolveClosed: (result: ShutdownResult) => void = () => {};
  const closed = new Promise<ShutdownResult>((resolve) => {
    resolveClosed = resolve;
  });
  const cut = () => {
    forced = true;
    app.server.closeAllConnections();
  };
  const shutdown = (cause: string): Promise<ShutdownResult> => {
    if (closing) {
      cut();
      return closing;
    }
    options.onShutdown?.(cause);
    const timer = setTimeout(cut, timeoutMs);
    timer.unref();
    closing = app.close().then(() => {
      clearTimeout(timer);
      for (const signal of signals) source.off(signal, handlers.get(signal)!);
      const result = { cause, forced };
      resolveClosed(result);
      return result;
    });
    return closing;
  };
  const handlers = new Map(signals.map((signal) => [signal, () => void shutdown(signal)]));
  for (const [signal, handler] of handlers) source.on(signal, handler);
  return { url, port, closed, close: () => shutdown('close') };
}
