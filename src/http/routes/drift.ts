/**
 * Drift (issue 23): the check of what was changed on this local behind its central's back, and
 * its audited repair. F_METADATA_MANAGE, as the rebaseline. metasync extensions: DHIS2 has none.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { Authority } from '../../domain/authorities.ts';
import type { Services } from '../../services.ts';
import { requireAuthority } from '../plugins/basic-auth.ts';
import { driftQuery, driftSchema, repairBody, repairSchema } from '../schemas/drift.ts';
import { webMessageSchema } from '../web-message.ts';

const manage = requireAuthority(Authority.F_METADATA_MANAGE);

export const driftRoutes: FastifyPluginAsyncZod<{ services: Services }> = async (
  app,
  { services },
) => {
  app.get(
    '/api/metasync/drift',
    {
      onRequest: manage,
      schema: {
        tags: ['drift'],
        summary:
          'Objects changed, created and deleted on this local since the versions it applied (issue 23)',
        querystring: driftQuery,
        response: { 200: driftSchema },
      },
    },
    async (request, reply) => {
      // A check reads the live state: never served from a cache.
      void reply.header('cache-control', 'no-store');
      return services.drift.check(request.query);
    },
  );

  app.post(
    '/api/metasync/drift/repair',
    {
      onRequest: manage,
      schema: {
        tags: ['drift'],
        summary:
          'Put drifted objects back to the state the applied versions imply, in one transaction (audited)',
        body: repairBody,
        response: { 200: repairSchema, 400: webMessageSchema, 409: webMessageSchema },
      },
    },
    async (request) => {
      const { user } = request.principal!;
      return services.drift.repair({
        ...request.body,
        username: user.username,
        actorId: user.id,
      });
    },
  );
};
