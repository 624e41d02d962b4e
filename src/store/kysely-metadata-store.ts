/**
 * MetadataStore over Kysely (PostgreSQL and PGlite). Writers lock the one-row change counter
 * first, so they are serialised and their change numbers follow commit order (issue 4 §4).
 * Look-ups use `= any($1::text[])` / `unnest` so a 100k-object payload is a handful of queries.
 */
import { dropBaseline, setBaseline } from './drift-baseline-writes.ts';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { ImportLookups, StoredMeta } from '../domain/metadata/plan-import.ts';
import {
  codeKey,
  idKey,
  nameKey,
  uniqueKey,
  type LookupKeys,
} from '../domain/metadata/prepare-entries.ts';
import type { MetadataStore, MetadataWriter } from '../domain/ports.ts';
import type { Database } from './schema.ts';
import { chunks } from './chunks.ts';
import { storeGzip } from './snapshot-writer.ts';
import { insertVersionRow } from './version-rows.ts';
import { applyUserProjection } from './user-projection.ts';
import { deleteObjects, writeObjects, writeReferences } from './metadata-writes.ts';

const ANALYZE_AFTER = 5000;

type MetaRow = {
  type: string;
  id: string;
  code: string | null;
  scope: string;
  name: string | null;
  content_hash: string;
  created: Date;
  created_by: string | null;
};

const META_COLUMNS = [
  'type',
  'id',
  'code',
  'scope',
  'name',
  'content_hash',
  'created',
  'created_by',
] as const;
const META_SQL = sql.raw(META_COLUMNS.map((c) => `o.${c}`).join(', '));

const toMeta = (r: MetaRow): StoredMeta => ({
  type: r.type,
  id: r.id,
  code: r.code,
  name: r.name,
  scope: r.scope,
  contentHash: r.content_hash,
  created: r.created.toISOString(),
  createdBy: r.created_by,
});

/** Every object of a type, ordered by name then id (in or outside a transaction). */
const listPayloads = (db: Kysely<Database>, type: string) =>
  db
    .selectFrom('metadata_object')
    .select('payload')
    .where('type', '=', type)
    .orderBy('name')
    .orderBy('id')
    .execute();

function writer(
  trx: Transaction<Database>,
  baseSeq: number,
  done: (seq: number) => void,
): MetadataWriter {
  // A transaction may apply more than once (the type-by-type import, issue 18 §1): each apply
  // numbers its changes after the previous one's, never from the transaction's start again.
  let last = baseSeq;
  return {
    async lookups(keys: LookupKeys, { referrers }): Promise<ImportLookups> {
      // Each key is one index probe (`lateral … limit 1`; id, code and unique name are unique). A
      // plain join let the planner, whose statistics lag behind a transaction that is writing a
      // version slice by slice, sort or hash the whole table for every slice: 0.2–0.4 s a query
      // at 100k objects, quadratic over a 200k-object bootstrap (issue 18 §5).
      const byId = new Map<string, StoredMeta>();
      for (const part of chunks([...keys.ids], 10_000)) {
        const split = part.map((k) => k.split('\u0000') as [string, string]);
        const { rows } =
          await sql<MetaRow>`select o.* from unnest(${split.map((k) => k[0])}::text[], ${split.map((k) => k[1])}::text[]) as k(type, id)
          cross join lateral (select ${META_SQL} from metadata_object o
            where o.type = k.type and o.id = k.id limit 1) o`.execute(trx);
        for (const r of rows) byId.set(idKey(r.type, r.id), toMeta(r));
      }
      const userIds = [...byId.values()].filter((m) => m.type === 'users').map((m) => m.id);
      for (const part of chunks(userIds, 10_000)) {
        const rows = await trx
          .selectFrom('app_user')
          .select(['id', 'password_hash'])
          .where(sql<boolean>`id = any(${part}::text[])`)
          .execute();
        for (const r of rows) {
          const meta = byId.get(idKey('users', r.id));
          if (meta) meta.passwordHash = r.password_hash;
        }
      }
      const byCode = new Map<string, StoredMeta>();
      for (const part of chunks(keys.codes, 10_000)) {
        const { rows } =
          await sql<MetaRow>`select o.* from unnest(${part.map((c) => c.type)}::text[], ${part.map((c) => c.scope)}::text[], ${part.map((c) => c.code)}::text[]) as k(type, scope, code)
          cross join lateral (select ${META_SQL} from metadata_object o
            where o.type = k.type and o.scope = k.scope and o.code = k.code limit 1) o`.execute(
            trx,
          );
        for (const r of rows) byCode.set(codeKey(r.type, r.scope, r.code!), toMeta(r));
      }
      const byName = new Map<string, StoredMeta>();
      for (const part of chunks(keys.names, 10_000)) {
        const { rows } =
          await sql<MetaRow>`select o.* from unnest(${part.map((c) => c.type)}::text[], ${part.map((c) => c.name)}::text[]) as k(type, name)
          cross join lateral (select ${META_SQL} from metadata_object o
            where o.type = k.type and o.unique_name = k.name limit 1) o`.execute(trx);
        for (const r of rows) byName.set(nameKey(r.type, r.name!), toMeta(r));
      }
      // The only unique property beyond code and name is users.username, indexed in app_user.
      const byUnique = new Map<string, StoredMeta>();
      const usernames = keys.uniques
        .filter((u) => u.type === 'users' && u.property === 'username')
        .map((u) => u.value);
      for (const part of chunks(usernames, 10_000)) {
        const { rows } = await sql<
          MetaRow & { username: string }
        >`select ${META_SQL}, u.username from app_user u
          join metadata_object o on o.id = u.id where u.username = any(${part}::text[])`.execute(
          trx,
        );
        for (const r of rows) byUnique.set(uniqueKey('users', 'username', r.username), toMeta(r));
      }
      const existing = new Set<string>();
      for (const ids of chunks([...keys.refs], 10_000)) {
        const rows = await trx
          .selectFrom('metadata_object')
          .select('id')
          .where(sql<boolean>`id = any(${ids}::text[])`)
          .execute();
        for (const r of rows) existing.add(r.id);
      }
      const referencedBy = new Map<string, { type: string; id: string }[]>();
      if (referrers) {
        const targets = [...new Set([...byId.values(), ...byCode.values()].map((m) => m.id))];
        for (const ids of chunks(targets, 10_000)) {
          const rows = await trx
            .selectFrom('metadata_ref as r')
            .innerJoin('metadata_object as o', (j) =>
              j.onRef('o.type', '=', 'r.source_type').onRef('o.id', '=', 'r.source_id'),
            )
            .select(['r.target_id', 'o.type', 'o.id'])
            .where(sql<boolean>`r.target_id = any(${ids}::text[])`)
            .execute();
          for (const r of rows) {
            const list = referencedBy.get(r.target_id) ?? [];
            list.push({ type: r.type, id: r.id });
            referencedBy.set(r.target_id, list);
          }
        }
      }
      // Stored org unit parent chains above any referenced org unit, for the cycle check.
      const orgUnitParents = new Map<string, string>();
      for (const ids of chunks([...existing], 10_000)) {
        const { rows } = await sql<{
          id: string;
          parent: string;
        }>`with recursive chain(id, parent) as (
            select o.id, o.payload->'parent'->>'id' from metadata_object o
            where o.type = 'organisationUnits' and o.id = any(${ids}::text[])
            union
            select o.id, o.payload->'parent'->>'id' from metadata_object o
            join chain c on o.type = 'organisationUnits' and o.id = c.parent)
          select id, parent from chain where parent is not null`.execute(trx);
        for (const r of rows) orgUnitParents.set(r.id, r.parent);
      }
      return { byId, byCode, byName, byUnique, existing, referencedBy, orgUnitParents };
    },

    async apply({ writes, deletes }, meta) {
      let seq = await writeObjects(trx, writes, last, meta.actorId);
      await writeReferences(trx, writes, deletes);
      seq = await deleteObjects(trx, deletes, seq, meta);
      await applyUserProjection(trx, writes, deletes, meta.passwordHashes);
      done((last = seq));
    },

    async list(type) {
      return (await listPayloads(trx, type)).map((r) => r.payload);
    },

    async recordVersion(v, gzip) {
      await insertVersionRow(trx, v);
      await storeGzip(trx, v.id, gzip);
    },

    setBaseline: (version, rows) => setBaseline(trx, version, rows),
    dropBaseline: (keys) => dropBaseline(trx, keys),
  };
}

