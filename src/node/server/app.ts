// The HTTP server of `hcr serve` (Fastify): the web page built by Vite, the model files the page
// loads to run a model in the browser, and the JSON API that runs it in Node for other
// clients and for browsers that cannot. It serves one model or several (served-models.ts), each
// by name. Built by a factory separate from `listen()`, so tests drive it with `app.inject()` and
// no socket.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import fastifyMultipart from '@fastify/multipart';
import fastifyStatic from '@fastify/static';
import * as tf from '@tensorflow/tfjs';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { BackendName } from '../engine/backend.js';
import { NORMALIZATION_VERSION } from '../../core/normalize.js';
import { HcrError, type ErrorCode } from '../errors.js';
import { packagePath } from '../package-root.js';
import type { LoadedModel } from '../model/artifact.js';
import { BROWSER_MODEL_FILES, ServedModels, type ServedModel } from './served-models.js';
import {
  resolveServerLimits,
  type ResolvedServerLimits,
  type ServerLimitOptions,
} from './config.js';
import { API_ERROR_STATUS, ApiError, toErrorReply, type ApiErrorCode } from './errors.js';
import { WorkRateLimiter } from './rate-limit.js';
import { MAX_PATTERN_LENGTH } from '../../core/read/constraints.js';
import { lineModelRoutes, lineModelSummary, openServedLineModel } from './line-model.js';
import { checkReadOptions, type ReadAnswer, type ReadRequestOptions } from './reading.js';
import type { ImageInput } from '../predict/recognize.js';
import type { ImageResult } from './recognize.js';
import { svgRefusedMessage, type WorkBudget } from './work.js';
import { inkRoutes } from './ink.js';
import { queryEncodingError } from './query.js';

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

/** Headers of the page: its scripts, styles, model and WebAssembly all come from this server. */
const PAGE_HEADERS = Object.freeze({
  'content-security-policy': [
    "default-src 'self'",
    "script-src 'self' 'wasm-unsafe-eval'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "connect-src 'self' data: blob:",
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'none'",
  ].join('; '),
  'referrer-policy': 'no-referrer',
});

/**
 * Content types read as raw image bytes, with or without parameters (`image/png; charset=utf-8`);
 * anything else but multipart and JSON gets a 415.
 */
const RAW_IMAGE_TYPES = /^\s*(image\/[\w.+-]+|application\/octet-stream)\s*(;.*)?$/i;

/** SVG as a content type: refused (see work.ts). */
const SVG_TYPE = /^\s*image\/svg\+xml\s*(;.*)?$/i;

/** Base64 text, optionally as a data URL: what a JSON body carries per image. */
const BASE64_IMAGE = '^(data:[\\w.+/-]*(;[\\w=.+-]+)*;base64,)?[A-Za-z0-9+/=\\s]+$';

interface PredictQuery {
  top?: number;
  model?: string;
}

type ReadQuery = ReadRequestOptions & { model?: string };

/** `?model=NAME` of the routes that run a model: a name from `GET /api/models`. */
const MODEL_QUERY = Object.freeze({ type: 'string', minLength: 1, maxLength: 200 });

/**
 * Longest lexicon a query string carries, in characters (one entry a line): the request line
 * and headers must fit Node's 16 KiB header limit.
 */
const MAX_QUERY_LEXICON = 8000;

interface JsonBody {
  image?: string;
  images?: string[];
}

/**
 * An upload's bytes in an ArrayBuffer of their own: Node hands small buffers out of a shared
 * pool, and a worker message would copy the whole pool with them.
 */
function ownBytes(input: ImageInput): ImageInput {
  return { name: input.name, bytes: new Uint8Array(input.bytes) };
}

/** A JSON value's kind, as named in messages. */
function jsonKind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/**
 * Checks the JSON fields' types before the schema runs: Fastify's validator coerces types (it
 * must, for `?top=5`), which would turn `{"image": 12345}` into the string "12345".
 */
