/**
 * The snapshots a local kept of the versions it applied, read back as members (issue 23: the
 * implied content of drifted objects, and the baseline fold). The stored gzip is inflated and
 * split as it streams, as a pulled snapshot is (central/snapshot-reader.ts).
 */
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { snapshotMembers } from '../central/snapshot-reader.ts';
import type { StoredSnapshots } from '../domain/drift/implied-content.ts';
import type { VersionStore } from '../domain/ports.ts';

export function storedSnapshots(
  versions: Pick<VersionStore, 'byName' | 'readSnapshot'>,
): StoredSnapshots {
  return {
    async members(name) {
      const version = await versions.byName(name);
      if (!version || version.gzipBytes === 0) return null;
      const chunks = await versions.readSnapshot(version.id, 'gz');
      if (!chunks) return null;
      return snapshotMembers(Readable.from(chunks).pipe(createGunzip()));
    },
  };
}
