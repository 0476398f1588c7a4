// `POST /api/read`: the lines of handwriting in one image (raw bytes, the form field `image` or
// `"image"` in JSON), read in the chosen model's worker pool by the line model when one is
// served, or by the glyph reader (`?reader=glyphs`), under the request's reading options
// (docs/READING.md) and the server's work budgets (docs/DESIGN.md §9); reading.ts says what the
// worker does with the image.

import type { FastifyInstance } from 'fastify';
import { ApiError } from '../errors.js';
import type { ReadAnswer } from '../reading.js';
import {
  BASE64_IMAGE,
  READ_QUERY,
  clientGone,
  ownBytes,
  readImages,
  readingRequest,
  topQuery,
  type ReadQuery,
  type RouteContext,
} from '../request.js';

/**
 * Registers `POST /api/read` (`?top=`, `?model=` and the reading options of READ_QUERY).
 *
 * @example
 * await app.register(readRoutes, context);
 */
export async function readRoutes(app: FastifyInstance, context: RouteContext): Promise<void> {
  const { limits, budget } = context;
  app.post<{ Querystring: ReadQuery }>(
    '/api/read',
    {
      schema: {
        querystring: {
          type: 'object',
          properties: { top: topQuery(context.models), ...READ_QUERY },
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
      const { model, options, lineModel } = readingRequest(context, request.query);
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
            ...(lineModel === undefined ? {} : { lineModel }),
          },
          { signal: gone.signal, client: request.ip },
        )
        .finally(gone.done)) as ReadAnswer;
      reply.header('cache-control', 'no-store');
      return answer;
    },
  );
}
