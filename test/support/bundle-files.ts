/**
 * Offline bundles taken apart and put together again, for the import tests (issue 20 §6): a byte
 * flipped inside one version's snapshot, a manifest signed by another key, a version replaced.
 */
import { createHash } from 'node:crypto';
import { pack as tarPack, extract as tarExtract } from 'tar-stream';
import { canonicalManifestBytes } from '../../src/domain/bundle/manifest-signature.ts';
import type { BundleManifest } from '../../src/domain/bundle/manifest.ts';
import type { BundleSigner } from '../../src/domain/bundle/signer.ts';

export interface BundleParts {
  manifest: BundleManifest;
  /** Each version's file bytes, by its name in the tar. */
  files: Map<string, Buffer>;
}

export async function unpackBundle(bundle: Buffer): Promise<BundleParts> {
  const extract = tarExtract();
  const files = new Map<string, Buffer>();
  let manifest: BundleManifest | null = null;
  extract.end(bundle);
  for await (const entry of extract) {
    const parts: Buffer[] = [];
    for await (const c of entry) parts.push(c as Buffer);
    const bytes = Buffer.concat(parts);
    if (entry.header.name === 'manifest.json')
      manifest = JSON.parse(bytes.toString('utf8')) as BundleManifest;
    else files.set(entry.header.name, bytes);
  }
  if (!manifest) throw new Error('no manifest.json in the bundle');
  return { manifest, files };
}

export async function packBundle({ manifest, files }: BundleParts): Promise<Buffer> {
  const pack = tarPack();
  pack.entry({ name: 'manifest.json' }, `${JSON.stringify(manifest, null, 2)}\n`);
  for (const v of manifest.versions) pack.entry({ name: v.file }, files.get(v.file)!);
  pack.finalize();
  const out: Buffer[] = [];
  for await (const c of pack) out.push(c as Buffer);
  return Buffer.concat(out);
}

/** The manifest signed again by `signer` (another key, or the central's own after an edit). */
export function resign(manifest: BundleManifest, signer: BundleSigner): BundleManifest {
  return {
    ...manifest,
    signature: signer.sign(canonicalManifestBytes(manifest)).toString('base64'),
    keyFingerprint: signer.fingerprint,
  };
}

/** The bundle with one byte of `version`'s file flipped (in its middle), the manifest untouched. */
export async function flipByte(bundle: Buffer, version: string): Promise<Buffer> {
  const parts = await unpackBundle(bundle);
  const file = `versions/${version}.json.gz`;
  const bytes = Buffer.from(parts.files.get(file)!);
  bytes[bytes.length >> 1]! ^= 0x20;
  parts.files.set(file, bytes);
  return packBundle(parts);
}

export const md5Hex = (b: Buffer | string) => createHash('md5').update(b).digest('hex');
