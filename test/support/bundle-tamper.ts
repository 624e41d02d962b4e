/**
 * Bundles gone wrong on the way, for the import tests (issue 20 §6): one byte of a snapshot
 * flipped, and the same versions signed by a key other than the central's.
 */
import assert from 'node:assert/strict';
import { readBundle } from '../../src/bundle/bundle-reader.ts';
import { writeBundle } from '../../src/bundle/bundle-writer.ts';
import { canonicalManifestBytes } from '../../src/domain/bundle/manifest-signature.ts';
import type { BundleManifest } from '../../src/domain/bundle/manifest.ts';
import type { TrustedKey } from '../../src/domain/bundle/signer.ts';
import { testSigner } from './bundle-keys.ts';

/** A copy of `bundle` with one bit flipped in the middle of `snapshot` (a version's data.gz). */
export function flipByteIn(bundle: Buffer, snapshot: Buffer): Buffer {
  const at = bundle.indexOf(snapshot);
  assert.ok(at > 0, 'the snapshot is in the bundle');
  const copy = Buffer.from(bundle);
  const middle = at + Math.floor(snapshot.length / 2);
  copy[middle] = copy[middle]! ^ 0x10;
  return copy;
}

/**
 * The same versions, byte for byte, with the manifest signed by a fresh key: a bundle as a
 * stranger with the central's snapshots would make it. Returns it with the stranger's fingerprint.
 */
export async function resignBundle(
  bundle: Buffer,
  trusted: TrustedKey,
): Promise<{ bundle: Buffer; fingerprint: string }> {
  const { manifest, versions } = await readBundle([bundle], trusted);
  const snapshots = new Map<string, Buffer>();
  for await (const v of versions) snapshots.set(v.entry.name, v.snapshot.gzip);
  const stranger = testSigner();
  const { signature: _s, keyFingerprint: _k, ...unsigned } = manifest;
  const resigned: BundleManifest = {
    ...unsigned,
    signature: stranger.sign(canonicalManifestBytes(unsigned)).toString('base64'),
    keyFingerprint: stranger.fingerprint,
  };
  const out = writeBundle(resigned, async (entry) => [snapshots.get(entry.name)!]);
  const chunks: Buffer[] = [];
  for await (const c of out) chunks.push(Buffer.from(c as Uint8Array));
  return { bundle: Buffer.concat(chunks), fingerprint: stranger.fingerprint };
}
