/**
 * The write side of the in-memory MetadataStore (./memory-metadata-store.ts): the planner's
 * look-ups and `apply`, over one write's draft of the store's state.
 */
import type { ImportLookups, StoredMeta } from '../../../src/domain/metadata/plan-import.ts';
import {
  codeKey,
  idKey,
  nameKey,
  uniqueKey,
} from '../../../src/domain/metadata/prepare-entries.ts';
import type { MetadataWriter } from '../../../src/domain/ports.ts';
import type { MetadataVersion } from '../../../src/domain/versioning/version.ts';
import type { AuthTables } from './memory-auth-tables.ts';
import { projectUsers } from './memory-user-projection.ts';
import { refuseNul, uniqueViolation } from './unique-violation.ts';

export interface Row {
  type: string;
  id: string;
  code: string | null;
  scope: string;
  name: string | null;
  uniqueName: string | null;
  /** JSON text, as the `json` column keeps it. */
  payload: string;
  contentHash: string;
  created: string;
  lastUpdated: Date;
  createdBy: string | null;
  seq: number;
}

export interface Tombstone {
  seq: number;
  type: string;
  id: string;
  code: string | null;
  deletedAt: Date;
  deletedBy: string | null;
}

export interface State {
  objects: Map<string, Row>;
  /** `sourceType \0 sourceId` → target ids. */
  refs: Map<string, Set<string>>;
  tombstones: Tombstone[];
  versions: { version: MetadataVersion; gzip: Buffer }[];
  seq: number;
  /** The drift baseline (issue 23): `type \0 id` → the hash a version gave it, and which. */
  baseline: Map<string, BaselineEntry>;
}

export interface BaselineEntry {
  type: string;
  id: string;
  hash: string;
  version: string;
  /** A rebaseline's copy of the content (JSON text). */
  payload?: string;
}

export const copy = (s: State): State => ({
  objects: new Map([...s.objects].map(([k, r]) => [k, { ...r }])),
  refs: new Map([...s.refs].map(([k, v]) => [k, new Set(v)])),
  tombstones: [...s.tombstones],
  versions: [...s.versions],
  seq: s.seq,
  baseline: new Map(s.baseline),
});

const toMeta = (r: Row): StoredMeta => ({
  type: r.type,
  id: r.id,
  code: r.code,
  name: r.name,
  scope: r.scope,
  contentHash: r.contentHash,
  created: r.created,
  createdBy: r.createdBy,
});

/** PostgreSQL's `order by name, id`: nulls last. */
export const byNameThenId = (a: Row, b: Row) =>
  a.name === b.name
    ? a.id < b.id
      ? -1
      : a.id > b.id
        ? 1
        : 0
    : a.name === null
      ? 1
      : b.name === null
        ? -1
        : a.name < b.name
          ? -1
          : 1;

