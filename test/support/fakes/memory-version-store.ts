/**
 * An in-memory VersionStore (src/domain/ports.ts) for unit tests, held to the same conformance
 * suite as the Kysely store (test/support/version-store-conformance.ts). It also plays the part of
 * the metadata store's change log: `put` and `remove` number each change as a commit would.
 *
 * What the real store gets from PostgreSQL, it imitates: `create` runs one at a time (the
 * advisory lock), reads a copy of the state taken when it starts (REPEATABLE READ), and applies
 * its writes only when `build` returns (a throw rolls back all). Ids are ordered by UTF-16 code
 * unit, as the C collation orders ASCII uids.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import type {
  ChangeReader,
  Deletion,
  FleetEntry,
  SettingStore,
  VersionDraft,
  VersionStore,
} from '../../../src/domain/ports.ts';
import type { Withdrawal } from '../../../src/domain/rollout/rollout-store.ts';
import type { VersionState } from '../../../src/domain/rollout/rollout.ts';
import type { ObjectKey } from '../../../src/domain/versioning/snapshot-scope.ts';
import type { MetadataVersion } from '../../../src/domain/versioning/version.ts';

interface StoredObject {
  type: string;
  id: string;
  text: string;
  seq: number;
}

interface Tombstone extends Deletion {
  seq: number;
}

interface State {
  seq: number;
  objects: Map<string, StoredObject>;
  tombstones: Tombstone[];
  versions: { version: MetadataVersion; seqTo: number | null }[];
  gz: Map<string, Buffer>;
}

const keyOf = (type: string, id: string) => `${type}\u0000${id}`;
const isExcluded = (excluded: readonly ObjectKey[], type: string, id: string) =>
  excluded.some((k) => k.type === type && k.id === id);
const copy = (s: State): State => ({
  seq: s.seq,
  objects: new Map(s.objects),
  tombstones: [...s.tombstones],
  versions: [...s.versions],
  gz: new Map(s.gz),
});

/** A SettingStore over a Map, for the fake's drafts and for tests that read what they wrote. */
export function mapSettingStore(map: Map<string, unknown>): SettingStore {
  return {
    all: async () => new Map(map),
    get: async (key) => map.get(key),
    putMany: async (entries, remove = []) => {
      for (const key of remove) map.delete(key);
      for (const [key, value] of entries) map.set(key, value);
    },
    delete: async (key) => map.delete(key),
  };
}

function changeReader(s: State, from: number, to: number, pageSize: number): ChangeReader {
  const inRange = (seq: number) => seq > from && seq <= to;
  const objects = (excluded: readonly ObjectKey[]) =>
    [...s.objects.values()].filter((o) => inRange(o.seq) && !isExcluded(excluded, o.type, o.id));
  const deletions = (excluded: readonly ObjectKey[]) =>
    s.tombstones
      .filter((t) => inRange(t.seq) && !isExcluded(excluded, t.type, t.id))
      // Deleted and created again inside the range: an object, not a deletion.
      .filter((t) => {
        const o = s.objects.get(keyOf(t.type, t.id));
        return !(o && o.seq > t.seq && o.seq <= to);
      })
      .sort((a, b) => a.seq - b.seq);
  return {
    async *objectPages(type, excluded) {
      const all = objects(excluded)
        .filter((o) => o.type === type)
        .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      for (let i = 0; i < all.length; i += pageSize)
        yield all.slice(i, i + pageSize).map((o) => o.text);
    },
    deletions: async (excluded) =>
      deletions(excluded).map(({ type, id, code, deletedAt, deletedBy }) => ({
        type,
        id,
        code,
        deletedAt,
        deletedBy,
      })),
    deletionCount: async (excluded) => deletions(excluded).length,
    anyChange: async (excluded) =>
      objects(excluded).length > 0 ||
      s.tombstones.some((t) => inRange(t.seq) && !isExcluded(excluded, t.type, t.id)),
    async counts(excluded) {
      const types: Record<string, number> = {};
      let bytes = 0;
      for (const o of objects(excluded)) {
        types[o.type] = (types[o.type] ?? 0) + 1;
        bytes += Buffer.byteLength(o.text);
      }
      return { types, bytes, deletions: deletions(excluded).length };
    },
  };
}

/** As the Kysely store reads it: `state` only when not RELEASED (the port's default). */
function withState(v: MetadataVersion, to: VersionState | undefined = v.state): MetadataVersion {
  const { state: _old, ...rest } = v;
  void _old;
  return to && to !== 'RELEASED' ? { ...rest, state: to } : rest;
}

