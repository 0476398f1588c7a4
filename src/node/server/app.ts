// The HTTP server of `hcr serve` (Fastify): the web page built by Vite, the model files the page
// loads to run a model in the browser, and the JSON API that runs it in Node for other
// clients and for browsers that cannot. It serves one model or several (served-models.ts), each
// by name. buildServer builds what every route shares (the models' worker pools, the line model,
// the limits and rate limit, the error handler and the hooks every request passes) and
// registers each group of routes, a Fastify plugin in routes/; request.ts holds what they share
// in reading a request. Built by a factory separate from `listen()`, so tests drive it with
// `app.inject()` and no socket.

import type { Duplex } from 'node:stream';
import * as tf from '@tensorflow/tfjs';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import type { BackendName } from '../engine/backend.js';
import { packagePath } from '../package-root.js';
import type { LoadedModel } from '../model/artifact.js';
import { ServedModels } from './served-models.js';
import {
  resolveServerLimits,
  type ResolvedServerLimits,
  type ServerLimitOptions,
} from './config.js';
import { ApiError, toErrorReply } from './errors.js';
import { rateCharge } from './rate-limit.js';
import { openServedLineModel } from './line-model.js';
import { acceptImageBodies, type RouteContext } from './request.js';
import { queryEncodingError } from './query.js';
import { healthRoutes } from './routes/health.js';
import { inkRoutes } from './routes/ink.js';
import { lineModelRoutes } from './routes/line-model.js';
import { modelFileRoutes } from './routes/model-files.js';
import { modelInfoRoutes } from './routes/models.js';
import { pageRoutes } from './routes/page.js';
import { predictRoutes } from './routes/predict.js';
import { readRoutes } from './routes/read.js';

/**
 * Where the built page is looked for when `webRoot` is not given: `dist/web` of the package
 * (what `npm run build:web` writes).
 */
export const DEFAULT_WEB_ROOT = packagePath('dist', 'web');

/** What the server reports while it runs (the CLI prints it; library code never does). */
export type ServerEvent =
  | {
      readonly type: 'request';
      readonly method: string;
      readonly url: string;
      readonly status: number;
      /** Time from the request's arrival to the end of the answer, in milliseconds. */
      readonly ms: number;
    }
  | {
      readonly type: 'error';
      readonly method: string;
      readonly url: string;
      /** An error hcr did not expect (the client got a 500 without its details). */
      readonly error: unknown;
    };

/** Options of {@link buildServer}. */
export interface ServerOptions extends ServerLimitOptions {
  /**
   * The default model: what the API runs when a request names none, and what the page loads
   * first (the caller disposes it). Its workers start with the server. Required.
   */
  readonly model: LoadedModel;
  /**
   * Directories of more models served beside it, each known by its directory's base name
   * (`?model=byclass62`, `/model/byclass62/model.json`); each is loaded, and its workers started,
   * on its first API request. Default: none.
   *
   * @example
   * buildServer({ model: await loadModel('models/alnum36'), moreModels: ['models/byclass62'] });
   */
  readonly moreModels?: readonly string[];
  /**
   * The line model that reads /api/read's lines (each whole) and that the page downloads from
   * /line-model/: a directory, or false for none (the glyph reader reads lines). Default: the
   * shipped models/line-en when it is installed.
   */
  readonly lineModel?: string | false;
  /** Folder of the page built by Vite. Default: {@link DEFAULT_WEB_ROOT}. */
  readonly webRoot?: string;
  /** Receives one event per answered request and one per unexpected error. Default: none. */
  readonly onEvent?: (event: ServerEvent) => void;
}

/**
 * Answers a request that broke off before it reached Fastify (Node's 'clientError'): a body that
 * did not arrive within the request timeout, headers too large, malformed HTTP. Same JSON shape
 * as every other error.
 */
function clientError(
  error: Error & { code?: string },
  socket: Duplex,
  limits: ResolvedServerLimits,
): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, reason, body] =
    error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? [
          408,
          'Request Timeout',
          {
            code: 'TIMEOUT',
            message: `request: expected the whole request within ${limits.requestTimeoutMs / 1000} s, it arrived too slowly`,
          },
        ]
      : error.code === 'HPE_HEADER_OVERFLOW'
        ? [
            431,
            'Request Header Fields Too Large',
            { code: 'TOO_LARGE', message: 'request headers: larger than the server accepts' },
          ]
        : [
            400,
            'Bad Request',
            {
              code: 'BAD_REQUEST',
              message: `request: not valid HTTP (${error.code ?? error.message})`,
            },
          ];
  const json = JSON.stringify(body);
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(json)}\r\nConnection: close\r\n\r\n${json}`,
    );
  }
  socket.destroy(error);
}

/**
 * Builds the server: `GET /` (the page), `GET /model/NAME/*` (a model for the page; `/model/*`
 * the default's), `GET /line-model/*`, `POST /api/predict` (one character per image),
 * `POST /api/read` (lines of characters) and `POST /api/ink` (a drawing's lines), each with
 * `?model=NAME`, `GET /api/models`, `GET /api/model`, `GET /healthz`.
 * Nothing listens until the caller calls `listen()` (see `serveUntilSignal`).
 *
 * @throws HcrError BAD_OPTION for a limit out of range or two models of one name; BAD_MODEL when
 *   a model's files are gone
 * @example
 * const app = await buildServer({ model: await loadModel('models/alnum36') });
 * const res = await app.inject({ method: 'POST', url: '/api/predict', headers: { 'content-type': 'image/png' }, payload: png });
 */