export function createKyselyMetadataStore(db: Kysely<Database>): MetadataStore {
  const payloads = (rows: { payload: Record<string, unknown> }[]) => rows.map((r) => r.payload);
  return {
    async write(fn) {
      let changes = 0;
      const result = await db.transaction().execute(async (trx) => {
        const { seq } = await trx
          .selectFrom('change_counter')
          .select('seq')
          .where('id', '=', 1)
          .forUpdate()
          .executeTakeFirstOrThrow();
        let last = Number(seq);
        const out = await fn(writer(trx, last, (s) => (last = s)));
        changes = last - Number(seq);
        if (changes > 0)
          await trx.updateTable('change_counter').set({ seq: last }).where('id', '=', 1).execute();
        return out;
      });
      // PGlite has no autovacuum: without fresh statistics after a bulk load its planner picks
      // plans that make snapshot building quadratic. PostgreSQL merely gets them sooner. A sample
      // of 3000 rows (statistics target 10, not 100) tells the planner the sizes and that ids
      // are unique, at a sixth of the cost: a full ANALYZE was 0.5 s of a 100k import (issue 18).
      if (changes >= ANALYZE_AFTER)
        await db.transaction().execute(async (trx) => {
          await sql`set local default_statistics_target = 10`.execute(trx);
          await sql`analyze metadata_object, metadata_ref`.execute(trx);
        });
      return result;
    },
    async get(type, id) {
      const row = await db
        .selectFrom('metadata_object')
        .select('payload')
        .where('type', '=', type)
        .where('id', '=', id)
        .executeTakeFirst();
      return row?.payload ?? null;
    },
    async list(type) {
      return payloads(await listPayloads(db, type));
    },
    async listSince(type, since, ids) {
      if (ids?.length === 0) return [];
      let q = db.selectFrom('metadata_object').select('payload').where('type', '=', type);
      if (since) q = q.where('last_updated', '>=', since);
      if (ids) q = q.where('id', 'in', ids);
      return payloads(await q.orderBy('name').orderBy('id').execute());
    },
    async countByType() {
      const rows = await db
        .selectFrom('metadata_object')
        .select(['type', (eb) => eb.fn.countAll<number>().as('n')])
        .groupBy('type')
        .execute();
      return new Map(rows.map((r) => [r.type, Number(r.n)]));
    },
    async referencing(id) {
      return db
        .selectFrom('metadata_ref as r')
        .innerJoin('metadata_object as o', (j) =>
          j.onRef('o.type', '=', 'r.source_type').onRef('o.id', '=', 'r.source_id'),
        )
        .select(['o.type', 'o.id'])
        .where('r.target_id', '=', id)
        .orderBy('o.type')
        .orderBy('o.id')
        .execute();
    },
    async changeSeq() {
      const { seq } = await db
        .selectFrom('change_counter')
        .select('seq')
        .where('id', '=', 1)
        .executeTakeFirstOrThrow();
      return Number(seq);
    },
  };
}