function checkJsonTypes(body: unknown): void {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    if (body instanceof Uint8Array || body === undefined || body === null) return;
    throw new ApiError(
      'BAD_REQUEST',
      `JSON body: expected an object with "image" or "images", got ${jsonKind(body)}`,
    );
  }
  const { image, images } = body as Record<string, unknown>;
  if (image !== undefined && typeof image !== 'string') {
    throw new ApiError(
      'BAD_REQUEST',
      `JSON body: expected "image" to be a string (base64 or a data URL), got ${jsonKind(image)}`,
    );
  }
  if (images !== undefined) {
    const bad = Array.isArray(images) ? images.findIndex((i) => typeof i !== 'string') : -1;
    if (!Array.isArray(images) || bad >= 0) {
      throw new ApiError(
        'BAD_REQUEST',
        Array.isArray(images)
          ? `JSON body: expected "images" to be a list of strings (base64 or data URLs), got ${jsonKind(images[bad])} at images[${bad}]`
          : `JSON body: expected "images" to be a list of strings (base64 or data URLs), got ${jsonKind(images)}`,
      );
    }
  }
}

/**
 * Errors of a malformed multipart body (no or wrong boundary, cut short) come from busboy as
 * plain Errors; the form's limits come as Fastify errors with an FST_ code and keep their 413.
 */
function multipartError(error: unknown): unknown {
  if (error instanceof ApiError) return error;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && code.startsWith('FST_')) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new ApiError(
    'BAD_REQUEST',
    `multipart body: malformed (${reason}); expected multipart/form-data with a boundary=... parameter and parts that end with --boundary--`,
  );
}

/**
 * An AbortSignal that fires when the client leaves before its answer is sent, so that its work
 * is cancelled (the worker running it is replaced).
 */
function clientGone(reply: FastifyReply): { signal: AbortSignal; done: () => void } {
  const controller = new AbortController();
  const onClose = () => {
    if (!reply.raw.writableEnded) controller.abort();
  };
  reply.raw.once('close', onClose);
  return { signal: controller.signal, done: () => reply.raw.off('close', onClose) };
}

/**
 * The metadata `GET /api/model` answers: what a client needs, not the training machine's paths.
 * `browserModel` is the URL of its model.json.
 */
function publicModelInfo(
  model: ServedModel,
  limits: ResolvedServerLimits,
  browserModel: string,
): Record<string, unknown> {
  const m = model.metadata;
  return {
    labelSet: { name: model.labelSet.name, classes: model.labelSet.classes },
    architecture: m.architecture,
    normalization: { version: m.normalization.version, server: NORMALIZATION_VERSION },
    metrics: m.metrics,
    training: m.training && {
      epochs: m.training.epochs,
      bestEpoch: m.training.bestEpoch,
      durationSeconds: m.training.durationSeconds,
      sources: m.training.data.map((d) => ({ source: d.source, counts: d.counts })),
    },
    tfjsVersion: m.tfjsVersion,
    createdAt: m.createdAt,
    browserModel,
    limits: {
      maxUploadBytes: limits.maxUploadBytes,
      maxPixels: limits.maxPixels,
      maxRequestPixels: limits.maxRequestPixels,
      maxCandidates: limits.maxCandidates,
      workTimeoutMs: limits.workTimeoutMs,
      maxBatch: limits.maxBatch,
      rateLimitPerMinute: limits.rateLimitPerMinute,
      top: limits.top,
    },
  };
}

/**
 * The images of a request, and whether it asked for one answer or a list. `single` routes
 * (`POST /api/read`) take exactly one image: the field `image` of a form, or `"image"` of JSON.
 */
