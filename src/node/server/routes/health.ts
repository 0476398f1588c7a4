// `GET /healthz`: whether the server is up, with its memory and its workers' tensors and jobs.
// It runs on the event loop and reads only counters, so it stays fast however busy the worker
// pools are (docs/DESIGN.md §9); never cached, not rate limited (it is not under /api/).

import * as tf from '@tensorflow/tfjs';
import type { FastifyInstance } from 'fastify';
import type { RouteContext } from '../request.js';

/**
 * Registers `GET /healthz`.
 *
 * @example
 * await app.register(healthRoutes, { models });
 */
export async function healthRoutes(
  app: FastifyInstance,
  context: Pick<RouteContext, 'models'>,
): Promise<void> {
  const { models } = context;
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
}
