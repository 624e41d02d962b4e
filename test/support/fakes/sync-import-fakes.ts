/**
 * What `applyVersion` and `runSync` need to import a version, in memory: a MetadataStore whose
 * `write` is one transaction (a throw rolls back the objects and the versions recorded in it),
 * the ImportDeps around it (a clock, uids, a password hasher), and the settings a run reads and
 * writes. The smallest honest copy of the Kysely store's contract (src/store/
 * kysely-metadata-store.ts): the same look-ups by id, code (per scope), unique name and
 * username, references kept for deletes, and the stored org-unit parent chains.
 * Helper "pyramid" writes the full metadata fake; this one is the sync tests' own until then.
 */
import type { ImportDeps } from '../../../src/domain/metadata/import-metadata.ts';
import { importMetadata } from '../../../src/domain/metadata/import-metadata.ts';
import { SUPERUSER_ACTOR } from '../../../src/domain/auth/users.ts';
import { ensureDefaults } from '../../../src/domain/metadata/defaults.ts';
import type { ImportLookups, StoredMeta } from '../../../src/domain/metadata/plan-import.ts';
import {
  codeKey,
  idKey,
  nameKey,
  uniqueKey,
} from '../../../src/domain/metadata/prepare-entries.ts';
import { DEFAULTS } from '../../../src/domain/metadata/types.ts';
import type { MetadataStore, MetadataWriter } from '../../../src/domain/ports.ts';
import type { SyncSettings } from '../../../src/domain/sync/run-sync.ts';
import { createLocalVersionStore, type LocalVersionStore } from './memory-local-versions.ts';

interface Row {
  meta: StoredMeta;
  uniqueName: string | null;
  payload: Record<string, unknown>;
  refs: string[];
  lastUpdated: string;
  seq: number;
}

export interface MemoryMetadataStore extends MetadataStore {
  /** How many `write` transactions committed and rolled back: an ATOMIC failure writes nothing. */
  readonly commits: number;
  readonly rollbacks: number;
  /** The drift baseline the version imports recorded (issue 23): `type \0 id` → hash, version. */
  readonly baseline: ReadonlyMap<string, { hash: string; version: string }>;
}

/** A MetadataStore over a Map; `versions` receives what `recordVersion` records. */
export function createMemoryMetadataStore(versions: LocalVersionStore): MemoryMetadataStore {
  let rows = new Map<string, Row>();
  let baseline = new Map<string, { hash: string; version: string }>();
  let seq = 0;
  let commits = 0;
  let rollbacks = 0;
  const clone = (m: Map<string, Row>) =>
    new Map([...m].map(([k, r]) => [k, { ...r, meta: { ...r.meta }, refs: [...r.refs] }]));
  const live = () => [...rows.values()];

  const writer: MetadataWriter = {
    async list(type) {
      return sorted(live().filter((r) => r.meta.type === type));
    },
    async lookups(keys, { referrers }): Promise<ImportLookups> {
      const byId = new Map<string, StoredMeta>();
      for (const k of keys.ids) {
        const r = rows.get(k);
        if (r) byId.set(k, { ...r.meta });
      }
      const byCode = new Map<string, StoredMeta>();
      for (const c of keys.codes)
        for (const r of live())
          if (r.meta.type === c.type && r.meta.scope === c.scope && r.meta.code === c.code)
            byCode.set(codeKey(c.type, c.scope, c.code), { ...r.meta });
      const byName = new Map<string, StoredMeta>();
      for (const n of keys.names)
        for (const r of live())
          if (r.meta.type === n.type && r.uniqueName === n.name)
            byName.set(nameKey(n.type, n.name), { ...r.meta });
      // As the Kysely store: the only unique property beyond code and name is users.username.
      const byUnique = new Map<string, StoredMeta>();
      for (const u of keys.uniques)
        if (u.type === 'users' && u.property === 'username')
          for (const r of live())
            if (r.meta.type === 'users' && usernameOf(r.payload) === u.value)
              byUnique.set(uniqueKey('users', 'username', u.value), { ...r.meta });
      const existing = new Set(
        live().flatMap((r) => (keys.refs.has(r.meta.id) ? [r.meta.id] : [])),
      );
      const referencedBy = new Map<string, { type: string; id: string }[]>();
      if (referrers)
        for (const target of new Set([...byId.values(), ...byCode.values()].map((m) => m.id)))
          for (const r of live())
            if (r.refs.includes(target))
              referencedBy.set(target, [
                ...(referencedBy.get(target) ?? []),
                { type: r.meta.type, id: r.meta.id },
              ]);
      const orgUnitParents = new Map<string, string>();
      for (let id of existing)
        for (;;) {
          const parent = parentOf(rows.get(idKey('organisationUnits', id)));
          if (!parent || orgUnitParents.has(id)) break;
          orgUnitParents.set(id, parent);
          id = parent;
        }
      return { byId, byCode, byName, byUnique, existing, referencedBy, orgUnitParents };
    },
    async apply({ writes, deletes }, meta) {
      for (const w of writes) {
        const key = idKey(w.type.key, w.id);
        const old = rows.get(key);
        const hash = w.password === null ? undefined : meta.passwordHashes.get(w.password);
        const passwordHash = hash ?? old?.meta.passwordHash;
        rows.set(key, {
          meta: {
            type: w.type.key,
            id: w.id,
            code: w.code,
            name: w.name,
            scope: w.scope,
            contentHash: w.contentHash,
            // An update keeps the stored creation, as the Kysely upsert does.
            created: old?.meta.created ?? w.created,
            createdBy: old?.meta.createdBy ?? w.createdBy,
            ...(passwordHash !== undefined ? { passwordHash } : {}),
          },
          uniqueName: w.type.uniqueName ? w.name : null,
          payload: structuredClone(w.payload),
          refs: [...new Set(w.refs)],
          lastUpdated: w.lastUpdated,
          seq: ++seq,
        });
      }
      for (const d of deletes) {
        rows.delete(idKey(d.type.key, d.id));
        seq++;
      }
    },
    async recordVersion(version, gzip) {
      versions.insert(version, gzip);
    },
    async setBaseline(version, list) {
      for (const r of list) baseline.set(idKey(r.type, r.id), { hash: r.hash, version });
    },
    async dropBaseline(keys) {
      for (const k of keys) baseline.delete(idKey(k.type, k.id));
    },
  };

  const sorted = (list: Row[]) =>
    list
      .sort(
        (a, b) =>
          (a.meta.name ?? '').localeCompare(b.meta.name ?? '') ||
          a.meta.id.localeCompare(b.meta.id),
      )
      .map((r) => structuredClone(r.payload));

  return {
    get commits() {
      return commits;
    },
    get rollbacks() {
      return rollbacks;
    },
    get baseline() {
      return baseline;
    },
    async write(fn) {
      const [keptRows, keptSeq, restoreVersions] = [clone(rows), seq, versions.save()];
      const keptBaseline = new Map(baseline);
      try {
        const out = await fn(writer);
        commits++;
        return out;
      } catch (e) {
        rows = keptRows;
        baseline = keptBaseline;
        seq = keptSeq;
        restoreVersions();
        rollbacks++;
        throw e;
      }
    },
    async get(type, id) {
      const r = rows.get(idKey(type, id));
      return r ? structuredClone(r.payload) : null;
    },
    async list(type) {
      return sorted(live().filter((r) => r.meta.type === type));
    },
    async listSince(type, since, ids) {
      return sorted(
        live().filter(
          (r) =>
            r.meta.type === type &&
            (!since || Date.parse(r.lastUpdated) >= since.getTime()) &&
            (!ids || ids.includes(r.meta.id)),
        ),
      );
    },
    async countByType() {
      const counts = new Map<string, number>();
      for (const r of live()) counts.set(r.meta.type, (counts.get(r.meta.type) ?? 0) + 1);
      return counts;
    },
    async referencing(id) {
      return live()
        .filter((r) => r.refs.includes(id))
        .map((r) => ({ type: r.meta.type, id: r.meta.id }))
        .sort((a, b) => a.type.localeCompare(b.type) || a.id.localeCompare(b.id));
    },
    async changeSeq() {
      return seq;
    },
  };
}

