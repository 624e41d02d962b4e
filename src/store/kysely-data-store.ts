/**
 * DataStore over Kysely (PostgreSQL and PGlite), issue 7. Writers lock `data_change_counter`
 * first (`for update`) and number their rows from it, so numbers follow commit order and a push
 * cut at the committed value never misses a later commit (the metadata store's pattern).
 * Look-ups use `unnest` so a 10k-value page is a handful of queries.
 */
import { sql, type Kysely, type Selectable } from 'kysely';
import type { ChangeWindow, DataStore } from '../domain/data/data-store.ts';
import { dataValueKey, type DataValue } from '../domain/data/data-values.ts';
import type { AnonymousEvent } from '../domain/data/events.ts';
import { registrationKey, type Registration } from '../domain/data/registrations.ts';
import { chunks } from './chunks.ts';
import {
  fromValue,
  numbered,
  toEvent,
  toRegistration,
  toValue,
  updateFromExcluded,
} from './kysely-data-rows.ts';
import { createKyselyTrackerStore } from './kysely-tracker-store.ts';
import type { CompleteRegistrationTable, Database, DataValueTable, EventTable } from './schema.ts';

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
        const stored = new Map<string, DataValue>();
        for (const part of chunks(incoming)) {
          const { rows } = await sql<Selectable<DataValueTable>>`select d.* from data_value d
            join unnest(${part.map((v) => v.dataElement)}::text[], ${part.map((v) => v.period)}::text[],
              ${part.map((v) => v.orgUnit)}::text[], ${part.map((v) => v.categoryOptionCombo)}::text[],
              ${part.map((v) => v.attributeOptionCombo)}::text[]) as k(de, pe, ou, coc, aoc)
            on d.data_element = k.de and d.period = k.pe and d.org_unit = k.ou
              and d.category_option_combo = k.coc and d.attribute_option_combo = k.aoc`.execute(
            trx,
          );
          for (const r of rows) stored.set(dataValueKey(toValue(r)), toValue(r));
        }
        const result = plan(stored);
        if (dryRun) return result;
        // One array parameter per column (not one per cell): a 10k-value page is two queries.
        for (const part of chunks(result.writes)) {
          const rows = part.map((v) => fromValue(v, next()));
          const col = <K extends keyof (typeof rows)[number]>(k: K) => rows.map((r) => r[k]);
          await sql`insert into data_value (data_element, period, org_unit, category_option_combo,
              attribute_option_combo, value, stored_by, created, last_updated, comment, followup,
              deleted, seq)
            select * from unnest(${col('data_element')}::text[], ${col('period')}::text[],
              ${col('org_unit')}::text[], ${col('category_option_combo')}::text[],
              ${col('attribute_option_combo')}::text[], ${col('value')}::text[],
              ${col('stored_by')}::text[], ${col('created')}::timestamptz[],
              ${col('last_updated')}::timestamptz[], ${col('comment')}::text[],
              ${col('followup')}::boolean[], ${col('deleted')}::boolean[], ${col('seq')}::bigint[])
            on conflict (data_element, period, org_unit, category_option_combo, attribute_option_combo)
            do update set value = excluded.value, stored_by = excluded.stored_by,
              created = excluded.created, last_updated = excluded.last_updated,
              comment = excluded.comment, followup = excluded.followup,
              deleted = excluded.deleted, seq = excluded.seq`.execute(trx);
        }
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
          for (const r of rows) stored.set(registrationKey(toRegistration(r)), toRegistration(r));
        }
        const result = plan(stored);
        if (dryRun) return result;
        for (const part of chunks(result.writes, 1000)) {
          const rows = part.map((r) => ({
            data_set: r.dataSet,
            period: r.period,
            org_unit: r.organisationUnit,
            attribute_option_combo: r.attributeOptionCombo,
            date: r.date,
            stored_by: r.storedBy,
            last_updated_by: r.lastUpdatedBy,
            last_updated: r.lastUpdated,
            completed: r.completed,
            deleted: r.deleted,
            seq: next(),
          }));
          const key = ['data_set', 'period', 'org_unit', 'attribute_option_combo'] as const;
          await trx
            .insertInto('complete_registration')
            .values(rows)
            .onConflict((oc) => updateFromExcluded(oc.columns(key), rows, key))
            .execute();
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
        for (const part of chunks(result.writes, 1000)) {
          const rows = part.map((e) => ({
            uid: e.event,
            program: e.program,
            program_stage: e.programStage,
            org_unit: e.orgUnit,
            attribute_option_combo: e.attributeOptionCombo,
            event_date: e.eventDate,
            status: e.status,
            stored_by: e.storedBy,
            data_values: JSON.stringify(e.dataValues),
            deleted: e.deleted,
            created: e.created,
            last_updated: e.lastUpdated,
            seq: next(),
          }));
          await trx
            .insertInto('event')
            .values(rows)
            .onConflict((oc) => updateFromExcluded(oc.column('uid'), rows, ['uid', 'created']))
            .execute();
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
