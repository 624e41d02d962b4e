/** `GET /api/openapi.json`: the OpenAPI document generated from the route schemas (issue 3 §7). */
import type { FastifyPluginAsync } from 'fastify';

export const openapiRoutes: FastifyPluginAsync = async (app) => {
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());
};
