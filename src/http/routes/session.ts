/**
 * `/api/metasync/session` (issue 9): the web UI's login (same checks and lockout as Basic, via
 * services.auth.authenticate), the current user with the CSRF token, and logout. Public routes:
 * they authenticate by themselves.
 */
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Principal } from '../../domain/auth/authenticate.ts';
import { errors } from '../../domain/errors.ts';
import { resolveUiLocale } from '../../domain/settings/ui-locale.ts';
import type { Services } from '../../services.ts';
import { loginFailure } from '../plugins/basic-auth.ts';
import { csrfOk, sessionOf, sessionsOf, setSessionCookie } from '../session.ts';
import { webMessage, webMessageSchema } from '../web-message.ts';
import { sessionSchema } from '../schemas/identity.ts';

/** The user as the UI needs it, with the language it shows them (issue 24 §1). */
const view = async (
  services: Services,
  request: FastifyRequest,
  principal: Principal,
  csrfToken: string,
) => ({
  username: principal.user.username,
  displayName: `${principal.user.firstName} ${principal.user.surname}`.trim(),
  authorities: [...principal.authorities].sort(),
  csrfToken,
  locale: resolveUiLocale(
    await services.userSettings.uiLocale(principal.user.id),
    request.headers['accept-language'],
  ),
});

export const sessionRoutes: FastifyPluginAsyncZod<{ services: Services }> = async (
  app,
  { services },
) => {
  const store = sessionsOf(services);

  app.post(
    '/api/metasync/session',
    {
      schema: {
        tags: ['session'],
        summary: 'Log in to the web UI: sets the session cookie; answers the user and CSRF token',
        body: z.object({ username: z.string().min(1).max(255), password: z.string().max(1024) }),
        response: { 200: sessionSchema },
      },
    },
    async (request, reply) => {
      const { username, password } = request.body;
      const result = await services.auth.authenticate(username, password, request.ip);
      if (!result.ok) throw loginFailure(result, username, request);
      const old = sessionOf(services, request);
      if (old) store.destroy(old.id);
      const session = store.create(result.principal);
      setSessionCookie(reply, request, session.id, services.config.serverBaseUrl);
      return view(services, request, session.principal, session.csrfToken);
    },
  );

  app.get(
    '/api/metasync/session',
    {
      schema: {
        tags: ['session'],
        summary: 'The logged-in user and the CSRF token, or 401',
        response: { 200: sessionSchema },
      },
    },
    async (request) => {
      const session = sessionOf(services, request);
      if (!session) throw errors.unauthorized('Not logged in');
      return view(services, request, session.principal, session.csrfToken);
    },
  );

  app.delete(
    '/api/metasync/session',
    {
      schema: {
        tags: ['session'],
        summary: 'Log out of the web UI',
        response: { 200: webMessageSchema },
      },
    },
    async (request, reply) => {
      const session = sessionOf(services, request);
      if (session) {
        if (!csrfOk(session, request)) throw errors.badRequest('Missing or invalid CSRF token');
        store.destroy(session.id);
      }
      setSessionCookie(reply, request, null, services.config.serverBaseUrl);
      return webMessage(200, 'OK', 'Logged out');
    },
  );
};
