/**
 * The signing key answers (issue 20 §1): an Ed25519 public key as PEM and its fingerprint. A
 * strict object: whatever else a handler might hand over is not serialised.
 */
import { z } from 'zod';

export const signingKeySchema = z
  .object({
    publicKey: z.string().meta({ description: 'SPKI PEM' }),
    fingerprint: z.string().meta({ description: "SHA-256 of the key's SPKI DER bytes, hex" }),
    algorithm: z.literal('Ed25519'),
  })
  .meta({
    id: 'SigningKey',
    description: "An instance's Ed25519 public key: what its offline bundles are signed with",
  });

export const pinnedKeySchema = z.object({
  pinned: signingKeySchema.nullable().meta({
    description: "The central's key this local checks bundles against; null when none is pinned",
  }),
});

export const pinKeyBody = z.object({
  publicKey: z.string().min(1).max(10_000).meta({ description: 'The PEM public key to pin' }),
  reason: z.string().max(2000).optional(),
});
