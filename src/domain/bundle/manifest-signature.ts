/**
 * Signing and checking a bundle's manifest (issue 20 §2–§3). The signature is over the manifest's
 * canonical bytes, not over the file: the file may be pretty-printed, re-indented or re-ordered by
 * any tool on the way and still verify, while any change to a value does not.
 */
import { createPublicKey, verify } from 'node:crypto';
import { canonical } from '../metadata/canonical.ts';
import type { BundleSigner, TrustedKey } from './signer.ts';
import {
  BUNDLE_FORMAT,
  versionEntry,
  type BundleManifest,
  type BundleSource,
  type UnsignedManifest,
} from './manifest.ts';
import type { MetadataVersion } from '../versioning/version.ts';

/**
 * The bytes the signature covers: the manifest without `signature` and `keyFingerprint`, as JSON
 * with every object's keys sorted (by UTF-16 code unit, JavaScript's default sort), no
 * whitespace, in UTF-8. Another implementation reproduces them with any sorted-key serializer.
 */
export function canonicalManifestBytes(manifest: UnsignedManifest | BundleManifest): Buffer {
  const unsigned: Record<string, unknown> = { ...manifest };
  delete unsigned.signature;
  delete unsigned.keyFingerprint;
  return Buffer.from(canonical(unsigned), 'utf8');
}

export interface ManifestInput {
  source: BundleSource;
  createdAt: Date;
  /** The versions to carry, in chain order (oldest first), as the central stores them. */
  versions: readonly MetadataVersion[];
}

/** The signed manifest of a bundle of `versions`. */
export function signManifest(input: ManifestInput, signer: BundleSigner): BundleManifest {
  const unsigned: UnsignedManifest = {
    format: BUNDLE_FORMAT,
    source: input.source,
    createdAt: input.createdAt.toISOString(),
    versions: input.versions.map(versionEntry),
  };
  const signature = signer.sign(canonicalManifestBytes(unsigned)).toString('base64');
  return { ...unsigned, signature, keyFingerprint: signer.fingerprint };
}

/** Why a manifest is not trusted: data for the caller to report (house rule 6). */
export type ManifestRefusal =
  | {
      problem: 'key';
      message: string;
      /** The fingerprint the bundle names, and the one this instance trusts. */
      bundleFingerprint: string;
      /** Null: this instance has pinned no key at all (issue 20 §1: pin it first). */
      trustedFingerprint: string | null;
    }
  | { problem: 'signature'; message: string };

/**
 * Whether `trusted` signed this manifest. A bundle naming another key is refused with both
 * fingerprints, so the people comparing them on the phone know which key each side holds; one
 * naming the trusted key whose signature does not verify was changed after it was signed.
 */
export function verifyManifest(
  manifest: BundleManifest,
  trusted: TrustedKey,
): { ok: true } | ({ ok: false } & ManifestRefusal) {
  if (manifest.keyFingerprint !== trusted.fingerprint)
    return {
      ok: false,
      problem: 'key',
      message: `The bundle is signed by the key with fingerprint ${manifest.keyFingerprint}, but this instance trusts the key with fingerprint ${trusted.fingerprint}`,
      bundleFingerprint: manifest.keyFingerprint,
      trustedFingerprint: trusted.fingerprint,
    };
  const good = verify(
    null,
    canonicalManifestBytes(manifest),
    createPublicKey(trusted.publicKeyPem),
    Buffer.from(manifest.signature, 'base64'),
  );
  return good
    ? { ok: true }
    : {
        ok: false,
        problem: 'signature',
        message: `The bundle's manifest does not match its signature by the key with fingerprint ${trusted.fingerprint}: it was changed after it was signed`,
      };
}
