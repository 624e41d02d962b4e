/**
 * Row mapping and the numbered write transaction shared by the Kysely data store (issue 7).
 * snake_case columns are mapped to DHIS2 wire names here only (aesthetics §8).
 */
import {
  sql,
  type Insertable,
  type Kysely,
  type OnConflictBuilder,
  type OnConflictTables,
  type OnConflictUpdateDatabase,
  type Selectable,
  type Transaction,
  type UpdateObject,
} from 'kysely';
import type { DataValue } from '../domain/data/data-values.ts';
import type { AnonymousEvent } from '../domain/data/events.ts';
import type { Registration } from '../domain/data/registrations.ts';
import type { CompleteRegistrationTable, Database, DataValueTable, EventTable } from './schema.ts';

/**
 * The `do update set` of a multi-row upsert: every column the rows carry but `kept` (the conflict
 * key, and what stays as first written such as `created`) takes the incoming (`excluded`) value.
 * The columns are read from the first row, as every row of a batch is built by one mapping.
 */
export const updateFromExcluded = <DB, TB extends keyof DB>(
  oc: OnConflictBuilder<DB, TB>,
  rows: readonly Insertable<DB[TB]>[],
  kept: readonly (keyof DB[TB] & string)[],
) =>
  oc.doUpdateSet(
    Object.fromEntries(
      Object.keys(rows[0] ?? {})
        .filter((c) => !(kept as readonly string[]).includes(c))
        .map((c) => [c, sql.ref(`excluded.${c}`)]),
    ) as UpdateObject<OnConflictUpdateDatabase<DB, TB>, OnConflictTables<TB>, OnConflictTables<TB>>,
  );
export const iso = (d: Date | string) => (d instanceof Date ? d : new Date(d)).toISOString();

export const toValue = (r: Selectable<DataValueTable>): DataValue => ({
  dataElement: r.data_element,
  period: r.period,
  orgUnit: r.org_unit,
  categoryOptionCombo: r.category_option_combo,
  attributeOptionCombo: r.attribute_option_combo,
  value: r.value,
  storedBy: r.stored_by,
  created: iso(r.created),
  lastUpdated: iso(r.last_updated),
  comment: r.comment,
  followup: r.followup,
  deleted: r.deleted,
});
export const fromValue = (v: DataValue, seq: number) => ({
  data_element: v.dataElement,
  period: v.period,
  org_unit: v.orgUnit,
  category_option_combo: v.categoryOptionCombo,
  attribute_option_combo: v.attributeOptionCombo,
  value: v.value,
  stored_by: v.storedBy,
  created: v.created,
  last_updated: v.lastUpdated,
  comment: v.comment,
  followup: v.followup,
  deleted: v.deleted,
  seq,
});
export const toRegistration = (r: Selectable<CompleteRegistrationTable>): Registration => ({
  dataSet: r.data_set,
  period: r.period,
  organisationUnit: r.org_unit,
  attributeOptionCombo: r.attribute_option_combo,
  date: iso(r.date),
  storedBy: r.stored_by,
  lastUpdatedBy: r.last_updated_by,
  lastUpdated: iso(r.last_updated),
  completed: r.completed,
  deleted: r.deleted,
});
export const toEvent = (r: Selectable<EventTable>): AnonymousEvent => ({
  event: r.uid,
  program: r.program,
  programStage: r.program_stage,
  orgUnit: r.org_unit,
  attributeOptionCombo: r.attribute_option_combo,
  eventDate: iso(r.event_date),
  status: r.status,
  storedBy: r.stored_by,
  dataValues: r.data_values as AnonymousEvent['dataValues'],
  deleted: r.deleted,
  created: iso(r.created),
  lastUpdated: iso(r.last_updated),
});

/** Runs `fn` with the counter locked; `fn` returns how many numbers it used. */
export async function numbered<T>(
  db: Kysely<Database>,
  fn: (trx: Transaction<Database>, next: () => number) => Promise<T>,
): Promise<T> {
  return db.transaction().execute(async (trx) => {
    const { seq } = await trx
      .selectFrom('data_change_counter')
      .select('seq')
      .where('id', '=', 1)
      .forUpdate()
      .executeTakeFirstOrThrow();
    const base = Number(seq);
    let last = base;
    const out = await fn(trx, () => ++last);
    if (last > base)
      await trx.updateTable('data_change_counter').set({ seq: last }).where('id', '=', 1).execute();
    return out;
  });
}
