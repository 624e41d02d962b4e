/**
 * Health endpoints, unauthenticated so load balancers and orchestrators can call them:
 * `GET /api/health` (issue 3: process + database), and issue 10's split into `/api/health/live`
 * (the process answers; restart it if not) and `/api/health/ready` (the database answers and every
 * migration this code knows is applied; send it traffic only then).
 */
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

  app.get(
    '/api/health/live',
    {
      schema: {
        tags: ['system'],
        summary: 'Liveness: the process answers (no database call, no authentication)',
        response: { 200: z.object({ status: z.literal('UP') }) },
      },
    },
    async (_request, reply) => {
      void reply.header('Cache-Control', 'no-store');
      return { status: 'UP' as const };
    },
  );

  app.get(
    '/api/health/ready',
    {
      schema: {
        tags: ['system'],
        summary: 'Readiness: database reachable and migrations applied (no authentication)',
        response: {
          200: z.object({
            status: z.literal('UP'),
            database: z.literal('UP'),
            migrations: z.literal('UP'),
            backend: z.enum(['pglite', 'postgres']),
          }),
          503: webMessageSchema,
        },
      },
    },
    async (_request, reply) => {
      void reply.header('Cache-Control', 'no-store');
      let pending: string[];
      try {
        await services.checkDatabase();
        pending = await services.pendingMigrations();
      } catch (e) {
        throw errors.unavailable('Database is not reachable', e);
      }
      // A process whose code is newer than its database must not take traffic before `migrate`.
      if (pending.length > 0)
        throw errors.unavailable(`Database migrations pending: ${pending.join(', ')}`);
      return {
        status: 'UP' as const,
        database: 'UP' as const,
        migrations: 'UP' as const,
        backend: services.backend,
      };
    },
  );
};