export function createMemoryVersionStore(options: { pageSize?: number } = {}) {
  const pageSize = options.pageSize ?? 5000;
  let state: State = {
    seq: 0,
    objects: new Map(),
    tombstones: [],
    versions: [],
    gz: new Map(),
  };
  const settings = new Map<string, unknown>();
  const fleet = new Map<string, FleetEntry>();
  const withdrawn: Withdrawal[] = [];
  let queue: Promise<unknown> = Promise.resolve();

  const latestOf = (s: State) =>
    s.versions.reduce<State['versions'][number] | null>(
      (a, v) => (a && a.version.number > v.version.number ? a : v),
      null,
    );
  const range = (s: State) => {
    const latest = latestOf(s);
    return { latest: latest?.version ?? null, from: latest ? (latest.seqTo ?? 0) : 0, to: s.seq };
  };

  const store: VersionStore = {
    list: async () =>
      [...state.versions]
        .map((v) => v.version)
        .sort((a, b) => a.created.getTime() - b.created.getTime() || a.number - b.number),
    byName: async (name) => state.versions.find((v) => v.version.name === name)?.version ?? null,
    latest: async () => latestOf(state)?.version ?? null,

    create<T>(build: (draft: VersionDraft) => Promise<T>): Promise<T> {
      const run = async () => {
        const snapshot = copy(state);
        const { latest, from, to } = range(snapshot);
        const writes = copy(state);
        // The draft's setting writes, replayed on commit.
        const settingWrites = new Map<string, unknown>();
        const draftSettings = mapSettingStore(settingWrites);
        const result = await build({
          latest,
          changes: changeReader(snapshot, from, to, pageSize),
          async writeSnapshot(versionId, bytes) {
            const parts: Buffer[] = [];
            for await (const b of bytes) parts.push(Buffer.from(b));
            const gz = gzipSync(Buffer.concat(parts), { level: 6 });
            writes.gz.set(versionId, gz);
            return gz.length;
          },
          async insert(version) {
            if (writes.versions.some((v) => v.version.name === version.name))
              throw new Error(`duplicate version name ${version.name}`);
            writes.versions.push({ version: withState(structuredClone(version)), seqTo: to });
          },
          settings: {
            ...draftSettings,
            all: async () => new Map([...settings, ...settingWrites]),
            get: async (key) =>
              settingWrites.has(key) ? settingWrites.get(key) : settings.get(key),
          },
        });
        // Commit: only what the draft wrote; changes made meanwhile stay.
        state = { ...state, versions: writes.versions, gz: writes.gz };
        for (const [key, value] of settingWrites) settings.set(key, value);
        return result;
      };
      const done = queue.then(run, run);
      queue = done.catch(() => undefined);
      return done;
    },

    async pending(read) {
      const snapshot = copy(state);
      const { latest, from, to } = range(snapshot);
      return read({ latest, changes: changeReader(snapshot, from, to, pageSize) });
    },

    async readSnapshot(versionId, kind, range) {
      const gz = state.gz.get(versionId);
      if (!gz) return null;
      const whole = kind === 'gz' ? gz : gunzipSync(gz);
      // A range as the port defines it: both ends included, an end past the last byte is the last.
      const bytes = range ? whole.subarray(range.start, range.end + 1) : whole;
      return (async function* () {
        if (bytes.length > 0) yield new Uint8Array(bytes);
      })();
    },

    async rebaseline(v) {
      const removed = state.versions.filter((x) => x.version.number >= v.number);
      const kept = state.versions.filter((x) => x.version.number < v.number);
      const gz = new Map(state.gz);
      for (const r of removed) gz.delete(r.version.id);
      state = { ...state, versions: [...kept, { version: structuredClone(v), seqTo: null }], gz };
      return removed.map((r) => r.version.name);
    },

    async setState(names, to, at) {
      void at;
      state = {
        ...state,
        versions: state.versions.map((v) =>
          names.includes(v.version.name) ? { ...v, version: withState(v.version, to) } : v,
        ),
      };
    },

    withdraw(from, note, after) {
      const run = async () => {
        const removed = state.versions
          .filter((v) => v.version.number >= from)
          .sort((a, b) => b.version.number - a.version.number);
        const kept = state.versions.filter((v) => v.version.number < from);
        const settingWrites = new Map<string, unknown>();
        await after({
          removed: removed.map((r) => r.version),
          latest: latestOf({ ...state, versions: kept })?.version ?? null,
          settings: mapSettingStore(settingWrites),
        });
        const gz = new Map(state.gz);
        for (const r of removed) gz.delete(r.version.id);
        state = { ...state, versions: kept, gz };
        for (const [key, value] of settingWrites) settings.set(key, value);
        withdrawn.unshift(
          ...removed.map((r) => ({
            id: r.version.id,
            name: r.version.name,
            hashCode: r.version.hashCode,
            ...note,
          })),
        );
        return removed.map((r) => r.version);
      };
      const done = queue.then(run, run);
      queue = done.catch(() => undefined);
      return done;
    },
    withdrawals: async () => withdrawn.map((w) => ({ ...w })),

    async recordFleet(e) {
      fleet.set(e.key, { ...e });
    },
    async replaceReported(via, entries) {
      for (const [k, e] of fleet) if (e.via === via) fleet.delete(k);
      for (const e of entries) fleet.set(e.key, { ...e, via });
    },
    fleet: async () =>
      [...fleet.values()].sort(
        (a, b) => b.lastSeen.getTime() - a.lastSeen.getTime() || a.key.localeCompare(b.key),
      ),
  };

  return {
    store,
    /** The settings written by drafts (keySystemMetadataVersion), as a SettingStore. */
    settings: mapSettingStore(settings),
    /** A committed create or update of one object: the next change number. */
    async put(type: string, id: string, text: string) {
      state.seq += 1;
      state.objects.set(keyOf(type, id), { type, id, text, seq: state.seq });
    },
    /** A committed deletion: the object goes, its tombstone takes the next change number. */
    async remove(type: string, id: string, d: Omit<Deletion, 'type' | 'id'>) {
      state.seq += 1;
      state.objects.delete(keyOf(type, id));
      state.tombstones.push({ type, id, ...d, seq: state.seq });
    },
  };
}

export type MemoryVersionStore = ReturnType<typeof createMemoryVersionStore>;
