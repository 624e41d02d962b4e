/**
 * DataStore over Kysely (PostgreSQL and PGlite), issue 7. Writers lock `data_change_counter`
 * first (`for update`) and number their rows from it, so numbers follow commit order and a push
 * cut at the committed value never misses a later commit (the metadata store's pattern).
 * Look-ups and writes use `unnest` (one array parameter per column), so a 10k-value page is a
 * handful of statements whatever its size (issue 18 §2).
 */
import { sql, type Kysely, type Selectable } from 'kysely';
import type { ChangeWindow, DataStore } from '../domain/data/data-store.ts';
import { wireValue } from '../domain/data/data-values.ts';
import type { AnonymousEvent } from '../domain/data/events.ts';
import { registrationKey, type Registration } from '../domain/data/registrations.ts';
import { chunks } from './chunks.ts';
import {
  columnsOf,
  numbered,
  toEvent,
  toRegistration,
  toValue,
  upsertRows,
} from './kysely-data-rows.ts';
import { changedValuesJson, ROWS, storedValues, writeValues } from './kysely-data-values.ts';
import { createKyselyTrackerStore } from './kysely-tracker-store.ts';
import type { CompleteRegistrationTable, Database, EventTable } from './schema.ts';

export function createKyselyDataStore(db: Kysely<Database>): DataStore {
  const descendants = async (roots: string[]): Promise<string[]> => {
    const { rows } = await sql<{ id: string }>`with recursive tree(id) as (
        select unnest(${roots}::text[])
        union
        select o.id from metadata_object o join tree t
          on o.type = 'organisationUnits' and o.payload->'parent'->>'id' = t.id)
      select id from tree`.execute(db);
    return rows.map((r) => r.id);
  };
  const window = <T extends 'data_value' | 'complete_registration' | 'event'>(
    table: T,
    w: ChangeWindow,
  ) => {
    let q = db
      .selectFrom(table as 'data_value')
      .selectAll()
      .where('seq', '>', String(w.after))
      .where('seq', '<=', String(w.upTo));
    if (w.skipBefore) q = q.where('last_updated', '>=', w.skipBefore);
    return q.orderBy('seq').limit(w.limit);
  };
  const lastSeq = (rows: { seq: string }[], w: ChangeWindow) =>
    rows.length > 0 ? Number(rows[rows.length - 1]!.seq) : w.upTo;

  return {
    ...createKyselyTrackerStore(db),
    async resolve(type, keys, scheme) {
      const out = new Map<string, Record<string, unknown>>();
      for (const part of chunks(keys)) {
        const column = scheme === 'CODE' ? 'code' : 'id';
        const rows = await db
          .selectFrom('metadata_object')
          .select(['id', 'code', 'payload'])
          .where('type', '=', type)
          .where(sql<boolean>`${sql.ref(column)} = any(${part}::text[])`)
          .execute();
        for (const r of rows)
          out.set(scheme === 'CODE' ? r.code! : r.id, r.payload as Record<string, unknown>);
      }
      // Option combos are always accepted by UID too (DHIS2's default is sent by UID).
      if (scheme === 'CODE' && type === 'categoryOptionCombos') {
        for (const [k, v] of await this.resolve(type, keys, 'UID')) if (!out.has(k)) out.set(k, v);
      }
      return out;
    },

    async writeDataValues(incoming, plan, dryRun) {
      return numbered(db, async (trx, next) => {
        const stored = await storedValues(trx, incoming);
        const result = plan(stored);
        if (!dryRun) await writeValues(trx, result.writes, stored, next);
        return result;
      });
    },

    async queryDataValues(q) {
      let query = db.selectFrom('data_value').selectAll();
      if (q.dataElements)
        query = query.where('data_element', 'in', q.dataElements.length ? q.dataElements : ['']);
      if (q.periods) query = query.where('period', 'in', q.periods.length ? q.periods : ['']);
      if (q.orgUnits) {
        const ous = q.children ? await descendants(q.orgUnits) : q.orgUnits;
        query = query.where(sql<boolean>`org_unit = any(${ous}::text[])`);
      }
      if (q.lastUpdated) query = query.where('last_updated', '>=', q.lastUpdated);
      if (!q.includeDeleted) query = query.where('deleted', '=', false);
      query = query
        .orderBy('period')
        .orderBy('org_unit')
        .orderBy('data_element')
        .orderBy('category_option_combo');
      if (q.limit) query = query.limit(q.limit);
      return (await query.execute()).map(toValue);
    },

    async changedDataValues(w) {
      const rows = await window('data_value', w).execute();
      return { rows: rows.map(toValue), lastSeq: lastSeq(rows, w) };
    },

    async changedDataValuesJson(w) {
      return changedValuesJson(db, w, async (slow) => {
        const { rows, lastSeq } = await this.changedDataValues(slow);
        const json = JSON.stringify(rows.map(wireValue)).slice(1, -1);
        return { json, count: rows.length, lastSeq };
      });
    },

    async writeRegistrations(incoming, plan, dryRun) {
      return numbered(db, async (trx, next) => {
        const stored = new Map<string, Registration>();
        for (const part of chunks(incoming)) {
          const { rows } = await sql<
            Selectable<CompleteRegistrationTable>
          >`select c.* from complete_registration c
            join unnest(${part.map((r) => r.dataSet)}::text[], ${part.map((r) => r.period)}::text[],
              ${part.map((r) => r.organisationUnit)}::text[], ${part.map((r) => r.attributeOptionCombo)}::text[]) as k(ds, pe, ou, aoc)
            on c.data_set = k.ds and c.period = k.pe and c.org_unit = k.ou and c.attribute_option_combo = k.aoc`.execute(
            trx,
          );
          for (const r of rows) {
            const reg = toRegistration(r);
            stored.set(registrationKey(reg), reg);
          }
        }
        const result = plan(stored);
        if (dryRun) return result;
        for (const part of chunks(result.writes, ROWS)) {
          const seqs = part.map(() => next());
          await upsertRows(
            trx,
            'complete_registration',
            ['data_set', 'period', 'org_unit', 'attribute_option_combo'],
            [],
            columnsOf(part, [
              ['data_set', 'text', (r) => r.dataSet],
              ['period', 'text', (r) => r.period],
              ['org_unit', 'text', (r) => r.organisationUnit],
              ['attribute_option_combo', 'text', (r) => r.attributeOptionCombo],
              ['date', 'timestamptz', (r) => r.date],
              ['stored_by', 'text', (r) => r.storedBy],
              ['last_updated_by', 'text', (r) => r.lastUpdatedBy],
              ['last_updated', 'timestamptz', (r) => r.lastUpdated],
              ['completed', 'boolean', (r) => r.completed],
              ['deleted', 'boolean', (r) => r.deleted],
            ]).concat({ name: 'seq', type: 'bigint', values: seqs }),
          );
        }
        return result;
      });
    },

    async queryRegistrations(q) {
      let query = db.selectFrom('complete_registration').selectAll().where('deleted', '=', false);
      if (q.dataSets) query = query.where('data_set', 'in', q.dataSets.length ? q.dataSets : ['']);
      if (q.periods) query = query.where('period', 'in', q.periods.length ? q.periods : ['']);
      if (q.orgUnits) query = query.where('org_unit', 'in', q.orgUnits.length ? q.orgUnits : ['']);
      return (await query.orderBy('period').orderBy('org_unit').orderBy('data_set').execute()).map(
        toRegistration,
      );
    },

    async changedRegistrations(w) {
      const rows = await window('complete_registration', w).execute();
      return {
        rows: (rows as unknown as Selectable<CompleteRegistrationTable>[]).map(toRegistration),
        lastSeq: lastSeq(rows, w),
      };
    },

    async writeEvents(incoming, plan, dryRun) {
      return numbered(db, async (trx, next) => {
        const stored = new Map<string, AnonymousEvent>();
        for (const part of chunks(incoming.map((e) => e.event))) {
          const rows = await trx
            .selectFrom('event')
            .selectAll()
            .where(sql<boolean>`uid = any(${part}::text[])`)
            .execute();
          for (const r of rows) stored.set(r.uid, toEvent(r));
        }
        const result = plan(stored);
        if (dryRun) return result;
        for (const part of chunks(result.writes, ROWS)) {
          const seqs = part.map(() => next());
          await upsertRows(
            trx,
            'event',
            ['uid'],
            ['created'],
            columnsOf(part, [
              ['uid', 'text', (e) => e.event],
              ['program', 'text', (e) => e.program],
              ['program_stage', 'text', (e) => e.programStage],
              ['org_unit', 'text', (e) => e.orgUnit],
              ['attribute_option_combo', 'text', (e) => e.attributeOptionCombo],
              ['event_date', 'timestamptz', (e) => e.eventDate],
              ['status', 'text', (e) => e.status],
              ['stored_by', 'text', (e) => e.storedBy],
              ['data_values', 'json', (e) => JSON.stringify(e.dataValues)],
              ['deleted', 'boolean', (e) => e.deleted],
              ['created', 'timestamptz', (e) => e.created],
              ['last_updated', 'timestamptz', (e) => e.lastUpdated],
            ]).concat({ name: 'seq', type: 'bigint', values: seqs }),
          );
        }
        return result;
      });
    },

    async queryEvents(q) {
      let query = db.selectFrom('event').selectAll().where('deleted', '=', false);
      if (q.program) query = query.where('program', '=', q.program);
      if (q.orgUnit) query = query.where('org_unit', '=', q.orgUnit);
      return (
        await query
          .orderBy('event_date')
          .orderBy('uid')
          .limit(q.limit ?? 50_000)
          .execute()
      ).map(toEvent);
    },

    async changedEvents(w) {
      const rows = await window('event', w).execute();
      return {
        rows: (rows as unknown as Selectable<EventTable>[]).map(toEvent),
        lastSeq: lastSeq(rows, w),
      };
    },

    async markEventsSynchronized(uids, at) {
      for (const part of chunks(uids))
        await db
          .updateTable('event')
          .set({ last_synchronized: at })
          .where(sql<boolean>`uid = any(${part}::text[])`)
          .execute();
    },

    async committedSeq() {
      const { seq } = await db
        .selectFrom('data_change_counter')
        .select('seq')
        .where('id', '=', 1)
        .executeTakeFirstOrThrow();
      return Number(seq);
    },
  };
}