const usernameOf = (p: Record<string, unknown>): string | undefined => {
  const creds = p.userCredentials as Record<string, unknown> | undefined;
  const v = p.username ?? creds?.username;
  return typeof v === 'string' ? v : undefined;
};

const parentOf = (r: Row | undefined): string | undefined => {
  const parent = r?.payload.parent as { id?: unknown } | undefined;
  return typeof parent?.id === 'string' ? parent.id : undefined;
};

/** A clock that moves only when told to. */
export function manualClock(start = new Date('2026-01-01T00:00:00.000Z')) {
  let t = start.getTime();
  return {
    now: () => new Date(t),
    advance(ms: number) {
      t += ms;
    },
  };
}

/** The stores and ImportDeps of one local, its default category model in place. */
export async function memoryLocal() {
  const versions = createLocalVersionStore();
  const store = createMemoryMetadataStore(versions);
  const clock = manualClock();
  let uids = 0;
  const deps: ImportDeps = {
    store,
    clock,
    newUid: () => `uidL${String(++uids).padStart(7, '0')}`,
    hasher: {
      hash: async (p) => `hashed:${p}`,
      verify: async (p, h) => h === `hashed:${p}`,
    },
    isPasswordHash: (v) => v.startsWith('hashed:'),
  };
  // A new instance holds DHIS2's default category model (src/main.ts does the same at start-up).
  await ensureDefaults(
    async () => (await store.get('categoryCombos', DEFAULTS.categoryCombo)) !== null,
    (body, params, actor) => importMetadata(deps, body, params, actor),
    SUPERUSER_ACTOR,
  );
  return { versions, store, clock, deps };
}

/** The settings a run reads and writes (the settings service's `value` and `update`), in a Map. */
export function memorySettings(initial: Record<string, unknown> = {}) {
  const values = new Map<string, unknown>(Object.entries(initial));
  const updates: Record<string, unknown>[] = [];
  const settings: SyncSettings & {
    values: Map<string, unknown>;
    updates: Record<string, unknown>[];
  } = {
    values,
    updates,
    async value(key) {
      return values.get(key);
    },
    async update(entries) {
      updates.push({ ...entries });
      for (const [k, v] of Object.entries(entries)) values.set(k, v);
    },
  };
  return settings;
}