async function readImages(
  request: FastifyRequest,
  limits: ResolvedServerLimits,
  options: { single?: boolean } = {},
): Promise<{ batch: boolean; images: ImageInput[] }> {
  const single = options.single === true;
  if (request.isMultipart()) {
    const images: ImageInput[] = [];
    const fields = new Set<string>();
    let ones = 0;
    let total = 0;
    try {
      for await (const part of request.parts()) {
        fields.add(part.fieldname);
        if (part.type !== 'file') continue;
        if (single && part.fieldname !== 'image') {
          throw new ApiError(
            'BAD_REQUEST',
            `multipart body: expected one file in the field 'image', got a file in '${part.fieldname}'`,
          );
        }
        if (part.fieldname !== 'image' && part.fieldname !== 'images') {
          throw new ApiError(
            'BAD_REQUEST',
            `multipart body: expected files in the field 'image' (one) or 'images' (several), got a file in '${part.fieldname}'`,
          );
        }
        const bytes = await part.toBuffer();
        total += bytes.length;
        if (total > limits.maxUploadBytes) {
          throw new ApiError(
            'TOO_LARGE',
            `multipart body: expected at most ${limits.maxUploadBytes} bytes of images in all, got more`,
          );
        }
        if (part.fieldname === 'image') ones++;
        images.push({ name: part.filename || `image ${images.length + 1}`, bytes });
      }
    } catch (error) {
      throw multipartError(error);
    }
    if (images.length === 0) {
      const got = fields.size ? `only the field(s) ${[...fields].join(', ')}` : 'no fields';
      throw new ApiError(
        'BAD_REQUEST',
        `multipart body: expected a file in the field 'image'${single ? '' : " (or several in 'images')"}, got ${got}`,
      );
    }
    if (ones > 0 && images.length > 1) {
      throw new ApiError(
        'BAD_REQUEST',
        `multipart body: expected one file in 'image', got ${images.length} files${single ? ': this route reads one image' : "; send several in 'images'"}`,
      );
    }
    return { batch: ones === 0, images };
  }
  const body = request.body;
  if (body instanceof Uint8Array)
    return { batch: false, images: [{ name: 'upload', bytes: body }] };
  if (body === undefined || body === null) {
    throw new ApiError(
      'BAD_REQUEST',
      'request body: expected an image, a multipart form with an "image" file or JSON with "image", got an empty request',
    );
  }
  const json = body as JsonBody;
  const fromBase64 = (text: string): Uint8Array =>
    Buffer.from(text.replace(/^data:[^,]*,/, ''), 'base64');
  if (typeof json.image === 'string') {
    return { batch: false, images: [{ name: 'image', bytes: fromBase64(json.image) }] };
  }
  if (Array.isArray(json.images) && !single) {
    if (json.images.length > limits.maxBatch) {
      throw new ApiError(
        'TOO_LARGE',
        `JSON body: expected at most ${limits.maxBatch} images in one request, got ${json.images.length}`,
      );
    }
    return {
      batch: true,
      images: json.images.map((text, i) => ({ name: `images[${i}]`, bytes: fromBase64(text) })),
    };
  }
  throw new ApiError(
    'BAD_REQUEST',
    `JSON body: expected a field "image" (one base64 image or data URL)${single ? '' : ' or "images" (a list)'}, got ${
      Object.keys(body).length ? `only ${Object.keys(body).join(', ')}` : 'an empty object'
    }`,
  );
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
 * the default's), `POST /api/predict` (one character per image), `POST /api/read` (lines of
 * characters), both with `?model=NAME`, `GET /api/models`, `GET /api/model`, `GET /healthz`.
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
  const webRoot = options.webRoot ?? DEFAULT_WEB_ROOT;
  const budget: WorkBudget = {
    maxPixels: limits.maxPixels,
    maxRequestPixels: limits.maxRequestPixels,
    maxCandidates: limits.maxCandidates,
  };
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
  const defaultInfo = publicModelInfo(models.default, limits, '/model/model.json');
  const line = await openServedLineModel(options.lineModel);
  const modelsInfo = {
    default: models.default.name,
    models: models.all.map((m) => m.summary()),
    lineModel: lineModelSummary(line),
  };
  // The schemas take the largest class count; each route checks its model's own.
  const maxClasses = Math.max(...models.all.map((m) => m.labelSet.classes.length));
  /** The model a request names (`?model=`), and a check of `?top=` against its classes. */
  const chosen = (query: { model?: string; top?: number }): ServedModel => {
    const model = models.get(query.model);
    const classes = model.labelSet.classes.length;
    if (query.top !== undefined && query.top > classes) {
      throw new ApiError(
        'BAD_REQUEST',
        `querystring/top must be <= ${classes} (the classes of the model ${model.name}), got ${query.top}`,
      );
    }
    return model;
  };
  const rates =
    limits.rateLimitPerMinute > 0 ? new WorkRateLimiter(limits.rateLimitPerMinute) : undefined;
  /** Spends `cost` of the client's rate budget, or throws RATE_LIMITED. */
  const charge = (request: FastifyRequest, reply: FastifyReply, cost: number): void => {
    if (!rates) return;
    const decision = rates.take(request.ip, cost);
    reply.header('x-ratelimit-limit', rates.perMinute);
    reply.header('x-ratelimit-remaining', Math.max(0, decision.remaining));
    if (!decision.ok) {
      reply.header('retry-after', decision.retryAfterSeconds);
      throw new ApiError(
        'RATE_LIMITED',
        `too many requests: at most ${rates.perMinute} work units per minute per client, all API routes together (a request costs 1 per image, this one ${cost}, ${Math.max(0, decision.remaining)} left); retry in ${decision.retryAfterSeconds} s`,
      );
    }
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

  app.removeContentTypeParser('text/plain');
  app.addContentTypeParser(RAW_IMAGE_TYPES, { parseAs: 'buffer' }, (request, body, done) => {
    if (SVG_TYPE.test(request.headers['content-type'] ?? '')) {
      done(new ApiError('UNSUPPORTED_MEDIA_TYPE', svgRefusedMessage('upload')), undefined);
      return;
    }
    done(null, body);
  });
  // Every API route shares one budget per client address; a request costs 1 on arrival, and
  // the rest of its images' cost once they are counted.
  app.addHook('onRequest', async (request, reply) => {
    if (request.url.startsWith('/api/')) charge(request, reply, 1);
  });
  app.addHook('preValidation', async (request) => {
    if (request.method === 'POST' && !request.url.startsWith('/api/ink')) {
      checkJsonTypes(request.body);
    }
  });
  await app.register(fastifyMultipart, {
    limits: {
      fileSize: limits.maxUploadBytes,
      files: limits.maxBatch,
      fields: 16,
      fieldSize: 1024,
      parts: limits.maxBatch + 16,
    },
  });

  app.get('/healthz', async (_request, reply) => {
    const memory = process.memoryUsage();
    const workers = models.stats();
    return reply.header('cache-control', 'no-store').send({
      status: 'ok',
      uptimeSeconds: Math.round(process.uptime()),
      // The main thread's and, as each last reported, the workers'.
      tensors: tf.memory().numTensors + workers.tensors,
      rssBytes: memory.rss,
      heapUsedBytes: memory.heapUsed,
      workers,
    });
  });

  app.get('/api/models', async (_request, reply) =>
    reply.header('cache-control', 'no-store').send(modelsInfo),
  );

  app.get<{ Querystring: { model?: string } }>(
    '/api/model',
    {
      schema: {
        querystring: { type: 'object', properties: { model: MODEL_QUERY } },
      },
    },
    async (request, reply) => {
      const name = request.query.model;
      const model = models.get(name);
      // Without ?model= the answer is the default's, as before the server had several.
      const info =
        name === undefined
          ? defaultInfo
          : publicModelInfo(model, limits, model.fileUrl('model.json'));
      return reply.header('cache-control', 'no-store').send(info);
    },
  );

  app.post<{ Querystring: PredictQuery }>(
    '/api/predict',
    {
      schema: {
        querystring: {
          type: 'object',
          properties: {
            top: { type: 'integer', minimum: 1, maximum: maxClasses },
            model: MODEL_QUERY,
          },
        },
        body: {
          content: {
            'application/json': {
              schema: {
                type: 'object',
                properties: {
                  image: { type: 'string', minLength: 1, pattern: BASE64_IMAGE },
                  // No maxItems: more than maxBatch images is a 413, counted by the handler.
                  images: {
                    type: 'array',
                    minItems: 1,
                    items: { type: 'string', minLength: 1, pattern: BASE64_IMAGE },
                  },
                },
              },
            },
          },
        },
      },
    },
    async (request, reply) => {
      const model = chosen(request.query);
      const { batch, images } = await readImages(request, limits);
      if (images.length > limits.maxBatch) {
        throw new ApiError(
          'TOO_LARGE',
          `expected at most ${limits.maxBatch} images in one request, got ${images.length}`,
        );
      }
      charge(request, reply, images.length - 1);
      const gone = clientGone(reply);
      const pool = await model.pool();
      const results = (await pool
        .run(
          {
            kind: 'predict',
            images: images.map(ownBytes),
            top: request.query.top ?? limits.top,
            budget,
          },
          { signal: gone.signal, client: request.ip },
        )
        .finally(gone.done)) as ImageResult[];
      reply.header('cache-control', 'no-store');
      if (batch) return { results };
      const [result] = results;
      if (!result) throw new ApiError('INTERNAL', 'no result for the image');
      if (result.status === 'error') {
        if (result.code in API_ERROR_STATUS) {
          throw new ApiError(result.code as ApiErrorCode, result.message);
        }
        throw new HcrError(result.code as ErrorCode, result.message);
      }
      if (result.status === 'empty') throw new ApiError('EMPTY_IMAGE', result.message);
      return result;
    },
  );

  app.post<{ Querystring: ReadQuery }>(
    '/api/read',
    {
      schema: {
        querystring: {
          type: 'object',
          properties: {
            top: { type: 'integer', minimum: 1, maximum: maxClasses },
            model: MODEL_QUERY,
            context: { type: 'boolean' },
            contextScope: { type: 'string', enum: ['lookalikes', 'all'] },
            decoder: { type: 'string', enum: ['language-model', 'rules'] },
            lmWeight: { type: 'number', minimum: 0, maximum: 10 },
            alternatives: { type: 'integer', minimum: 1, maximum: 20 },
            charset: { type: 'string', minLength: 1, maxLength: 100 },
            pattern: { type: 'string', maxLength: MAX_PATTERN_LENGTH },
            lexicon: { type: 'string', maxLength: MAX_QUERY_LEXICON },
            keepSpacing: { type: 'boolean' },
            reader: { type: 'string', enum: ['line', 'glyphs'] },
          },
        },
        body: {
          content: {
            'application/json': {
              schema: {
                type: 'object',
                properties: { image: { type: 'string', minLength: 1, pattern: BASE64_IMAGE } },
              },
            },
          },
        },
      },
    },
    async (request, reply) => {
      // A bad pattern, charset or lexicon is a 400 before the upload is even read.
      const model = chosen(request.query);
      // The worker reads with the options alone; the model is chosen by its pool.
      const options: ReadRequestOptions = { ...request.query };
      delete (options as ReadQuery).model;
      // The line model reads unless the request asks for glyphs or none is served.
      const byLines = line !== undefined && options.reader !== 'glyphs';
      checkReadOptions(byLines ? [...line.metadata.charset] : model.labelSet.classes, options);
      const { images } = await readImages(request, limits, { single: true });
      const [image] = images;
      if (!image) throw new ApiError('INTERNAL', 'no image in the request');
      const gone = clientGone(reply);
      const pool = await model.pool();
      const answer = (await pool
        .run(
          {
            kind: 'read',
            image: ownBytes(image),
            options,
            budget,
            ...(byLines ? { lineModel: line.dir } : {}),
          },
          { signal: gone.signal, client: request.ip },
        )
        .finally(gone.done)) as ReadAnswer;
      reply.header('cache-control', 'no-store');
      return answer;
    },
  );

  await app.register(inkRoutes, { chosen, budget, ...(line ? { line } : {}) });
  await app.register(lineModelRoutes, { line });

  /** Sends one of a model's browser files, or 304 when the client has it. */
  const sendModelFile = async (
    model: ServedModel,
    name: string,
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<FastifyReply> => {
    const file = await model.browserFile(name);
    if (!file) {
      throw new HcrError(
        'NOT_FOUND',
        `no such model file: ${name} (expected ${BROWSER_MODEL_FILES.join(' or ')})`,
      );
    }
    reply
      .header('etag', file.etag)
      .header('cache-control', 'no-cache')
      .type(name.endsWith('.json') ? 'application/json' : 'application/octet-stream');
    if (request.headers['if-none-match'] === file.etag) return reply.code(304).send();
    return reply.send(file.bytes);
  };
  // The default model's files, where the page found them before the server had several.
  app.get<{ Params: { file: string } }>('/model/:file', async (request, reply) =>
    sendModelFile(models.default, request.params.file, request, reply),
  );
  app.get<{ Params: { name: string; file: string } }>(
    '/model/:name/:file',
    async (request, reply) => {
      const model = models.all.find((m) => m.name === request.params.name);
      if (!model) {
        throw new HcrError(
          'NOT_FOUND',
          `no such model: ${request.params.name} (this server serves ${models.all.map((m) => m.name).join(', ')})`,
        );
      }
      return sendModelFile(model, request.params.file, request, reply);
    },
  );

  if (existsSync(join(webRoot, 'index.html'))) {
    await app.register(fastifyStatic, {
      root: webRoot,
      // A dotfile in the page's folder (.env, .git) is never served: 403 FORBIDDEN.
      dotfiles: 'deny',
      cacheControl: false,
      setHeaders: (res, path) => {
        // Vite names built assets by their content hash: they never change under one name.
        if (/[\\/]assets[\\/]/.test(path)) {
          res.setHeader('cache-control', 'public, max-age=31536000, immutable');
        } else {
          res.setHeader('cache-control', 'no-cache');
        }
        if (path.endsWith('.html')) {
          for (const [name, value] of Object.entries(PAGE_HEADERS)) res.setHeader(name, value);
        }
      },
    });
  } else {
    app.get('/', async () => {
      throw new ApiError(
        'UNAVAILABLE',
        `the web page is not built (no ${join(webRoot, 'index.html')}): run 'npm run build:web' (or 'npm start', which builds it); the API under /api works without it`,
      );
    });
  }
  return app;
}
