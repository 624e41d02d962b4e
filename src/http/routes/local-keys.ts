/**
 * The locals' signing keys a central pins (issue 20 §5): any user may list them (public halves
 * only); pinning and unpinning are F_METADATA_MANAGE, as pinning the central's key on a local is,
 * and go to the sync audit log (`GET /api/metadata/sync/audit`).
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { Authority } from '../../domain/authorities.ts';
import type { PinnedLocalKey } from '../../domain/bundle/local-keys.ts';
import { SIGNING_ALGORITHM } from '../../domain/bundle/public-key.ts';
import type { Services } from '../../services.ts';
import { requireAuthority } from '../plugins/basic-auth.ts';
import {
  localKeySchema,
  localKeysSchema,
  pinLocalKeyBody,
  systemIdParams,
} from '../schemas/data-bundles.ts';
import { okMessage, webMessageSchema } from '../web-message.ts';

const manage = requireAuthority(Authority.F_METADATA_MANAGE);

const answer = (k: PinnedLocalKey) => ({
  systemId: k.systemId,
  publicKey: k.publicKeyPem,
  fingerprint: k.fingerprint,
  algorithm: SIGNING_ALGORITHM,
  pinnedBy: k.pinnedBy,
  pinnedAt: k.pinnedAt.toISOString(),
  reason: k.reason,
});

export const localKeyRoutes: FastifyPluginAsyncZod<{ services: Services }> = async (
  app,
  { services },
) => {
  const keys = services.dataBundles.localKeys;

  app.get(
    '/api/metasync/signing-key/locals',
    {
      schema: {
        tags: ['bundles'],
        summary: "The locals' public keys this central checks their data bundles against",
        response: { 200: localKeysSchema },
      },
    },
    async () => ({ locals: (await keys.list()).map(answer) }),
  );

  app.put(
    '/api/metasync/signing-key/locals/:systemId',
    {
      onRequest: manage,
      schema: {
        tags: ['bundles'],
        summary: "Pin (or replace) a local's public key by its systemId; audited",
        params: systemIdParams,
        body: pinLocalKeyBody,
        response: { 200: localKeySchema, 400: webMessageSchema },
      },
    },
    async (request) =>
      answer(
        await keys.pin(request.params.systemId, request.body.publicKey, {
          username: request.principal!.user.username,
          reason: request.body.reason,
        }),
      ),
  );

  app.delete(
    '/api/metasync/signing-key/locals/:systemId',
    {
      onRequest: manage,
      schema: {
        tags: ['bundles'],
        summary: "Unpin a local's key (its bundles are refused until pinned again); audited",
        params: systemIdParams,
        querystring: z.object({ reason: z.string().max(2000).optional() }),
        response: { 200: webMessageSchema, 404: webMessageSchema },
      },
    },
    async (request) => {
      await keys.unpin(request.params.systemId, {
        username: request.principal!.user.username,
        reason: request.query.reason,
      });
      return okMessage(`The signing key of the local ${request.params.systemId} was unpinned`);
    },
  );
};
