/**
 * `GET /metrics` (issue 10 §6): Prometheus text exposition. It sits outside /api, where scrapers
 * look for it, but inside the authenticated group: metrics name versions, routes and volumes, so
 * a scraper uses HTTP Basic like every other client (Prometheus `basic_auth`, docs/operations.md).
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Services } from '../../services.ts';

export const metricsRoutes: FastifyPluginAsyncZod<{ services: Services }> = async (
  app,
  { services },
) => {
  app.get(
    '/metrics',
    {
      schema: {
        tags: ['system'],
        summary: 'Prometheus metrics of this process (text format 0.0.4)',
        produces: ['text/plain'],
        response: { 200: z.string() },
      },
    },
    async (_request, reply) => {
      const text = await services.metrics.render();
      void reply.header('Content-Type', services.metrics.contentType);
      void reply.header('Cache-Control', 'no-store');
      return text;
    },
  );
};
