// What a client learns of the served models: `GET /api/models` lists them (and the line model),
// `GET /api/model` describes one (`?model=`, the default without it) with the server's limits,
// never the training machine's paths. Both are computed once, when the server is built, but for
// a model named by `?model=`.

import type { FastifyInstance } from 'fastify';
import { NORMALIZATION_VERSION } from '../../../core/normalize.js';
import type { ResolvedServerLimits } from '../config.js';
import { lineModelSummary } from '../line-model.js';
import { MODEL_QUERY, type RouteContext } from '../request.js';
import type { ServedModel } from '../served-models.js';

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
 * Registers `GET /api/models` and `GET /api/model`.
 *
 * @example
 * await app.register(modelInfoRoutes, context);
 */
export async function modelInfoRoutes(
  app: FastifyInstance,
  context: Pick<RouteContext, 'models' | 'limits' | 'line'>,
): Promise<void> {
  const { models, limits } = context;
  const defaultInfo = publicModelInfo(models.default, limits, '/model/model.json');
  const modelsInfo = {
    default: models.default.name,
    models: models.all.map((m) => m.summary()),
    lineModel: lineModelSummary(context.line),
  };

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
}
