// `hcr serve`: loads the model, starts the HTTP server (page + API) and runs until Ctrl-C or
// SIGTERM, finishing the requests in flight before it exits.

import { initEngine, type BackendName } from '../engine/index.js';
import { loadModel } from '../model/artifact.js';
import { buildServer, type ServerEvent } from '../server/app.js';
import { SERVER_DEFAULTS } from '../server/config.js';
import { serveUntilSignal } from '../server/listen.js';
import { webBuildState } from '../server/web-build.js';

/** Options of {@link serveCommand}, as the CLI parsed them. */
export interface ServeCliOptions {
  /** The model directory (already resolved: the shipped model when --model is absent). */
  readonly modelDir: string;
  readonly port: number;
  readonly host: string;
  readonly backend: string;
  readonly rateLimit: number;
  readonly maxUploadMb: number;
  readonly maxPixels: number;
  /** Print one line per request. */
  readonly log?: boolean;
  /** Print the address as JSON (`{"url": ...}`) rather than a sentence. */
  readonly json?: boolean;
}

/** Where `hcr serve` writes: stdout for its address, stderr for everything else. */
export interface ServeOutput {
  print(text: string): void;
  note(text: string): void;
}

function describe(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

/**
 * Runs `hcr serve` until a signal stops it; resolves once the server has closed.
 *
 * @example
 * await serveCommand({ modelDir: 'models/alnum36', port: 3000, host: '127.0.0.1', ... }, output);
 */
export async function serveCommand(options: ServeCliOptions, output: ServeOutput): Promise<void> {
  const engine = await initEngine({ backend: options.backend as BackendName });
  const loaded = await loadModel(options.modelDir);
  try {
    const onEvent = (event: ServerEvent) => {
      if (event.type === 'error') {
        output.note(`hcr: ${event.method} ${event.url} failed: ${describe(event.error)}`);
      } else if (options.log) {
        output.note(`${event.method} ${event.url} ${event.status} ${event.ms.toFixed(1)} ms`);
      }
    };
    const app = await buildServer({
      model: loaded,
      rateLimitPerMinute: options.rateLimit,
      maxUploadBytes: Math.round(options.maxUploadMb * 1024 * 1024),
      maxPixels: options.maxPixels,
      onEvent,
    });
    const running = await serveUntilSignal(app, {
      port: options.port,
      host: options.host,
      onShutdown: (cause) =>
        output.note(
          `\nhcr: ${cause}: finishing requests in flight, then stopping (again to stop now)`,
        ),
    });
    if (options.json) {
      output.print(
        JSON.stringify({ url: running.url, model: loaded.dir, backend: engine.backend }),
      );
    } else {
      output.print(`hcr: serving ${running.url}  (model ${loaded.dir}, ${engine.backend} backend)`);
      output.note('press Ctrl-C to stop');
    }
    const web = await webBuildState();
    if (web.stale) {
      output.note(
        `hcr: the web page is ${web.reason.includes('missing') ? 'not built' : 'out of date'} (${web.reason}): run 'npm run build:web', or 'npm start' which builds it`,
      );
    }
    const result = await running.closed;
    if (result.forced) output.note('hcr: stopped; requests still running were cut off');
  } finally {
    loaded.dispose();
  }
}

/** Defaults of the `hcr serve` flags, for --help. */
export const SERVE_CLI_DEFAULTS = Object.freeze({
  port: SERVER_DEFAULTS.port,
  host: SERVER_DEFAULTS.host,
  rateLimit: SERVER_DEFAULTS.rateLimitPerMinute,
  maxUploadMb: SERVER_DEFAULTS.maxUploadBytes / 1024 / 1024,
  maxPixels: SERVER_DEFAULTS.maxPixels,
});
