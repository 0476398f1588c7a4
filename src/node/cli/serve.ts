// `hcr serve`: loads the default model, starts the HTTP server (page + API) with the other models
// beside it, and runs until Ctrl-C or SIGTERM, finishing the requests in flight before it exits.
// Without --model it serves every shipped classifier under the package's models/. On Linux with
// glibc it runs in a second process with the allocator settings of relaunch.ts, which bin.ts
// starts before this module loads (--no-relaunch keeps it in the first).

import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { HcrError } from '../../core/errors.js';
import { initEngine, type BackendName } from '../engine/index.js';
import { loadModel, readMetadata } from '../model/artifact.js';
import { METADATA_FILE, checkpointDirFor } from '../model/files.js';
import { packagePath } from '../package-root.js';
import { isLineModelDir } from '../read/line-reader.js';
import { buildServer, type ServerEvent } from '../server/app.js';
import { SERVER_DEFAULTS } from '../server/config.js';
import { serveUntilSignal } from '../server/listen.js';
import { servedModelName } from '../server/served-models.js';
import { webBuildState } from '../server/web-build.js';
import { defineCommand } from './command.js';
import { DEFAULT_MODEL_DIR, RUN_OPTIONS, note, print } from './common.js';
import { defineOptions } from './options.js';
import { NO_RELAUNCH_FLAG } from './relaunch.js';

/** Options of {@link serveCommand}, as the CLI parsed them. */
export interface ServeCliOptions {
  /**
   * The model directories, the default first (already resolved: the shipped models when --model
   * is absent, see {@link shippedModelDirs}).
   */
  readonly modelDirs: readonly string[];
  readonly port: number;
  readonly host: string;
  readonly backend: string;
  readonly rateLimit: number;
  readonly maxUploadMb: number;
  readonly maxPixels: number;
  /** Print one line per request. */
  readonly log?: boolean;
  /** Print the address as JSON (`{"url": ..., "pid": ...}`) rather than a sentence. */
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
 * The shipped classifiers: every directory under `root` whose hcr.json describes a model (the
 * language model and the replay sample beside them are not models), with `defaultDir` first and
 * the others by name. Temporary and checkpoint directories are left out.
 *
 * @param root - the folder of shipped models. Default: the package's `models/`.
 * @param defaultDir - the model served by default. Default: `DEFAULT_MODEL_DIR` (models/alnum36).
 * @throws HcrError NOT_FOUND when there is none; BAD_MODEL for a broken hcr.json
 * @example
 * await shippedModelDirs(); // ['/…/models/alnum36', '/…/models/byclass62']
 */
export async function shippedModelDirs(
  root: string = packagePath('models'),
  defaultDir: string = DEFAULT_MODEL_DIR,
): Promise<string[]> {
  const entries = existsSync(root) ? await readdir(root, { withFileTypes: true }) : [];
  let dirs = entries
    .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
    .map((e) => join(root, e.name))
    .filter((dir) => !entries.some((e) => checkpointDirFor(join(root, e.name)) === dir))
    .filter((dir) => existsSync(join(dir, METADATA_FILE)))
    .sort();
  // Line models are served beside the classifiers, not as one of them (the server's
  // lineModel option). Reading each classifier's hcr.json refuses a broken one here, before
  // anything is served.
  const lineModels = new Set<string>();
  for (const dir of dirs) if (await isLineModelDir(dir)) lineModels.add(dir);
  for (const dir of dirs) if (!lineModels.has(dir)) await readMetadata(dir);
  dirs = dirs.filter((dir) => !lineModels.has(dir));
  if (dirs.length === 0) {
    throw new HcrError(
      'NOT_FOUND',
      `no model given and no shipped model under ${root}: pass --model DIR (a directory written by 'hcr train')`,
    );
  }
  const first = dirs.find((dir) => resolve(dir) === resolve(defaultDir)) ?? dirs[0]!;
  return [first, ...dirs.filter((dir) => dir !== first)];
}

/**
 * Runs `hcr serve` until a signal stops it; resolves once the server has closed.
 *
 * @example
 * await serveCommand({ modelDirs: ['models/alnum36', 'models/byclass62'], port: 3000, host: '127.0.0.1', ... }, output);
 */
export async function serveCommand(options: ServeCliOptions, output: ServeOutput): Promise<void> {
  const [defaultDir, ...moreDirs] = options.modelDirs;
  if (defaultDir === undefined)
    throw new HcrError('BAD_OPTION', 'serve: expected a model directory, got none');
  const engine = await initEngine({ backend: options.backend as BackendName });
  const loaded = await loadModel(defaultDir);
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
      moreModels: moreDirs,
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
    const names = options.modelDirs.map(servedModelName);
    if (options.json) {
      output.print(
        JSON.stringify({
          url: running.url,
          // The process that serves (the second one when relaunch.ts started it): the one to
          // measure, and the one whose environment holds the allocator settings.
          pid: process.pid,
          model: loaded.dir,
          models: options.modelDirs.map((dir, i) => ({ name: names[i], dir })),
          backend: engine.backend,
        }),
      );
    } else {
      const served =
        moreDirs.length === 0
          ? `model ${loaded.dir}`
          : `models ${names.join(', ')}; default ${names[0]} (${loaded.dir})`;
      output.print(`hcr: serving ${running.url}  (${served}, ${engine.backend} backend)`);
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

/** The options of `hcr serve`. */
export const SERVE_OPTIONS = defineOptions({
  model: {
    flags: '--model <dir>',
    description:
      'model directory; repeat to serve several, the first the default (default: every shipped model, models/alnum36 first)',
    parse: 'repeat',
  },
  port: {
    flags: '--port <n>',
    description: 'port (0 = any free port)',
    parse: 'integer',
    default: SERVE_CLI_DEFAULTS.port,
  },
  host: {
    flags: '--host <address>',
    description: 'address to listen on (0.0.0.0 = every network)',
    default: SERVE_CLI_DEFAULTS.host,
  },
  rateLimit: {
    flags: '--rate-limit <n>',
    description: 'API requests per minute per client (0 = no limit)',
    parse: 'integer',
    default: SERVE_CLI_DEFAULTS.rateLimit,
  },
  maxUploadMb: {
    flags: '--max-upload-mb <n>',
    description: 'largest request body',
    parse: 'number',
    default: SERVE_CLI_DEFAULTS.maxUploadMb,
  },
  maxPixels: {
    flags: '--max-pixels <n>',
    description: 'largest image (width x height)',
    parse: 'integer',
    default: SERVE_CLI_DEFAULTS.maxPixels,
  },
  log: { flags: '--log', description: 'print one line per request on stderr' },
  relaunch: {
    flags: NO_RELAUNCH_FLAG,
    description:
      "serve in this process, not in a second one started with glibc's allocator settings (MALLOC_MMAP_THRESHOLD_, MALLOC_ARENA_MAX) that give memory back after a burst",
  },
  ...RUN_OPTIONS,
});

/** `hcr serve` in the command registry. */
export const SERVE_COMMAND = defineCommand({
  name: 'serve',
  description: 'serve the web page (draw or upload a character) and the HTTP API',
  options: SERVE_OPTIONS,
  run: async (options) => {
    const modelDirs = options.model ?? (await shippedModelDirs());
    await serveCommand({ ...options, modelDirs }, { print, note });
  },
});