export async function buildServer(options: ServerOptions): Promise<FastifyInstance> {
  const limits = resolveServerLimits(options);
  const { onEvent } = options;
  // One pool per model; the queue and per-client job caps are each pool's, the rate limit and
  // work budgets the server's.
  const models = await ServedModels.open(options.model, options.moreModels ?? [], (name) => ({
    workers: limits.concurrency,
    maxQueue: limits.maxQueue,
    timeoutMs: limits.workTimeoutMs,
    queueTimeoutMs: limits.maxQueueWaitMs,
    maxJobsPerClient: limits.maxJobsPerClient,
    backend: tf.getBackend() as BackendName,
    onError: (error) =>
      onEvent?.({ type: 'error', method: '-', url: `(worker pool of ${name})`, error }),
  }));
  const context: RouteContext = {
    limits,
    budget: {
      maxPixels: limits.maxPixels,
      maxRequestPixels: limits.maxRequestPixels,
      maxCandidates: limits.maxCandidates,
    },
    models,
    line: await openServedLineModel(options.lineModel),
    charge: rateCharge(limits.rateLimitPerMinute),
  };

  const app = Fastify({
    logger: false,
    bodyLimit: limits.maxUploadBytes,
    requestTimeout: limits.requestTimeoutMs,
    // Node checks the request timeout every connectionsCheckingInterval (30 s by default, so a
    // stalled upload would hold a connection up to twice the timeout), and ignores it unless the
    // headers timeout (60 s by default) is no longer than it.
    http: {
      requestTimeout: limits.requestTimeoutMs,
      headersTimeout: Math.min(60_000, limits.requestTimeoutMs),
      connectionsCheckingInterval: Math.max(50, Math.min(5_000, limits.requestTimeoutMs / 4)),
    },
    clientErrorHandler: (error, socket) => clientError(error, socket, limits),
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    // A URL that cannot be decoded gets hcr's {code, message}, not Fastify's own body.
    frameworkErrors: (error, _request, reply) => {
      const status = typeof error.statusCode === 'number' ? error.statusCode : 400;
      return (reply as FastifyReply)
        .code(status)
        .header('cache-control', 'no-store')
        .send({ code: 'BAD_REQUEST', message: `request: ${error.message}` });
    },
  });
  app.addHook('onClose', async () => models.close());

  // What every route shares is set before the routes are registered: a plugin's context takes
  // its parent's handlers, hooks and body parsers when it is registered.
  app.setErrorHandler((error, request, reply) => {
    const { status, body, internal } = toErrorReply(error, {
      limits,
      contentType: request.headers['content-type'],
      request: `${request.method} ${request.url}`,
    });
    if (internal) onEvent?.({ type: 'error', method: request.method, url: request.url, error });
    return reply.code(status).header('cache-control', 'no-store').send(body);
  });
  app.setNotFoundHandler((request, reply) =>
    reply
      .code(404)
      .send({ code: 'NOT_FOUND', message: `no such route: ${request.method} ${request.url}` }),
  );
  // A query string that is not percent-encoded UTF-8 is refused before any route reads it.
  app.addHook('onRequest', async (request) => {
    const bad = queryEncodingError(request.url);
    if (bad !== undefined) throw new ApiError('BAD_REQUEST', bad);
  });
  app.addHook('onSend', async (_request, reply, payload) => {
    reply.header('x-content-type-options', 'nosniff');
    return payload;
  });
  if (onEvent) {
    app.addHook('onResponse', async (request, reply) => {
      onEvent({
        type: 'request',
        method: request.method,
        url: request.url,
        status: reply.statusCode,
        ms: reply.elapsedTime,
      });
    });
  }
  // Every API route shares one budget per client address; a request costs 1 on arrival, and
  // the rest of its images' cost once they are counted.
  app.addHook('onRequest', async (request, reply) => {
    if (request.url.startsWith('/api/')) context.charge(request, reply, 1);
  });
  await acceptImageBodies(app, limits);

  await app.register(healthRoutes, context);
  await app.register(modelInfoRoutes, context);
  await app.register(predictRoutes, context);
  await app.register(readRoutes, context);
  await app.register(inkRoutes, context);
  await app.register(lineModelRoutes, context);
  await app.register(modelFileRoutes, context);
  await app.register(pageRoutes, { webRoot: options.webRoot ?? DEFAULT_WEB_ROOT });
  return app;
}
