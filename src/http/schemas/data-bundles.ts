/**
 * The data bundle answers (issue 20 §5): a central's pins of its locals' keys, and what the
 * import of a local's bundle did, part by part, each with the ImportSummary(ies) the push of
 * that page would have been answered.
 */
import { z } from 'zod';
import { DATA_KINDS } from '../../domain/bundle/data-manifest.ts';
import { documented } from './json.ts';

export const localKeySchema = z
  .object({
    systemId: z.string(),
    publicKey: z.string().meta({ description: 'SPKI PEM' }),
    fingerprint: z.string().meta({ description: "SHA-256 of the key's SPKI DER bytes, hex" }),
    algorithm: z.literal('Ed25519'),
    pinnedBy: z.string(),
    pinnedAt: z.string().meta({ description: 'ISO 8601, UTC' }),
    reason: z.string(),
  })
  .meta({
    id: 'LocalSigningKey',
    description:
      "A local's Ed25519 public key this central checks that local's data bundles against",
  });

export const localKeysSchema = z.object({ locals: z.array(localKeySchema) });

export const pinLocalKeyBody = z.object({
  publicKey: z.string().min(1).max(10_000).meta({ description: "The local's PEM public key" }),
  reason: z.string().max(2000).optional(),
});

export const systemIdParams = z.object({ systemId: z.string().min(1).max(64) });

const summary = documented(
  null,
  z.object({
    responseType: z.enum(['ImportSummary', 'ImportSummaries']),
    status: z.enum(['SUCCESS', 'WARNING', 'ERROR']),
  }),
  "The data import's ImportSummary (values, registrations) or ImportSummaries (events), as the push is answered",
);

export const dataBundleImportSchema = z
  .object({
    source: z.object({ systemId: z.string(), systemName: z.string() }),
    parts: z.array(
      z.object({ kind: z.enum(DATA_KINDS), count: z.number(), importSummary: summary }),
    ),
  })
  .meta({ id: 'DataBundleImport', description: "What the import of a local's data bundle did" });
