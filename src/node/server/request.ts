// What the API's routes share in reading a request (routes/): the server's state they read it
// against (RouteContext), the query parameters of the routes that run a model (`?model=`,
// `?top=`, the reading options), the image bodies of /api/predict and /api/read (raw bytes, a
// multipart form or base64 in JSON, each checked with a message that says what was expected),
// and the client that leaves before its answer. The limits are the server's (config.ts); SVG
// is refused before it is read (docs/DESIGN.md §9).

import fastifyMultipart from '@fastify/multipart';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { MAX_PATTERN_LENGTH } from '../../core/read/constraints.js';
import type { ImageInput } from '../predict/recognize.js';
import type { ResolvedServerLimits } from './config.js';
import { ApiError } from './errors.js';
import type { ServedLineModel } from './line-model.js';
import type { RateCharge } from './rate-limit.js';
import { checkReadOptions, type ReadRequestOptions } from './reading.js';
import type { ServedModel, ServedModels } from './served-models.js';
import { svgRefusedMessage, type WorkBudget } from './work.js';

/** What the route plugins share of the server, built once by `buildServer`. */
export interface RouteContext {
  readonly limits: ResolvedServerLimits;
  /** The budgets every job runs under (pixels, candidates). */
  readonly budget: WorkBudget;
  /** The models served by name, each with its worker pool. */
  readonly models: ServedModels;
  /** The line model that reads lines, or undefined when the glyph reader does. */
  readonly line: ServedLineModel | undefined;
  /** Spends a request's images beyond the first of its client's rate budget. */
  readonly charge: RateCharge;
}

/** `?model=NAME` of the routes that run a model: a name from `GET /api/models`. */
export const MODEL_QUERY = Object.freeze({ type: 'string', minLength: 1, maxLength: 200 });

/**
 * Longest lexicon a query string carries, in characters (one entry a line): the request line
 * and headers must fit Node's 16 KiB header limit.
 */
export const MAX_QUERY_LEXICON = 8000;

/**
 * The query parameters of `POST /api/read` after `?top=`, in the order they are checked (the
 * first bad one is the one a 400 names); `POST /api/ink` takes some of them.
 */
export const READ_QUERY = Object.freeze({
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
});

/** The query of the routes that read (`/api/read`, `/api/ink`). */
export type ReadQuery = ReadRequestOptions & { model?: string };

/**
 * `?top=`'s schema: at most the largest class count of the served models (each route checks
 * its model's own with {@link chooseModel}).
 */
export function topQuery(models: ServedModels): Record<string, unknown> {
  const maxClasses = Math.max(...models.all.map((m) => m.labelSet.classes.length));
  return { type: 'integer', minimum: 1, maximum: maxClasses };
}

/**
 * The model a request names (`?model=`), and a check of `?top=` against its classes.
 *
 * @throws ApiError BAD_REQUEST for a `top` over the model's classes; NOT_FOUND (from
 *   ServedModels) for a name it does not serve
 * @example
 * const model = chooseModel(models, { model: 'byclass62', top: 5 });
 */
export function chooseModel(
  models: ServedModels,
  query: { model?: string; top?: number },
): ServedModel {
  const model = models.get(query.model);
  const classes = model.labelSet.classes.length;
  if (query.top !== undefined && query.top > classes) {
    throw new ApiError(
      'BAD_REQUEST',
      `querystring/top must be <= ${classes} (the classes of the model ${model.name}), got ${query.top}`,
    );
  }
  return model;
}

/**
 * What a request to a reading route (`/api/read`, `/api/ink`) asks: its model, its reading
 * options (without `model`: the worker reads with the options alone, the model is chosen by its
 * pool), and the directory of the line model when that reads (one is served and the request
 * does not ask for glyphs). The options are checked against the reader's classes, so that a bad
 * pattern, charset or lexicon is a 400 before the body is read.
 *
 * @throws ApiError BAD_REQUEST or HcrError BAD_OPTION, as {@link chooseModel} and checkReadOptions
 * @example
 * const { model, options, lineModel } = readingRequest(context, request.query);
 */
export function readingRequest(
  context: Pick<RouteContext, 'models' | 'line'>,
  query: ReadQuery,
): { model: ServedModel; options: ReadRequestOptions; lineModel: string | undefined } {
  const model = chooseModel(context.models, query);
  const options: ReadRequestOptions = { ...query };
  delete (options as ReadQuery).model;
  const { line } = context;
  const byLines = line !== undefined && options.reader !== 'glyphs';
  checkReadOptions(byLines ? [...line.metadata.charset] : model.labelSet.classes, options);
  return { model, options, lineModel: byLines ? line.dir : undefined };
}

/**
 * Content types read as raw image bytes, with or without parameters (`image/png; charset=utf-8`);
 * anything else but multipart and JSON gets a 415.
 */
const RAW_IMAGE_TYPES = /^\s*(image\/[\w.+-]+|application\/octet-stream)\s*(;.*)?$/i;

/** SVG as a content type: refused (see work.ts). */
const SVG_TYPE = /^\s*image\/svg\+xml\s*(;.*)?$/i;

/** Base64 text, optionally as a data URL: what a JSON body carries per image. */
export const BASE64_IMAGE = '^(data:[\\w.+/-]*(;[\\w=.+-]+)*;base64,)?[A-Za-z0-9+/=\\s]+$';

interface JsonBody {
  image?: string;
  images?: string[];
}

/**
 * Makes `app` read image bodies: raw bytes of an image type (SVG refused), multipart forms held
 * to the server's limits, and JSON whose fields are checked for their types before the schema
 * runs. Plain text is not accepted. Called once on the server, for every route.
 *
 * @example
 * await acceptImageBodies(app, limits);
 */
export async function acceptImageBodies(
  app: FastifyInstance,
  limits: ResolvedServerLimits,
): Promise<void> {
  app.removeContentTypeParser('text/plain');
  app.addContentTypeParser(RAW_IMAGE_TYPES, { parseAs: 'buffer' }, (request, body, done) => {
    if (SVG_TYPE.test(request.headers['content-type'] ?? '')) {
      done(new ApiError('UNSUPPORTED_MEDIA_TYPE', svgRefusedMessage('upload')), undefined);
      return;
    }
    done(null, body);
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
}

/**
 * An upload's bytes in an ArrayBuffer of their own: Node hands small buffers out of a shared
 * pool, and a worker message would copy the whole pool with them.
 *
 * @example
 * pool.run({ kind: 'predict', images: images.map(ownBytes), top, budget });
 */
export function ownBytes(input: ImageInput): ImageInput {
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
 * is cancelled (the worker running it is replaced); `done` stops watching.
 *
 * @example
 * const gone = clientGone(reply);
 * await pool.run(job, { signal: gone.signal, client: request.ip }).finally(gone.done);
 */
export function clientGone(reply: FastifyReply): { signal: AbortSignal; done: () => void } {
  const controller = new AbortController();
  const onClose = () => {
    if (!reply.raw.writableEnded) controller.abort();
  };
  reply.raw.once('close', onClose);
  return { signal: controller.signal, done: () => reply.raw.off('close', onClose) };
}

/**
 * The images of a request, and whether it asked for one answer or a list. `single` routes
 * (`POST /api/read`) take exactly one image: the field `image` of a form, or `"image"` of JSON.
 *
 * @throws ApiError BAD_REQUEST for a body without an image or a malformed form, TOO_LARGE for
 *   more bytes or images than the limits allow
 * @example
 * const { batch, images } = await readImages(request, limits);
 */
export async function readImages(
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
