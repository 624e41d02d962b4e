/** `GET /api/health`: unauthenticated liveness + database check for load balancers (issue 3). */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errors } from '../../domain/errors.ts';
import type { Services } from '../../services.ts';
import { webMessageSchema } from '../web-message.ts';

export const healthRoutes: FastifyPluginAsyncZod<{ services: Services }> = async (
  app,
  { services },
) => {
  app.get(
    '/api/health',
    {
      schema: {
        tags: ['system'],
        summary: 'Liveness and database check (no authentication)',
        response: {
          200: z.object({
            status: z.literal('UP'),
            database: z.literal('UP'),
            backend: z.enum(['pglite', 'postgres']),
          }),
          503: webMessageSchema,
        },
      },
    },
    async (_request, reply) => {
      try {
        await services.checkDatabase();
      } catch (e) {
        throw errors.unavailable('Database is not reachable', e);
      }
      void reply.header('Cache-Control', 'no-store');
      return { status: 'UP' as const, database: 'UP' as const, backend: services.backend };
    },
  );
};