export function memoryWriter(s: State, tables: AuthTables): MetadataWriter {
  return {
    async list(type) {
      return [...s.objects.values()]
        .filter((r) => r.type === type)
        .sort(byNameThenId)
        .map((r) => JSON.parse(r.payload) as Record<string, unknown>);
    },
    async lookups(keys, { referrers }): Promise<ImportLookups> {
      const rows = [...s.objects.values()];
      const byId = new Map<string, StoredMeta>();
      for (const k of keys.ids) {
        const r = s.objects.get(k);
        if (r) byId.set(k, toMeta(r));
      }
      for (const m of byId.values()) {
        const u = m.type === 'users' ? tables.users.get(m.id) : undefined;
        if (u) m.passwordHash = u.passwordHash;
      }
      const byCode = new Map<string, StoredMeta>();
      const codes = new Set(keys.codes.map((c) => codeKey(c.type, c.scope, c.code)));
      for (const r of rows)
        if (r.code !== null && codes.has(codeKey(r.type, r.scope, r.code)))
          byCode.set(codeKey(r.type, r.scope, r.code), toMeta(r));
      const byName = new Map<string, StoredMeta>();
      const names = new Set(keys.names.map((n) => nameKey(n.type, n.name)));
      for (const r of rows)
        if (r.uniqueName !== null && names.has(nameKey(r.type, r.uniqueName)))
          byName.set(nameKey(r.type, r.uniqueName), toMeta(r));
      const byUnique = new Map<string, StoredMeta>();
      const usernames = new Set(
        keys.uniques
          .filter((u) => u.type === 'users' && u.property === 'username')
          .map((u) => u.value),
      );
      for (const u of tables.users.values())
        if (usernames.has(u.username))
          for (const r of rows)
            if (r.id === u.id) byUnique.set(uniqueKey('users', 'username', u.username), toMeta(r));
      const ids = new Set(rows.map((r) => r.id));
      const existing = new Set([...keys.refs].filter((id) => ids.has(id)));
      const referencedBy = new Map<string, { type: string; id: string }[]>();
      if (referrers) {
        const targets = new Set([...byId.values(), ...byCode.values()].map((m) => m.id));
        for (const [source, set] of s.refs) {
          const [type, id] = source.split('\u0000') as [string, string];
          if (!s.objects.has(source)) continue;
          for (const target of set)
            if (targets.has(target))
              referencedBy.set(target, [...(referencedBy.get(target) ?? []), { type, id }]);
        }
      }
      const orgUnitParents = new Map<string, string>();
      const parentOf = (id: string): string | null => {
        const r = s.objects.get(idKey('organisationUnits', id));
        const p = r && (JSON.parse(r.payload) as { parent?: { id?: unknown } }).parent?.id;
        return typeof p === 'string' ? p : null;
      };
      for (let todo = [...existing]; todo.length > 0;) {
        const id = todo.pop()!;
        const parent = parentOf(id);
        if (parent === null || orgUnitParents.has(id)) continue;
        orgUnitParents.set(id, parent);
        todo.push(parent);
      }
      return { byId, byCode, byName, byUnique, existing, referencedBy, orgUnitParents };
    },

    async apply({ writes, deletes }, meta) {
      // The two unique indexes, as maps to the holder's key (kept up to date row by row).
      const codes = new Map<string, string>();
      const names = new Map<string, string>();
      for (const [k, r] of s.objects) {
        if (r.code !== null) codes.set(codeKey(r.type, r.scope, r.code), k);
        if (r.uniqueName !== null) names.set(nameKey(r.type, r.uniqueName), k);
      }
      for (const w of writes) {
        refuseNul(w.payload);
        const key = idKey(w.type.key, w.id);
        const stored = s.objects.get(key);
        const uniqueName = w.type.uniqueName ? w.name : null;
        const code = w.code === null ? null : codeKey(w.type.key, w.scope, w.code);
        const name = uniqueName === null ? null : nameKey(w.type.key, uniqueName);
        if (code !== null && (codes.get(code) ?? key) !== key)
          throw uniqueViolation(`metadata_object_code ${w.code}`);
        if (name !== null && (names.get(name) ?? key) !== key)
          throw uniqueViolation(`metadata_object_unique_name ${uniqueName}`);
        if (stored?.code != null) codes.delete(codeKey(stored.type, stored.scope, stored.code));
        if (stored?.uniqueName != null) names.delete(nameKey(stored.type, stored.uniqueName));
        if (code !== null) codes.set(code, key);
        if (name !== null) names.set(name, key);
        s.objects.set(key, {
          type: w.type.key,
          id: w.id,
          code: w.code,
          scope: w.scope,
          name: w.name,
          uniqueName,
          payload: JSON.stringify(w.payload),
          contentHash: w.contentHash,
          // An update keeps the row's creation columns (the upsert does not set them).
          created: stored?.created ?? new Date(w.created).toISOString(),
          createdBy: stored ? stored.createdBy : w.createdBy,
          lastUpdated: new Date(w.lastUpdated),
          seq: ++s.seq,
        });
      }
      for (const w of writes) if (w.op === 'update') s.refs.delete(idKey(w.type.key, w.id));
      for (const d of deletes) s.refs.delete(idKey(d.type.key, d.id));
      for (const w of writes) {
        const key = idKey(w.type.key, w.id);
        const set = s.refs.get(key) ?? new Set<string>();
        for (const target of w.refs) set.add(target);
        if (set.size > 0) s.refs.set(key, set);
      }
      for (const d of deletes) {
        s.objects.delete(idKey(d.type.key, d.id));
        s.tombstones.push({
          seq: ++s.seq,
          type: d.type.key,
          id: d.id,
          code: d.code,
          deletedAt: new Date(meta.now),
          deletedBy: meta.actorId,
        });
      }
      projectUsers(tables, writes, deletes, meta.passwordHashes);
    },

    async recordVersion(version, gzip) {
      // metadata_version's keys: id, name and number are each unique.
      const clash = s.versions.find(
        (v) =>
          v.version.id === version.id ||
          v.version.name === version.name ||
          v.version.number === version.number,
      );
      if (clash) throw uniqueViolation(`metadata_version ${version.name}`);
      s.versions.push({ version: structuredClone(version), gzip: Buffer.from(gzip) });
    },

    async setBaseline(version, rows) {
      for (const r of rows) s.baseline.set(idKey(r.type, r.id), { ...r, version });
    },
    async dropBaseline(keys) {
      for (const k of keys) s.baseline.delete(idKey(k.type, k.id));
    },
  };
}
