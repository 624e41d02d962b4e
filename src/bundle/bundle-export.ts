/**
 * Exporting a bundle (issue 20 §2): the versions of a range, the manifest signed with the
 * instance's key, and the tar as a stream, for `GET /api/metasync/bundles` and
 * `metasync bundle export` alike.
 */
import type { Readable } from 'node:stream';
import { selectBundleVersions, type BundleRange } from '../domain/bundle/bundle-range.ts';
import { signManifest } from '../domain/bundle/manifest-signature.ts';
import type { BundleManifest, BundleVersionEntry } from '../domain/bundle/manifest.ts';
import type { BundleSigner } from '../domain/bundle/signer.ts';
import type { Clock, VersionStore } from '../domain/ports.ts';
import { bundleSize, writeBundle } from './bundle-writer.ts';

export interface BundleExportDeps {
  versions: Pick<VersionStore, 'list' | 'readSnapshot'>;
  /** The instance's key (its key service makes it at first start). */
  signer: () => Promise<BundleSigner>;
  /** This instance as the manifest names it. */
  system: () => Promise<{ systemId: string; systemName: string }>;
  clock: Clock;
}

export interface BundleExport {
  manifest: BundleManifest;
  /** The tar's length in bytes, known before it is written. */
  size: number;
  /** A file name for it: `metasync-bundle-Version_2-Version_4.tar`. */
  fileName: string;
  /** The tar; `onVersion` after each version's file is written (a progress bar). */
  stream(onVersion?: (entry: BundleVersionEntry) => void): Readable;
}

/**
 * The bundle of `range` (unknown names: NOT_FOUND; from after to: CONFLICT), its manifest signed
 * before a byte is sent, so a bad range or a missing key is an answer, not a broken download.
 */
export async function exportBundle(
  deps: BundleExportDeps,
  range: BundleRange,
  baseUrl: string | null,
): Promise<BundleExport> {
  const versions = selectBundleVersions(await deps.versions.list(), range);
  const byName = new Map(versions.map((v) => [v.name, v]));
  const manifest = signManifest(
    { source: { ...(await deps.system()), baseUrl }, createdAt: deps.clock.now(), versions },
    await deps.signer(),
  );
  const first = versions[0]!.name;
  const last = versions.at(-1)!.name;
  return {
    manifest,
    size: bundleSize(manifest),
    fileName: `metasync-bundle-${first === last ? first : `${first}-${last}`}.tar`,
    stream: (onVersion) =>
      writeBundle(
        manifest,
        async (entry) => {
          const chunks = await deps.versions.readSnapshot(byName.get(entry.name)!.id, 'gz');
          // The row exists but its snapshot does not: a broken store, not a client's mistake.
          if (!chunks) throw new Error(`The stored snapshot of ${entry.name} is missing`);
          return chunks;
        },
        onVersion,
      ),
  };
}
