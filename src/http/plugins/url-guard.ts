/**
 * Refuses a URL holding a NUL byte (`%00`) with 400 before any route runs. No parameter of the
 * API can hold one (ids, names, periods, versions), and PostgreSQL refuses it in text ("invalid
 * byte sequence for encoding UTF8: 0x00"), so every path or query parameter that reached a query
 * with it answered 500 (issue 10 §4: found on 160+ routes by the injection test). Bodies are
 * checked where they are parsed (`domain/text.ts`).
 */
import type { FastifyInstance } from 'fastify';
import { errors } from '../../domain/errors.ts';

/** Call on the root instance before any route is registered, so every context inherits it. */
export function refuseNulInUrls(app: FastifyInstance): void {
  app.addHook('onRequest', async (request) => {
    if (/%00/i.test(request.url) || request.url.includes('\u0000'))
      throw errors.badRequest(
        'The URL holds a NUL character (%00), which no parameter may contain',
      );
  });
}
