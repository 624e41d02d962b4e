/** `GET /api/me`: the authenticated user and their authorities (DHIS2 shape, subset). */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { meSchema } from '../schemas/identity.ts';

export const meRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/api/me',
    { schema: { tags: ['users'], summary: 'The current user', response: { 200: meSchema } } },
    async (request) => {
      const { user, authorities } = request.principal!;
      return {
        id: user.id,
        username: user.username,
        firstName: user.firstName,
        surname: user.surname,
        displayName: `${user.firstName} ${user.surname}`,
        ...(user.email ? { email: user.email } : {}),
        authorities: [...authorities].sort(),
        userRoles: user.roleIds.map((id) => ({ id })),
        created: user.created.toISOString(),
        lastUpdated: user.lastUpdated.toISOString(),
      };
    },
  );
};
