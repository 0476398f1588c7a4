// `POST /api/predict`: one character per image, the image as raw bytes, a multipart form or
// base64 in JSON (one `image`, or a batch in `images`), run by the chosen model's worker pool
// under the server's work budgets (docs/DESIGN.md §9). A batch answers a list of results, each
// image's error in its place; a single image answers its result or its error.

import type { FastifyInstance } from 'fastify';
import { HcrError, type ErrorCode } from '../../errors.js';
import { API_ERROR_STATUS, ApiError, type ApiErrorCode } from '../errors.js';
import type { ImageResult } from '../recognize.js';
import {
  BASE64_IMAGE,
  MODEL_QUERY,
  chooseModel,
  clientGone,
  ownBytes,
  readImages,
  topQuery,
  type RouteContext,
} from '../request.js';

interface PredictQuery {
  top?: number;
  model?: string;
}

/**
 * Registers `POST /api/predict` (`?top=`, `?model=`).
 *
 * @example
 * await app.register(predictRoutes, context);
 */
export async function predictRoutes(app: FastifyInstance, context: RouteContext): Promise<void> {
  const { models, limits, budget, charge } = context;
  app.post<{ Querystring: PredictQuery }>(
    '/api/predict',
    {
      schema: {
        querystring: {
          type: 'object',
          properties: { top: topQuery(models), model: MODEL_QUERY },
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
      const model = chooseModel(models, request.query);
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
}
