/** `GET /api/system/ping` and `GET /api/system/info` (contract §6.8, §6.10). */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Services } from '../../services.ts';
import { infoSchema } from '../schemas/identity.ts';

export const systemRoutes: FastifyPluginAsyncZod<{ services: Services }> = async (
  app,
  { services },
) => {
  // Authenticated, as DHIS2 ≤ 2.43: bad credentials give 401, so a local fails early (§6.8).
  app.get(
    '/api/system/ping',
    {
      schema: {
        tags: ['system'],
        summary: 'Availability probe: answers "pong"',
        response: { 200: z.string() },
      },
    },
    async (_request, reply) =>
      reply.header('Cache-Control', 'no-store').type('text/plain; charset=utf-8').send('pong'),
  );

  app.get(
    '/api/system/info',
    {
      schema: {
        tags: ['system'],
        summary: 'Instance facts (DHIS2 SystemInfo subset)',
        response: { 200: infoSchema },
      },
    },
    async (request) => {
      const baseUrl = services.config.serverBaseUrl ?? `${request.protocol}://${request.host}`;
      return {
        version: services.config.systemVersion,
        revision: services.build.revision,
        buildTime: services.build.buildTime.toISOString(),
        serverDate: services.clock.now().toISOString(),
        contextPath: baseUrl,
        instanceBaseUrl: baseUrl,
        systemId: services.instance.systemId,
        systemName: await services.settings.get('applicationTitle'),
        isMetadataVersionEnabled: await services.settings.get('keyVersionEnabled'),
        systemMetadataVersion: await services.settings.get('keySystemMetadataVersion'),
        metasyncVersion: services.build.metasyncVersion,
        databaseBackend: services.backend,
      };
    },
  );
};
