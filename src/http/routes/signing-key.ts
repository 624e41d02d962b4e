/**
 * The instance's signing key and the central key it pins (issue 20 §1). Any user may read both
 * public keys; changing the pin is F_METADATA_MANAGE and audited (`GET /api/metadata/sync/audit`).
 * Only public halves are answered: the private key has no route.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { Authority } from '../../domain/authorities.ts';
import type { TrustedKey } from '../../domain/bundle/signer.ts';
import { SIGNING_ALGORITHM } from '../../domain/bundle/public-key.ts';
import type { Services } from '../../services.ts';
import { requireAuthority } from '../plugins/basic-auth.ts';
import { pinKeyBody, pinnedKeySchema, signingKeySchema } from '../schemas/signing-key.ts';
import { okMessage, webMessageSchema } from '../web-message.ts';

const manage = requireAuthority(Authority.F_METADATA_MANAGE);

const answer = (key: TrustedKey) => ({
  publicKey: key.publicKeyPem,
  fingerprint: key.fingerprint,
  algorithm: SIGNING_ALGORITHM,
});

export const signingKeyRoutes: FastifyPluginAsyncZod<{ services: Services }> = async (
  app,
  { services },
) => {
  const { signing } = services;

  app.get(
    '/api/metasync/signing-key',
    {
      schema: {
        tags: ['bundles'],
        summary: "This instance's Ed25519 public key, with which it signs offline bundles",
        response: { 200: signingKeySchema },
      },
    },
    async () => answer(await signing.publicKey()),
  );

  app.get(
    '/api/metasync/signing-key/pinned',
    {
      schema: {
        tags: ['bundles'],
        summary: "The central's public key this local checks bundles against",
        response: { 200: pinnedKeySchema },
      },
    },
    async () => {
      const pinned = await signing.pinned();
      return { pinned: pinned ? answer(pinned) : null };
    },
  );

  app.put(
    '/api/metasync/signing-key/pinned',
    {
      onRequest: manage,
      schema: {
        tags: ['bundles'],
        summary: "Pin (or replace) the central's public key; audited",
        body: pinKeyBody,
        response: { 200: signingKeySchema },
      },
    },
    async (request) =>
      answer(
        await signing.pin(request.body.publicKey, {
          username: request.principal!.user.username,
          ...(request.body.reason ? { reason: request.body.reason } : {}),
        }),
      ),
  );

  app.delete(
    '/api/metasync/signing-key/pinned',
    {
      onRequest: manage,
      schema: {
        tags: ['bundles'],
        summary: "Unpin the central's key (the next online contact pins again); audited",
        querystring: z.object({ reason: z.string().max(2000).optional() }),
        response: { 200: webMessageSchema },
      },
    },
    async (request) => {
      await signing.unpin({
        username: request.principal!.user.username,
        ...(request.query.reason ? { reason: request.query.reason } : {}),
      });
      return okMessage('The central signing key was unpinned');
    },
  );
};
