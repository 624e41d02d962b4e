/**
 * Row mapping, the set-based writes and the numbered write transaction shared by the Kysely
 * data store (issue 7, issue 18 §2). snake_case columns are mapped to DHIS2 wire names here only
 * (aesthetics §8).
 */
import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { DataValue } from '../domain/data/data-values.ts';
import type { AnonymousEvent } from '../domain/data/events.ts';
import type { Registration } from '../domain/data/registrations.ts';
import type { CompleteRegistrationTable, Database, DataValueTable, EventTable } from './schema.ts';

/**
 * One column of a set-based write: its name, the element type its values are sent as (one array
 * parameter per column, so a statement has a dozen parameters whatever its row count), and, for
 * `json`, the text each value is sent as and cast from (issue 18 §2).
 */
export interface Column {
  name: string;
  type: 'text' | 'timestamptz' | 'boolean' | 'bigint' | 'json';
  values: readonly unknown[];
}

/**
 * An array parameter as PostgreSQL's array literal, built by the native JSON.stringify: the
 * drivers escape arrays element by element in JavaScript, a quarter of the central's CPU time
 * for a push page (issue 18 §3). JSON's text is the literal's, brackets aside, whenever it holds
 * no backslash (JSON escapes only with one; `null` reads as NULL, a quoted "null" as text);
 * otherwise the driver's own encoding is used.
 */
export function arrayParam(values: readonly unknown[]): unknown {
  const json = JSON.stringify(values);
  return json.includes('\\') ? values : `{${json.slice(1, -1)}}`;
}

/** `unnest(…) as u(…)`: the columns as rows; json travels as text (both drivers send it so). */
const unnested = (cols: readonly Column[]) =>
  sql`unnest(${sql.join(
    cols.map(
      (c) => sql`${arrayParam(c.values)}::${sql.raw(c.type === 'json' ? 'text' : c.type)}[]`,
    ),
  )}) as u(${sql.join(cols.map((c) => sql.id(c.name)))})`;
const selected = (cols: readonly Column[]) =>
  sql.join(
    cols.map((c) =>
      c.type === 'json' ? sql`${sql.ref(`u.${c.name}`)}::json` : sql.ref(`u.${c.name}`),
    ),
  );

/** Inserts the rows the columns hold, in one statement: for keys known not to be stored. */
export const insertRows = (trx: Transaction<Database>, table: keyof Database, cols: Column[]) =>
  sql`insert into ${sql.table(table)} (${sql.join(cols.map((c) => sql.id(c.name)))})
    select ${selected(cols)} from ${unnested(cols)}`.execute(trx);

/** Sets every column but `key` of the stored rows the key columns name, in one statement. */
export const updateRows = (
  trx: Transaction<Database>,
  table: keyof Database,
  key: readonly string[],
  cols: Column[],
) =>
  sql`update ${sql.table(table)} as t set ${sql.join(
    cols
      .filter((c) => !key.includes(c.name))
      .map(
        (c) =>
          sql`${sql.id(c.name)} = ${c.type === 'json' ? sql`${sql.ref(`u.${c.name}`)}::json` : sql.ref(`u.${c.name}`)}`,
      ),
  )} from ${unnested(cols)}
    where ${sql.join(
      key.map((k) => sql`${sql.ref(`t.${k}`)} = ${sql.ref(`u.${k}`)}`),
      sql` and `,
    )}`.execute(trx);

/**
 * Inserts or replaces the rows the columns hold, in one statement: every column but the
 * conflict `key` and `kept` (what stays as first written, such as `created`) takes the incoming
 * value. The callers plan first, so an unchanged row is never among them.
 */
export const upsertRows = (
  trx: Transaction<Database>,
  table: keyof Database,
  key: readonly string[],
  kept: readonly string[],
  cols: Column[],
) =>
  sql`insert into ${sql.table(table)} (${sql.join(cols.map((c) => sql.id(c.name)))})
    select ${selected(cols)} from ${unnested(cols)}
    on conflict (${sql.join(key.map((k) => sql.id(k)))}) do update set ${sql.join(
      cols
        .filter((c) => !key.includes(c.name) && !kept.includes(c.name))
        .map((c) => sql`${sql.id(c.name)} = ${sql.ref(`excluded.${c.name}`)}`),
    )}`.execute(trx);

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
/** The columns of data values written with the change numbers `seqs` (same order). */
export function valueColumns(values: readonly DataValue[], seqs: readonly number[]): Column[] {
  const n = values.length;
  const de = new Array<string>(n);
  const pe = new Array<string>(n);
  const ou = new Array<string>(n);
  const coc = new Array<string>(n);
  const aoc = new Array<string>(n);
  const value = new Array<string | null>(n);
  const storedBy = new Array<string | null>(n);
  const created = new Array<string>(n);
  const lastUpdated = new Array<string>(n);
  const comment = new Array<string | null>(n);
  const followup = new Array<boolean>(n);
  const deleted = new Array<boolean>(n);
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    de[i] = v.dataElement;
    pe[i] = v.period;
    ou[i] = v.orgUnit;
    coc[i] = v.categoryOptionCombo;
    aoc[i] = v.attributeOptionCombo;
    value[i] = v.value;
    storedBy[i] = v.storedBy;
    created[i] = v.created;
    lastUpdated[i] = v.lastUpdated;
    comment[i] = v.comment;
    followup[i] = v.followup;
    deleted[i] = v.deleted;
  }
  return [
    { name: 'data_element', type: 'text', values: de },
    { name: 'period', type: 'text', values: pe },
    { name: 'org_unit', type: 'text', values: ou },
    { name: 'category_option_combo', type: 'text', values: coc },
    { name: 'attribute_option_combo', type: 'text', values: aoc },
    { name: 'value', type: 'text', values: value },
    { name: 'stored_by', type: 'text', values: storedBy },
    { name: 'created', type: 'timestamptz', values: created },
    { name: 'last_updated', type: 'timestamptz', values: lastUpdated },
    { name: 'comment', type: 'text', values: comment },
    { name: 'followup', type: 'boolean', values: followup },
    { name: 'deleted', type: 'boolean', values: deleted },
    { name: 'seq', type: 'bigint', values: seqs },
  ];
}

/** Columns from rows mapped by `pick` (the smaller tables: registrations, events). */
export const columnsOf = <T>(
  rows: readonly T[],
  spec: readonly [name: string, type: Column['type'], pick: (row: T) => unknown][],
): Column[] => spec.map(([name, type, pick]) => ({ name, type, values: rows.map(pick) }));

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
