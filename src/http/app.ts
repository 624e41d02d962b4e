/**
 * Builds the Fastify application from the Services record (house rule 2). Route groups are
 * registered by trust level (house rule 4): public (health), authenticated (everything else
 * under /api, HTTP Basic as DHIS2).
 */
import { randomUUID } from 'node:crypto';
import swagger from '@fastify/swagger';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import {
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
} from 'fastify-type-provider-zod';
import type { Services } from '../services.ts';
import { installErrorHandler } from './error-handler.ts';
import { requireAuthentication } from './plugins/basic-auth.ts';
import { installRouteRegistry } from './plugins/method-not-allowed.ts';
import { healthRoutes } from './routes/health.ts';
import { meRoutes } from './routes/me.ts';
import { openapiRoutes } from './routes/openapi.ts';
import { settingsRoutes } from './routes/settings.ts';
import { systemRoutes } from './routes/system.ts';

export interface AppOptions {
  logger: FastifyBaseLogger;
}

export async function buildApp(
  services: Services,
  { logger }: AppOptions,
): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: logger,
    bodyLimit: services.config.maxRequestBytes,
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
    // In-flight requests finish on close; new connections are refused (graceful shutdown).
    return503OnClosing: true,
    forceCloseConnections: 'idle',
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.decorateRequest('principal', null);
  app.addHook('onSend', async (request, reply) => {
    void reply.header('X-Request-Id', request.id);
  });
  installErrorHandler(app, services.config.maxRequestBytes);
  installRouteRegistry(app);

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'metasync',
        version: services.build.metasyncVersion,
        description:
          'DHIS2-compatible metadata versioning and synchronisation (see docs/protocol.md)',
      },
      components: { securitySchemes: { basic: { type: 'http', scheme: 'basic' } } },
      security: [{ basic: [] }],
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });

  await app.register(healthRoutes, { services });
  await app.register(async (authed) => {
    requireAuthentication(authed, services);
    await authed.register(systemRoutes, { services });
    await authed.register(meRoutes);
    await authed.register(settingsRoutes, { services });
    await authed.register(openapiRoutes);
  });
  await app.ready();
  return app;
}
