/**
 * An offline bundle's manifest (issue 20 §2): what a central puts in front of the snapshots it
 * carries to a site without a link, and what that site checks before it imports anything. The
 * manifest names each version as the central's version list does and gives the size of its file,
 * so a reader can refuse a bundle entry by entry while it streams, before any import.
 */
import { z } from 'zod';
import { VERSION_TYPES, dhis2Date, type MetadataVersion } from '../versioning/version.ts';

/** The format's name and revision: a reader refuses any other (a new layout gets a new name). */
export const BUNDLE_FORMAT = 'metasync-bundle/1';
/** The tar's first entry. */
export const MANIFEST_FILE = 'manifest.json';
/** The most a manifest may weigh: a generous bound (about 30,000 versions) on what is read whole. */
export const MANIFEST_MAX_BYTES = 8 * 1024 * 1024;

/** Where a version's gzipped snapshot sits in the tar. */
export const versionFile = (name: string): string => `versions/${name}.json.gz`;

const md5Hex = z.string().regex(/^[0-9a-f]{32}$/, 'must be a lower-case hex MD5');
const versionName = z.string().regex(/^Version_\d{1,9}$/, 'must be Version_<n>');

/** One version the bundle carries: the version list's fields, plus its file and that file's size. */
export const BundleVersionEntry = z.strictObject({
  name: versionName,
  id: z.string().min(1).max(64),
  type: z.enum(VERSION_TYPES),
  /** As `GET /api/metadata/versions` writes it (contract §6.1). */
  created: z.string().min(1).max(64),
  hashCode: md5Hex,
  /** The hashCode of the version before it on the central; null for a chain's first version. */
  parentHashCode: md5Hex.nullable(),
  file: z.string(),
  /** The gzip's length in bytes: what `data.gz` sends as Content-Length. */
  size: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
});
export type BundleVersionEntry = z.infer<typeof BundleVersionEntry>;

export const BundleSource = z.strictObject({
  systemId: z.string().min(1).max(64),
  systemName: z.string().max(1000),
  /** The central's public address when it knows one (`server.base.url`, or the request's). */
  baseUrl: z.string().max(2000).nullable(),
});
export type BundleSource = z.infer<typeof BundleSource>;

/** What is signed: the whole manifest but its signature and the signing key's fingerprint. */
export const UnsignedManifest = z.strictObject({
  format: z.literal(BUNDLE_FORMAT, { error: `must be "${BUNDLE_FORMAT}"` }),
  source: BundleSource,
  /** ISO 8601, UTC. */
  createdAt: z.iso.datetime(),
  versions: z.array(BundleVersionEntry).min(1, 'a bundle carries at least one version'),
});
export type UnsignedManifest = z.infer<typeof UnsignedManifest>;

export const BundleManifest = z
  .strictObject({
    ...UnsignedManifest.shape,
    /** Ed25519 over `canonicalManifestBytes`, base64. */
    signature: z.base64(),
    /** SHA-256 hex of the signing key's SPKI DER (`BundleSigner.fingerprint`). */
    keyFingerprint: z.string().regex(/^[0-9a-f]{64}$/, 'must be a lower-case hex SHA-256'),
  })
  .superRefine((m, ctx) => {
    // The versions are one unbroken stretch of the chain, in order: a reader can then check
    // continuity against its own current version from the first entry alone.
    m.versions.forEach((v, i) => {
      const path = ['versions', i];
      if (v.file !== versionFile(v.name))
        ctx.addIssue({
          code: 'custom',
          path: [...path, 'file'],
          message: `must be ${versionFile(v.name)}`,
        });
      const before = m.versions[i - 1];
      if (!before) return;
      if (Number(v.name.slice(8)) !== Number(before.name.slice(8)) + 1)
        ctx.addIssue({
          code: 'custom',
          path: [...path, 'name'],
          message: `${v.name} does not follow ${before.name}`,
        });
      if (v.parentHashCode !== before.hashCode)
        ctx.addIssue({
          code: 'custom',
          path: [...path, 'parentHashCode'],
          message: `must be ${before.name}'s hashCode ${before.hashCode}`,
        });
    });
  });
export type BundleManifest = z.infer<typeof BundleManifest>;

/** `versions[2].hashCode`: where a problem is, as a reader of the JSON looks for it. */
const pathText = (path: readonly PropertyKey[]): string =>
  path.reduce<string>(
    (s, k) => (typeof k === 'number' ? `${s}[${k}]` : `${s}${s ? '.' : ''}${String(k)}`),
    '',
  ) || 'the manifest';

/**
 * The manifest's shape checked, or every problem found, each as `path: message`. The chain rules
 * are checked once every field has its type (zod runs refinements on well-typed values only).
 */
export function parseManifest(
  value: unknown,
): { ok: true; manifest: BundleManifest } | { ok: false; message: string } {
  const r = BundleManifest.safeParse(value);
  if (r.success) return { ok: true, manifest: r.data };
  const problems = r.error.issues.map((i) => `${pathText(i.path)}: ${i.message}`);
  return { ok: false, message: `The bundle's manifest is not valid: ${problems.join('; ')}` };
}

/** A version's entry, from the version as the central stores it. */
export function versionEntry(v: MetadataVersion): BundleVersionEntry {
  return {
    name: v.name,
    id: v.id,
    type: v.type,
    created: dhis2Date(v.created),
    hashCode: v.hashCode,
    parentHashCode: v.parentHashCode,
    file: versionFile(v.name),
    size: v.gzipBytes,
  };
}
