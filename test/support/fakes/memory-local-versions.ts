/**
 * An in-memory VersionStore (src/domain/ports.ts) for the local side of a sync run: the versions
 * a local records (through `MetadataWriter.recordVersion`, see ./sync-import-fakes.ts), their
 * stored gzip, rebaseline and the fleet, rolled back with the metadata fake's transaction.
 * Creating versions is the central's job and needs the change log (./memory-version-store.ts of
 * the versioning work models it): the central-side methods reject here. Same rules as the Kysely
 * store: names, numbers and ids are unique; `latest` is the highest number; `list` is by created,
 * then number.
 */
import { gunzipSync } from 'node:zlib';
import type { FleetEntry, VersionStore } from '../../../src/domain/ports.ts';
import type { MetadataVersion } from '../../../src/domain/versioning/version.ts';

export interface LocalVersionStore extends VersionStore {
  /**
   * Records a version and its gzip as `recordVersion` does; throws as a unique constraint would
   * on a taken id, name or number. Only the metadata fake's transaction calls it.
   */
  insert(version: MetadataVersion, gzip: Buffer | null): void;
  /** A copy of the state, and its restore: the metadata fake's transaction rolls back with it. */
  save(): () => void;
}

const copy = (v: MetadataVersion): MetadataVersion => ({
  ...v,
  created: new Date(v.created),
  importDate: v.importDate ? new Date(v.importDate) : null,
  types: { ...v.types },
});

/** The central side (creating versions, previews), not modelled: rejects whatever it is asked. */
const central = () => Promise.reject(new Error('memory-local-versions: only a local is modelled'));

export function createLocalVersionStore(initial: MetadataVersion[] = []): LocalVersionStore {
  let versions: MetadataVersion[] = [];
  let gzips = new Map<string, Buffer>();
  const fleet = new Map<string, FleetEntry>();

  const insert = (v: MetadataVersion, gzip: Buffer | null) => {
    const clash = versions.find((x) => x.id === v.id || x.name === v.name || x.number === v.number);
    if (clash)
      throw new Error(
        `duplicate key value violates unique constraint (metadata_version ${v.name}, ${clash.name} exists)`,
      );
    versions.push(copy(v));
    if (gzip) gzips.set(v.id, Buffer.from(gzip));
  };
  for (const v of initial) insert(v, null);

  const store: Omit<LocalVersionStore, 'preview' | 'pending'> = {
    insert,
    save() {
      const [kept, keptGz] = [versions.map(copy), new Map(gzips)];
      return () => {
        versions = kept;
        gzips = keptGz;
      };
    },
    async list() {
      return [...versions]
        .sort((a, b) => a.created.getTime() - b.created.getTime() || a.number - b.number)
        .map(copy);
    },
    async byName(name) {
      const v = versions.find((x) => x.name === name);
      return v ? copy(v) : null;
    },
    async latest() {
      const top = versions.reduce<MetadataVersion | null>(
        (best, v) => (best === null || v.number > best.number ? v : best),
        null,
      );
      return top ? copy(top) : null;
    },
    create: central,
    async readSnapshot(versionId, kind, range) {
      const gz = gzips.get(versionId);
      if (!gz) return null;
      const whole = kind === 'gz' ? gz : gunzipSync(gz);
      // A range as the port defines it: both ends included, an end past the last byte is the last.
      const bytes = range ? whole.subarray(range.start, range.end + 1) : whole;
      return (async function* () {
        if (bytes.length > 0) yield new Uint8Array(bytes);
      })();
    },
    async rebaseline(v) {
      const removed = versions.filter((x) => x.number >= v.number);
      versions = versions.filter((x) => x.number < v.number);
      for (const r of removed) gzips.delete(r.id);
      insert(v, null);
      return removed.map((r) => r.name);
    },
    // Rollout is a central's (issue 22): a local's versions are all RELEASED.
    setState: central,
    withdraw: central,
    withdrawals: async () => [],
    async recordFleet(e) {
      fleet.set(e.key, { ...e });
    },
    async replaceReported(via, entries) {
      for (const [k, e] of fleet) if (e.via === via) fleet.delete(k);
      for (const e of entries) fleet.set(e.key, { ...e, via });
    },
    async fleet() {
      return [...fleet.values()].sort(
        (a, b) => b.lastSeen.getTime() - a.lastSeen.getTime() || a.key.localeCompare(b.key),
      );
    },
  };
  // `preview` (today's port) and `pending` (the versioning work's) are both central-side.
  return Object.assign(store, { preview: central, pending: central });
}
