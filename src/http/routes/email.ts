/**
 * `POST /api/email/test` (issue 8 §3): a test mail to the current user's address with the SMTP
 * server's answer. Any authenticated user may test (as DHIS2); it goes to their own address.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Services } from '../../services.ts';
import { webMessage, webMessageSchema } from '../web-message.ts';

export const emailRoutes: FastifyPluginAsyncZod<{ services: Services }> = async (
  app,
  { services },
) => {
  app.post(
    '/api/email/test',
    {
      schema: {
        tags: ['email'],
        summary: "Send a test mail to the current user's e-mail address",
        response: { 200: webMessageSchema },
      },
    },
    async (request) => {
      const sent = await services.email.sendTest(request.principal!.user);
      return webMessage(200, 'OK', `Test message was sent to ${sent.to}`, { response: sent });
    },
  );
};
