/**
 * The data push benchmark's model (issue 7): 10 numeric data elements × 100 org units, and
 * `n` values over consecutive days from 2000-01-01, so every value has its own key.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../src/store/schema.ts';

const pad = (n: number, w: number) => String(n).padStart(w, '0');
export const DE = (i: number) => `BenchDe${pad(i, 4)}`;
export const OU = (i: number) => `BenchOu${pad(i, 4)}`;
export const DES = 10;
export const OUS = 100;

export function pushMetadata() {
  return {
    organisationUnits: Array.from({ length: OUS }, (_, i) => ({
      id: OU(i),
      name: `Bench OU ${i}`,
      shortName: `Bench OU ${i}`,
      openingDate: '2000-01-01',
    })),
    dataElements: Array.from({ length: DES }, (_, i) => ({
      id: DE(i),
      name: `Bench DE ${i}`,
      shortName: `Bench DE ${i}`,
      valueType: 'NUMBER',
      aggregationType: 'SUM',
      domainType: 'AGGREGATE',
    })),
  };
}

/** The i-th value's key and value (daily periods, yyyyMMdd). */
export function benchValue(i: number) {
  const per = DES * OUS;
  const day = new Date(Date.UTC(2000, 0, 1) + Math.floor(i / per) * 86_400_000);
  const period = day.toISOString().slice(0, 10).replace(/-/g, '');
  return { de: DE(i % DES), ou: OU(Math.floor(i / DES) % OUS), period, value: String(i % 997) };
}

/**
 * Loads `n` values (`benchValue`'s keys) straight into a local's table, numbered for the push
 * (seq 1..n): the benchmarks time the push or the data bundle, not data entry.
 */
export async function loadValues(db: Kysely<Database>, n: number): Promise<void> {
  await sql`insert into data_value (data_element, period, org_unit, category_option_combo,
      attribute_option_combo, value, stored_by, created, last_updated, followup, deleted, seq)
    select 'BenchDe' || lpad((i % ${DES})::text, 4, '0'),
      to_char(date '2000-01-01' + (i / ${DES * OUS})::int, 'YYYYMMDD'),
      'BenchOu' || lpad(((i / ${DES}) % ${OUS})::text, 4, '0'),
      'HllvX50cXC0', 'HllvX50cXC0', (i % 997)::text, 'bench', now(), now(), false, false, i + 1
    from generate_series(0, ${n - 1}) as i`.execute(db);
  await sql`update data_change_counter set seq = ${n}`.execute(db);
  await sql`analyze data_value`.execute(db);
}

/** The same `n` values as `COPY` text lines, for the floor (bench/floors.ts `pushFloor`). */
export function copyLines(n: number): string[] {
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const v = benchValue(i);
    lines.push(
      `${v.de}\t${v.period}\t${v.ou}\tHllvX50cXC0\tHllvX50cXC0\t${v.value}\tbench\t2020-01-01\t2020-01-01\tf\tf\n`,
    );
  }
  return lines;
}
