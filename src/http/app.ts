/**
 * Builds the Fastify application from the Services record (house rule 2). Route groups are
 * registered by trust level (house rule 4): public (health), authenticated (everything else
 * under /api, HTTP Basic as DHIS2).
 */
import { randomUUID } from 'node:crypto';
import swagger from '@fastify/swagger';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import {
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
} from 'fastify-type-provider-zod';
import type { Services } from '../services.ts';
import { clientErrorHandler, errorRenderer, installErrorHandler } from './error-handler.ts';
import { authenticateRequest, requireAuthentication } from './plugins/basic-auth.ts';
import { compressAnswers } from './plugins/compress-answers.ts';
import { installRouteRegistry } from './plugins/method-not-allowed.ts';
import { installSecurityHeaders } from './plugins/security-headers.ts';
import { refuseNulInUrls } from './plugins/url-guard.ts';
import { bundleRoutes } from './routes/bundles.ts';
import { dataBundleRoutes } from './routes/data-bundles.ts';
import { localKeyRoutes } from './routes/local-keys.ts';
import { healthRoutes } from './routes/health.ts';
import { sessionRoutes } from './routes/session.ts';
import { webRoutes } from './routes/web.ts';
import { meRoutes } from './routes/me.ts';
import { dataEventRoutes } from './routes/data-events.ts';
import { dataValueRoutes } from './routes/data-values.ts';
import { trackedEntityRoutes } from './routes/tracked-entities.ts';
import { metadataObjectRoutes } from './routes/metadata-objects.ts';
import { metadataRoutes } from './routes/metadata.ts';
import { metadataSyncRoutes } from './routes/metadata-sync.ts';
import { emailRoutes } from './routes/email.ts';
import { jobConfigurationRoutes } from './routes/job-configurations.ts';
import { metadataVersionRoutes } from './routes/metadata-versions.ts';
import { fleetDownstreamRoutes } from './routes/fleet-downstream.ts';
import { rolloutRoutes } from './routes/rollout.ts';
import { driftRoutes } from './routes/drift.ts';
import { metricsRoutes } from './routes/metrics.ts';
import { openapiRoutes } from './routes/openapi.ts';
import { settingsRoutes } from './routes/settings.ts';
import { userSettingRoutes } from './routes/user-settings.ts';
import { signingKeyRoutes } from './routes/signing-key.ts';
import { systemRoutes } from './routes/system.ts';

/** `/api/{28..99}/rest` → `/api/rest`: the versioned API paths DHIS2 answers (contract §1). */
export function unversionedApiUrl(url: string): string {
  return url.replace(/^\/api\/(?:2[89]|[3-9]\d)(?=[/?]|$)/, '/api');
}

export interface AppOptions {
  logger: FastifyBaseLogger;
}

export async function buildApp(
  services: Services,
  { logger }: AppOptions,
): Promise<FastifyInstance> {
  const renderError = errorRenderer(services.config.maxRequestBytes);
  const app = Fastify({
    loggerInstance: logger,
    bodyLimit: services.config.maxRequestBytes,
    // A client may choose the request id (to trace a local's call on the central), but only a
    // short, plain one: anything else could forge or garble log lines.
    requestIdHeader: false,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[A-Za-z0-9._-]{1,64}$/.test(given)
        ? given
        : randomUUID();
    },
    routerOptions: { maxParamLength: 256 },
    // DHIS2 serves every API path also under its version (`/api/41/metadata/versions`), and the
    // DHIS2 app runtime our UI uses always asks that way; both reach the same routes here.
    rewriteUrl: (req) => unversionedApiUrl(req.url ?? '/'),
    // Behind nginx the TCP peer is the proxy: believe its X-Forwarded-For only when it is one of
    // server.trusted.proxies, so request.ip is the client's (the failed-login lock key, issue 16 §6).
    trustProxy: services.config.trustedProxies.length > 0 ? services.config.trustedProxies : false,
    // In-flight requests finish on close; new connections are refused (graceful shutdown).
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    // The router answers a bad URL encoding or a path parameter over maxParamLength itself,
    // bypassing the error handler; this keeps those answers WebMessages too.
    frameworkErrors: (error, request, reply) => void renderError(error, request, reply),
    clientErrorHandler,
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.decorateRequest('principal', null);
  app.addHook('onSend', async (request, reply) => {
    void reply.header('X-Request-Id', request.id);
  });
  // The route template (not the URL) labels the histogram, so its series stay bounded.
  app.addHook('onResponse', async (request, reply) => {
    services.metrics.observeHttp(
      request.method,
      request.routeOptions.url ?? 'unmatched',
      reply.statusCode,
      reply.elapsedTime / 1000,
    );
  });
  installErrorHandler(app, services.config.maxRequestBytes);
  installSecurityHeaders(app, services.config.serverBaseUrl);
  refuseNulInUrls(app);
  let serveUi: ((request: FastifyRequest, reply: FastifyReply) => FastifyReply) | null = null;
  installRouteRegistry(
    app,
    (request) => authenticateRequest(services, request),
    (request, reply) => serveUi?.(request, reply),
  );

  // Before any route: the plugin hooks each route as it is registered (issue 19 §5).
  await compressAnswers(app);
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
  // The web UI (issue 9): its session routes authenticate by themselves; its files are public.
  await app.register(sessionRoutes, { services });
  serveUi = await webRoutes(app);
  await app.register(async (authed) => {
    requireAuthentication(authed, services);
    await authed.register(systemRoutes, { services });
    await authed.register(meRoutes);
    await authed.register(settingsRoutes, { services });
    await authed.register(userSettingRoutes, { services });
    await authed.register(openapiRoutes);
    await authed.register(metadataRoutes, { services });
    await authed.register(metadataObjectRoutes, { services });
    await authed.register(metadataVersionRoutes, { services });
    await authed.register(fleetDownstreamRoutes, { services });
    await authed.register(rolloutRoutes, { services });
    await authed.register(driftRoutes, { services });
    await authed.register(metadataSyncRoutes, { services });
    await authed.register(bundleRoutes, { services });
    await authed.register(signingKeyRoutes, { services });
    await authed.register(localKeyRoutes, { services });
    await authed.register(dataBundleRoutes, { services });
    await authed.register(jobConfigurationRoutes, { services });
    await authed.register(emailRoutes, { services });
    await authed.register(dataValueRoutes, { services });
    await authed.register(dataEventRoutes, { services });
    await authed.register(trackedEntityRoutes, { services });
    await authed.register(metricsRoutes, { services });
  });
  await app.ready();
  return app;
}
