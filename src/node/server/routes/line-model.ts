// GET /line-model/:file: the served line model's files for the page (model.json, weights.bin,
// hcr.json; line-model.ts reads and checks them), with an ETag; 404 without a line model.

import type { FastifyInstance } from 'fastify';
import { HcrError } from '../../errors.js';
import { LINE_MODEL_BROWSER_FILES, lineModelFiles } from '../line-model.js';
import type { RouteContext } from '../request.js';
import { sendBrowserFile } from '../served-models.js';

/**
 * Registers `GET /line-model/:file`.
 *
 * @example
 * await app.register(lineModelRoutes, { line });
 */
export async function lineModelRoutes(
  app: FastifyInstance,
  options: Pick<RouteContext, 'line'>,
): Promise<void> {
  const { line } = options;
  const read = line && lineModelFiles(line);
  app.get<{ Params: { file: string } }>('/line-model/:file', async (request, reply) => {
    const name = request.params.file;
    if (!read || !LINE_MODEL_BROWSER_FILES.includes(name)) {
      throw new HcrError(
        'NOT_FOUND',
        line
          ? `no such line model file: ${name} (expected ${LINE_MODEL_BROWSER_FILES.join(', ')})`
          : 'no line model is served: the page reads lines with the glyph reader',
      );
    }
    return sendBrowserFile(request, reply, name, await read(name));
  });
}
