/**
 * A data bundle's manifest (issue 20 §5): what an offline local puts in front of the data it
 * carries back to its central by USB stick, and what the central checks before it imports any of
 * it. Each part is one page of the data push, in exactly the body the push would POST, so the
 * central imports it through the push's own import code; the part names the change numbers it
 * covers, so a reader sees which stretch of the local's changes the stick holds.
 */
import { z } from 'zod';

/** The format's name and revision: a reader refuses any other. */
export const DATA_BUNDLE_FORMAT = 'metasync-data-bundle/1';

/**
 * The kinds of data a local pushes, in the push's order, each with the root key of its body and
 * the central's endpoint the push would POST it to (the authority check is that endpoint's).
 */
export const DATA_KINDS = ['dataValues', 'completeDataSetRegistrations', 'events'] as const;
export type DataKind = (typeof DATA_KINDS)[number];

/** Where part `index` (from 1) of `kind` sits in the tar. */
export const partFile = (index: number, kind: DataKind): string =>
  `parts/${String(index).padStart(4, '0')}-${kind}.json.gz`;

const seq = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

/** One part: one page of one kind, gzipped JSON. */
export const DataBundlePart = z.strictObject({
  file: z.string().max(200),
  kind: z.enum(DATA_KINDS),
  /** How many items the body's array holds. */
  count: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  /** The gzip's length in bytes. */
  size: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  /** SHA-256 of the gzip's bytes, lower-case hex. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be a lower-case hex SHA-256'),
  /** The local's data change numbers the part covers: `after < seq <= upTo`. */
  window: z.strictObject({ after: seq, upTo: seq }),
});
export type DataBundlePart = z.infer<typeof DataBundlePart>;

export const DataBundleSource = z.strictObject({
  systemId: z.string().min(1).max(64),
  systemName: z.string().max(1000),
});
export type DataBundleSource = z.infer<typeof DataBundleSource>;

/** What is signed: the whole manifest but its signature and the signing key's fingerprint. */
export const UnsignedDataManifest = z.strictObject({
  format: z.literal(DATA_BUNDLE_FORMAT, { error: `must be "${DATA_BUNDLE_FORMAT}"` }),
  source: DataBundleSource,
  /** ISO 8601, UTC. */
  createdAt: z.iso.datetime(),
  /** Every row the local holds (`--all`, a lost stick), not only those changed since the last. */
  all: z.boolean(),
  /** At least one part per kind, so an empty export still says what it covered. */
  parts: z.array(DataBundlePart).min(DATA_KINDS.length).max(1_000_000),
});
export type UnsignedDataManifest = z.infer<typeof UnsignedDataManifest>;

export const DataBundleManifest = z
  .strictObject({
    ...UnsignedDataManifest.shape,
    /** Ed25519 over `canonicalManifestBytes`, base64. */
    signature: z.base64(),
    /** SHA-256 hex of the signing key's SPKI DER (`BundleSigner.fingerprint`). */
    keyFingerprint: z.string().regex(/^[0-9a-f]{64}$/, 'must be a lower-case hex SHA-256'),
  })
  .superRefine((m, ctx) => {
    // The parts go in the push's order, numbered from 1, each kind's windows end to end: the
    // import then runs as the push would have, kind after kind, oldest change first.
    m.parts.forEach((p, i) => {
      const path = ['parts', i];
      if (p.file !== partFile(i + 1, p.kind))
        ctx.addIssue({
          code: 'custom',
          path: [...path, 'file'],
          message: `must be ${partFile(i + 1, p.kind)}`,
        });
      if (p.window.after > p.window.upTo)
        ctx.addIssue({
          code: 'custom',
          path: [...path, 'window'],
          message: 'after must not exceed upTo',
        });
      const before = m.parts[i - 1];
      if (!before) return;
      const order = DATA_KINDS.indexOf(p.kind) - DATA_KINDS.indexOf(before.kind);
      if (order < 0)
        ctx.addIssue({
          code: 'custom',
          path: [...path, 'kind'],
          message: `${p.kind} must come before ${before.kind}`,
        });
      if (order === 0 && p.window.after !== before.window.upTo)
        ctx.addIssue({
          code: 'custom',
          path: [...path, 'window', 'after'],
          message: `must be ${before.window.upTo}, where the part before ends`,
        });
    });
    for (const kind of DATA_KINDS)
      if (!m.parts.some((p) => p.kind === kind))
        ctx.addIssue({ code: 'custom', path: ['parts'], message: `must hold a part of ${kind}` });
  });
export type DataBundleManifest = z.infer<typeof DataBundleManifest>;

/** The manifest's shape checked, or every problem found, each as `path: message`. */
export function parseDataManifest(
  value: unknown,
): { ok: true; manifest: DataBundleManifest } | { ok: false; message: string } {
  const r = DataBundleManifest.safeParse(value);
  if (r.success) return { ok: true, manifest: r.data };
  const problems = r.error.issues.map(
    (i) => `${i.path.map(String).join('.') || 'the manifest'}: ${i.message}`,
  );
  return { ok: false, message: `The data bundle's manifest is not valid: ${problems.join('; ')}` };
}
