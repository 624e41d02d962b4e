/**
 * The DriftStore port (src/domain/drift/drift-store.ts) over Kysely (migration 0015). A check is
 * a join of the baseline with metadata_object on its primary key, comparing the hash the last
 * applied version gave each object with the live content_hash: one pass over both tables in the
 * database, whatever their size; the application receives counts and at most `limit` rows.
 */
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { DriftKind } from '../domain/drift/drift.ts';
import { keyOf, type DriftRow, type DriftStore } from '../domain/drift/drift-store.ts';
import type { ObjectKey } from '../domain/versioning/snapshot-scope.ts';
import { chunks } from './chunks.ts';
import type { Database } from './schema.ts';

/** `alias.(type, id)` is none of the exempt objects. */
const notExempt = (alias: string, exempt: readonly ObjectKey[]): RawBuilder<unknown> =>
  sql`not exists (select 1 from unnest(${exempt.map((k) => k.type)}::text[],
      ${exempt.map((k) => k.id)}::text[]) as x(type, id)
    where x.type = ${sql.ref(`${alias}.type`)} and x.id = ${sql.ref(`${alias}.id`)})`;

/** The rows of one kind, as a subquery over which counts and lists are taken. */
function drifted(kind: DriftKind, exempt: readonly ObjectKey[]): RawBuilder<unknown> {
  switch (kind) {
    case 'changed':
      return sql`select o.type, o.id, o.name, o.code, b.version from metadata_object o
        join drift_baseline b on b.type = o.type and b.id = o.id
        where o.content_hash <> b.hash and ${notExempt('o', exempt)}`;
    case 'created':
      return sql`select o.type, o.id, o.name, o.code, null::text as version from metadata_object o
        where not exists (select 1 from drift_baseline b where b.type = o.type and b.id = o.id)
          and ${notExempt('o', exempt)}`;
    case 'deleted':
      return sql`select b.type, b.id, null::text as name, null::text as code, b.version
        from drift_baseline b
        where not exists (select 1 from metadata_object o where o.type = b.type and o.id = b.id)
          and ${notExempt('b', exempt)}`;
  }
}

export function createKyselyDriftStore(db: Kysely<Database>): DriftStore {
  return {
    async counts(exempt) {
      const out = [];
      for (const kind of ['changed', 'created', 'deleted'] as const) {
        const { rows } = await sql<{ type: string; n: string | number }>`
          select d.type, count(*) as n from (${drifted(kind, exempt)}) d group by d.type`.execute(
          db,
        );
        for (const r of rows) out.push({ type: r.type, kind, count: Number(r.n) });
      }
      return out;
    },

    async list(kind, { limit, type, exempt }) {
      const { rows } = await sql<DriftRow>`select d.type, d.id, d.name, d.code, d.version
        from (${drifted(kind, exempt)}) d
        ${type ? sql`where d.type = ${type}` : sql``}
        order by d.type, d.id limit ${limit}`.execute(db);
      return rows.map((r) => ({ ...r }));
    },

    async baselineOf(keys) {
      const out = new Map<string, { hash: string; version: string }>();
      for (const part of chunks(keys, 5000)) {
        const { rows } = await sql<{ type: string; id: string; hash: string; version: string }>`
          select b.type, b.id, b.hash, b.version from drift_baseline b
          join unnest(${part.map((k) => k.type)}::text[], ${part.map((k) => k.id)}::text[])
            as k(type, id) on b.type = k.type and b.id = k.id`.execute(db);
        for (const r of rows) out.set(keyOf(r.type, r.id), { hash: r.hash, version: r.version });
      }
      return out;
    },

    async basePayloads(keys) {
      const out = new Map<string, Record<string, unknown>>();
      for (const part of chunks(keys, 5000)) {
        const { rows } = await sql<{ type: string; id: string; payload: Record<string, unknown> }>`
          select b.type, b.id, b.payload from drift_baseline b
          join unnest(${part.map((k) => k.type)}::text[], ${part.map((k) => k.id)}::text[])
            as k(type, id) on b.type = k.type and b.id = k.id
          where b.payload is not null`.execute(db);
        for (const r of rows) out.set(keyOf(r.type, r.id), r.payload);
      }
      return out;
    },

    async rebase(version, at) {
      await db.transaction().execute(async (trx) => {
        await sql`delete from drift_baseline`.execute(trx);
        await sql`insert into drift_baseline (type, id, hash, version, payload)
          select type, id, content_hash, ${version}::text, payload from metadata_object`.execute(
          trx,
        );
        await sql`insert into drift_state (id, base_kind, base_version, based_at)
          values (1, 'REBASELINE', ${version}, ${at})
          on conflict (id) do update set base_kind = 'REBASELINE', base_version = ${version},
            based_at = ${at}, checked_at = null, changed = null, created = null,
            deleted = null`.execute(trx);
      });
    },

    async base() {
      const r = await db
        .selectFrom('drift_state')
        .select(['base_kind', 'base_version', 'based_at'])
        .where('id', '=', 1)
        .executeTakeFirst();
      if (!r) return null;
      return r.base_kind === 'REBASELINE'
        ? { kind: 'REBASELINE', version: r.base_version, at: new Date(r.based_at) }
        : { kind: 'VERSIONS', version: null, at: new Date(r.based_at) };
    },

    async markFolded(at) {
      await sql`insert into drift_state (id, base_kind, base_version, based_at)
        values (1, 'VERSIONS', '', ${at}) on conflict (id) do nothing`.execute(db);
    },

    async saveSummary(s) {
      await sql`insert into drift_state (id, base_kind, base_version, based_at, checked_at,
          changed, created, deleted)
        values (1, 'VERSIONS', '', ${s.checkedAt}, ${s.checkedAt}, ${s.changed}, ${s.created},
          ${s.deleted})
        on conflict (id) do update set checked_at = excluded.checked_at,
          changed = excluded.changed, created = excluded.created,
          deleted = excluded.deleted`.execute(db);
    },

    async summary() {
      const r = await db
        .selectFrom('drift_state')
        .select(['checked_at', 'changed', 'created', 'deleted'])
        .where('id', '=', 1)
        .executeTakeFirst();
      if (!r?.checked_at) return null;
      return {
        changed: r.changed ?? 0,
        created: r.created ?? 0,
        deleted: r.deleted ?? 0,
        checkedAt: new Date(r.checked_at).toISOString(),
      };
    },
  };
}
