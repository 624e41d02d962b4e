/**
 * The set-based look-up and write of a page of data values (issue 18 §2–§3), inside the data
 * store's numbered transaction. A push page is the common case: 10k values, most or all of them
 * new to the central, so the work per value is what bounds a push.
 */
import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { ChangedJson, ChangeWindow } from '../domain/data/data-store.ts';
import { dataValueKey, type DataValue } from '../domain/data/data-values.ts';
import { arrayParam, insertRows, toValue, updateRows, valueColumns } from './kysely-data-rows.ts';
import type { Database, DataValueTable } from './schema.ts';

/** Rows per set-based statement: one array parameter per column, so not bounded by 65,535. */
export const ROWS = 10_000;
const KEY = [
  'data_element',
  'period',
  'org_unit',
  'category_option_combo',
  'attribute_option_combo',
] as const;

const pair = (v: DataValue) => `${v.dataElement}\u0000${v.period}`;

/**
 * The stored values (deleted ones included) under the keys of `incoming`. The full five-column
 * look-up costs an index probe per value, as much again as writing a new one; it runs only for
 * the values whose data element and period already hold something, which a handful of probes
 * (one per distinct pair, a hundred in a push page) finds. A first push of new periods skips it.
 */
export async function storedValues(
  trx: Transaction<Database>,
  incoming: readonly DataValue[],
): Promise<Map<string, DataValue>> {
  const stored = new Map<string, DataValue>();
  if (incoming.length === 0) return stored;
  const pairs = new Map<string, [string, string]>();
  for (const v of incoming) pairs.set(pair(v), [v.dataElement, v.period]);
  const held = new Set<string>();
  const list = [...pairs.values()];
  for (let i = 0; i < list.length; i += ROWS) {
    const part = list.slice(i, i + ROWS);
    const { rows } = await sql<{ de: string; pe: string }>`select k.de, k.pe
      from unnest(${arrayParam(part.map((p) => p[0]))}::text[],
        ${arrayParam(part.map((p) => p[1]))}::text[]) as k(de, pe)
      where exists (select 1 from data_value d where d.data_element = k.de and d.period = k.pe)`.execute(
      trx,
    );
    for (const r of rows) held.add(`${r.de}\u0000${r.pe}`);
  }
  const probe = held.size === pairs.size ? incoming : incoming.filter((v) => held.has(pair(v)));
  for (let i = 0; i < probe.length; i += ROWS) {
    const part = probe.slice(i, i + ROWS);
    const { rows } = await sql<Selectable<DataValueTable>>`select d.* from data_value d
      join unnest(${arrayParam(part.map((v) => v.dataElement))}::text[],
        ${arrayParam(part.map((v) => v.period))}::text[],
        ${arrayParam(part.map((v) => v.orgUnit))}::text[],
        ${arrayParam(part.map((v) => v.categoryOptionCombo))}::text[],
        ${arrayParam(part.map((v) => v.attributeOptionCombo))}::text[]) as k(de, pe, ou, coc, aoc)
      on d.data_element = k.de and d.period = k.pe and d.org_unit = k.ou
        and d.category_option_combo = k.coc and d.attribute_option_combo = k.aoc`.execute(trx);
    for (const r of rows) {
      const v = toValue(r);
      stored.set(dataValueKey(v), v);
    }
  }
  return stored;
}

/**
 * Writes the plan's values, numbered in its order. Keys the look-up did not find are inserted
 * plainly (no speculative insertion: the counter lock keeps every other data writer out until
 * this commits), the others updated, each in statements of one array parameter per column.
 */
export async function writeValues(
  trx: Transaction<Database>,
  writes: readonly DataValue[],
  stored: ReadonlyMap<string, DataValue>,
  next: () => number,
): Promise<void> {
  const fresh: DataValue[] = [];
  const freshSeqs: number[] = [];
  const changed: DataValue[] = [];
  const changedSeqs: number[] = [];
  for (const v of writes) {
    const known = stored.size > 0 && stored.has(dataValueKey(v));
    (known ? changed : fresh).push(v);
    (known ? changedSeqs : freshSeqs).push(next());
  }
  for (let i = 0; i < fresh.length; i += ROWS)
    await insertRows(
      trx,
      'data_value',
      valueColumns(fresh.slice(i, i + ROWS), freshSeqs.slice(i, i + ROWS)),
    );
  for (let i = 0; i < changed.length; i += ROWS)
    await updateRows(
      trx,
      'data_value',
      KEY,
      valueColumns(changed.slice(i, i + ROWS), changedSeqs.slice(i, i + ROWS)),
    );
}

/** A timestamp as `Date.prototype.toISOString` writes it, for the years 1–9999 that it writes so. */
const isoText = (column: string) =>
  sql`to_json(to_char(${sql.ref(column)} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))::text`;
const text = (column: string) => sql`to_json(${sql.ref(column)})::text`;
const optional = (key: string, column: string) =>
  sql`case when ${sql.ref(column)} is null then '' else ${`,"${key}":`} || ${text(column)} end`;

/**
 * A change window of data values as the push's JSON, built by the database: PostgreSQL's
 * `to_json` escapes text as JSON.stringify does, the keys come in `wireValue`'s order, and the
 * items are joined in change order. Reading the rows into objects, mapping and serialising them
 * again was most of a local's CPU time in a push (issue 18 §3). A page holding a timestamp
 * outside the years 1–9999 (which toISOString writes with a sign) is read the slow way, `slow`.
 */
export async function changedValuesJson(
  db: Kysely<Database>,
  w: ChangeWindow,
  slow: (w: ChangeWindow) => Promise<ChangedJson>,
): Promise<ChangedJson> {
  const page = db
    .selectFrom('data_value')
    .select([
      'seq',
      sql<string>`'{"dataElement":' || ${text('data_element')} || ',"period":' || ${text('period')}
        || ',"orgUnit":' || ${text('org_unit')}
        || ',"categoryOptionCombo":' || ${text('category_option_combo')}
        || ',"attributeOptionCombo":' || ${text('attribute_option_combo')}
        || ',"created":' || ${isoText('created')} || ',"lastUpdated":' || ${isoText('last_updated')}
        || ',"followup":' || case when followup then 'true' else 'false' end
        || ${optional('value', 'value')} || ${optional('storedBy', 'stored_by')}
        || ${optional('comment', 'comment')}
        || case when deleted then ',"deleted":true' else '' end || '}'`.as('item'),
      sql<boolean>`least(created, last_updated) < '0001-01-01T00:00:00Z'
        or greatest(created, last_updated) >= '10000-01-01T00:00:00Z'`.as('odd'),
    ])
    .where('seq', '>', String(w.after))
    .where('seq', '<=', String(w.upTo))
    .$if(w.skipBefore !== null, (q) => q.where('last_updated', '>=', w.skipBefore!))
    .orderBy('seq')
    .limit(w.limit)
    .as('p');
  const row = await db
    .selectFrom(page)
    .select([
      sql<number>`count(*)::int`.as('count'),
      sql<string | null>`max(seq)::text`.as('last'),
      sql<string | null>`string_agg(item, ',' order by seq)`.as('json'),
      sql<boolean | null>`bool_or(odd)`.as('odd'),
    ])
    .executeTakeFirstOrThrow();
  if (row.odd) return slow(w);
  return {
    json: row.json ?? '',
    count: Number(row.count),
    lastSeq: row.last === null ? w.upTo : Number(row.last),
  };
}
