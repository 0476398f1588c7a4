// The files each served model gives the page (model.json, weights.bin; served-models.ts reads
// and checks them): `GET /model/NAME/FILE`, and `GET /model/FILE` for the default model, where
// the page found them before the server had several. Each with an ETag, 304 when unchanged.

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { HcrError } from '../../errors.js';
import type { RouteContext } from '../request.js';
import { BROWSER_MODEL_FILES, sendBrowserFile, type ServedModel } from '../served-models.js';

/**
 * Registers `GET /model/:file` and `GET /model/:name/:file`.
 *
 * @example
 * await app.register(modelFileRoutes, { models });
 */
export async function modelFileRoutes(
  app: FastifyInstance,
  context: Pick<RouteContext, 'models'>,
): Promise<void> {
  const { models } = context;
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
    return sendBrowserFile(request, reply, name, file);
  };
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
}
