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
import { INK_LIMITS, type InkLimits } from '../../../core/ink/limits.js';
import type { ReadAnswer } from '../reading.js';
import {
  READ_QUERY,
  readingRequest,
  topQuery,
  type ReadQuery,
  type RouteContext,
} from '../request.js';

/** Content types read as InkML. */
const INKML_TYPES = /^\s*(application\/inkml\+xml|application\/xml|text\/xml)\s*(;.*)?$/i;

/** What the ink route needs of the server. */
export interface InkRouteOptions extends Pick<RouteContext, 'models' | 'line' | 'budget'> {
  /** The ink budgets of one request. Default: core's INK_LIMITS. */
  readonly inkLimits?: InkLimits;
}

/**
 * Registers `POST /api/ink` (a Fastify plugin: its InkML parser stays inside it).
 *
 * @example
 * await app.register(inkRoutes, { models, line, budget });
 * await app.inject({ method: 'POST', url: '/api/ink', payload: { strokes } });
 */
export async function inkRoutes(app: FastifyInstance, options: InkRouteOptions): Promise<void> {
  const limits = options.inkLimits ?? INK_LIMITS;
  app.addContentTypeParser(INKML_TYPES, { parseAs: 'string' }, (_request, body, done) =>
    done(null, body),
  );
  // JSON too is parsed by the worker; an empty body is refused here as Fastify's parser did.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    if (body.length === 0) done(new errorCodes.FST_ERR_CTP_EMPTY_JSON_BODY(), undefined);
    else done(null, { json: body });
  });
  app.post<{ Querystring: ReadQuery }>(
    '/api/ink',
    {
      schema: {
        // /api/read's query: every reading option is checked and coerced here, not in the worker.
        querystring: {
          type: 'object',
          properties: { top: topQuery(options.models), ...READ_QUERY },
        },
      },
    },
    async (request, reply) => {
      const { model, options: readOptions, lineModel } = readingRequest(options, request.query);
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
          ...(lineModel === undefined ? {} : { lineModel }),
        },
        { client: request.ip },
      )) as ReadAnswer;
      reply.header('cache-control', 'no-store');
      return answer;
    },
  );
}
