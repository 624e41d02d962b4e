/**
 * DHIS2's `/api/userSettings/keyUiLocale` (issue 24 §1): the logged-in user's own UI language,
 * read and written by any authenticated user for themselves (no other user's). The read answers
 * the language the UI shows them: their setting, else their browser's `Accept-Language`, else
 * `en` (docs/deviations.md: DHIS2 falls back to the system's language instead).
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errors } from '../../domain/errors.ts';
import { resolveUiLocale } from '../../domain/settings/ui-locale.ts';
import type { Services } from '../../services.ts';
import { okMessage, webMessageSchema } from '../web-message.ts';

const PATH = '/api/userSettings/keyUiLocale';

export const userSettingRoutes: FastifyPluginAsyncZod<{ services: Services }> = async (
  app,
  { services },
) => {
  app.get(
    PATH,
    {
      schema: {
        tags: ['users'],
        summary: "The user's UI language as a JSON string (text/plain on request)",
        response: { 200: z.string() },
      },
    },
    async (request, reply) => {
      const setting = await services.userSettings.uiLocale(request.principal!.user.id);
      const locale = resolveUiLocale(setting, request.headers['accept-language']);
      if (request.headers.accept?.startsWith('text/plain'))
        return reply.type('text/plain; charset=utf-8').send(locale);
      // A bare string answer would go out as text: DHIS2 answers JSON, a quoted string.
      return reply.type('application/json; charset=utf-8').send(JSON.stringify(locale));
    },
  );

  app.post(
    PATH,
    {
      schema: {
        tags: ['users'],
        summary: "Set the user's UI language from ?value=, a text/plain body or a JSON string",
        querystring: z.object({ value: z.string().max(50).optional() }),
        body: z.unknown().optional(),
        response: { 200: webMessageSchema },
      },
    },
    async (request) => {
      const raw = request.query.value ?? request.body;
      // DHIS2's wording for a request with neither (UserSettingController).
      if (raw === undefined || raw === null || raw === '')
        throw errors.badRequest('Value must be specified as query param or as payload');
      await services.userSettings.setUiLocale(request.principal!.user.id, raw);
      return okMessage('User setting saved');
    },
  );
};
