/**
 * `POST /api/metasync/fleet/downstream` (issue 21 §4): a relay reports the locals below it, so
 * the top of a tree sees every local. The reporter is named by its X-Metasync-System-Id header
 * (what its history calls send); its report replaces all it reported before, in one transaction.
 * Authority: the history call's (any authenticated user): a relay's sync user needs nothing
 * more than it needs to sync, and any such user can already place itself in the fleet.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { errors } from '../../domain/errors.ts';
import type { Services } from '../../services.ts';
import { downstreamFleetAnswer, downstreamFleetBody } from '../schemas/versions.ts';
import { webMessageSchema } from '../web-message.ts';

/** 10,000 entries of a few hundred bytes each, with room to spare; never above the server's own. */
const BODY_LIMIT = 8 * 1024 * 1024;

export const fleetDownstreamRoutes: FastifyPluginAsyncZod<{ services: Services }> = async (
  app,
  { services },
) => {
  app.post(
    '/api/metasync/fleet/downstream',
    {
      bodyLimit: Math.min(BODY_LIMIT, services.config.maxRequestBytes),
      schema: {
        tags: ['versions'],
        summary:
          'A relay reports its downstream fleet; replaces all it reported before (X-Metasync-System-Id)',
        body: downstreamFleetBody,
        response: { 200: downstreamFleetAnswer, 400: webMessageSchema },
      },
    },
    async (request) => {
      // As every version route: a server that serves no versions has no locals to list.
      if (!(await services.settings.get('keyVersionEnabled'))) throw errors.versioningDisabled();
      const relay = request.headers['x-metasync-system-id'];
      if (typeof relay !== 'string' || !relay.trim() || relay.length > 200)
        throw errors.badRequest(
          'A downstream fleet report needs the reporting relay’s X-Metasync-System-Id header: its entries are kept per relay.',
        );
      const locals = await services.versions.reportDownstream(relay, request.body.locals);
      request.log.info({ relay, locals }, 'downstream fleet reported');
      return { relay, locals };
    },
  );
};
