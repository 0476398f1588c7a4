// `POST /api/ink` (issue 23): a drawing as strokes read like an uploaded line. The body is the
// Handwriting Recognition API's points as JSON ({"strokes": [[{x, y, t}, ...], ...]}, strokes
// also as {"points": [...]}) or W3C InkML (application/inkml+xml, application/xml, text/xml).
// It is parsed, held to the ink budgets (strokes, points, coordinates, document length and
// nesting) and drawn in the served model's worker pool, never on the event loop (issue 22: a
// body at the budgets held the loop for about a second) and within the job's time budget. The
// drawing is rendered at one scale with one pen, whatever the pen of the device that wrote it
// (core's renderInkPage, lines about 64 px high), and read as POST /api/read reads an upload:
// with the server's line model when it serves one, the ink drawn with the line model's own pen
// (docs/DESIGN.md §8); with the glyph reader and its paper pen when it serves none or
// `?reader=glyphs` asks.

import { errorCodes, type FastifyInstance } from 'fastify';
import { INK_LIMITS, type InkLimits } from '../../core/ink/limits.js';
import { MAX_PATTERN_LENGTH } from '../../core/read/constraints.js';
import { checkReadOptions, type ReadAnswer, type ReadRequestOptions } from './reading.js';
import type { ServedLineModel } from './line-model.js';
import type { ServedModel } from './served-models.js';
import type { WorkBudget } from './work.js';

/** Content types read as InkML. */
const INKML_TYPES = /^\s*(application\/inkml\+xml|application\/xml|text\/xml)\s*(;.*)?$/i;

/** What the ink route needs of the server. */
export interface InkRouteOptions {
  /** The model a request names (`?model=`), checking `?top=` against its classes. */
  readonly chosen: (query: { model?: string; top?: number }) => ServedModel;
  readonly budget: WorkBudget;
  /** The ink budgets of one request. Default: core's INK_LIMITS. */
  readonly limits?: InkLimits;
  /** The served line model, which reads unless `?reader=glyphs`. Default: none (glyphs). */
  readonly line?: ServedLineModel;
}

type InkQuery = ReadRequestOptions & { model?: string };

/**
 * Registers `POST /api/ink` (a Fastify plugin: its InkML parser stays inside it).
 *
 * @example
 * await app.register(inkRoutes, { chosen, budget, line });
 * await app.inject({ method: 'POST', url: '/api/ink', payload: { strokes } });
 */
export async function inkRoutes(app: FastifyInstance, options: InkRouteOptions): Promise<void> {
  const limits = options.limits ?? INK_LIMITS;
  app.addContentTypeParser(INKML_TYPES, { parseAs: 'string' }, (_request, body, done) =>
    done(null, body),
  );
  // JSON too is parsed by the worker; an empty body is refused here as Fastify's parser did.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    if (body.length === 0) done(new errorCodes.FST_ERR_CTP_EMPTY_JSON_BODY(), undefined);
    else done(null, { json: body });
  });
  app.post<{ Querystring: InkQuery }>(
    '/api/ink',
    {
      schema: {
        querystring: {
          type: 'object',
          properties: {
            top: { type: 'integer', minimum: 1, maximum: 100 },
            model: { type: 'string', minLength: 1, maxLength: 200 },
            context: { type: 'boolean' },
            alternatives: { type: 'integer', minimum: 1, maximum: 20 },
            charset: { type: 'string', minLength: 1, maxLength: 100 },
            pattern: { type: 'string', maxLength: MAX_PATTERN_LENGTH },
            lexicon: { type: 'string', maxLength: 8000 },
            reader: { type: 'string', enum: ['line', 'glyphs'] },
          },
        },
      },
    },
    async (request, reply) => {
      const model = options.chosen(request.query);
      const readOptions: ReadRequestOptions = { ...request.query };
      delete (readOptions as InkQuery).model;
      const { line } = options;
      const byLines = line !== undefined && readOptions.reader !== 'glyphs';
      checkReadOptions(byLines ? [...line.metadata.charset] : model.labelSet.classes, readOptions);
      const body = request.body as string | { json: string };
      const pool = await model.pool();
      const answer = (await pool.run(
        {
          kind: 'ink',
          ...(typeof body === 'string'
            ? { text: body, format: 'inkml' }
            : { text: body.json, format: 'json' }),
          limits,
          options: readOptions,
          budget: options.budget,
          ...(byLines ? { lineModel: line.dir } : {}),
        },
        { client: request.ip },
      )) as ReadAnswer;
      reply.header('cache-control', 'no-store');
      return answer;
    },
  );
}
