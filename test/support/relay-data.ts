/**
 * Data for the relay tests (issue 21 §2): values as a district enters them, each with a storedBy,
 * created and lastUpdated of its own (none of them any server's clock), and the comparison of
 * what a server holds with what was entered, attributes included.
 */
import { IDS, exportValues } from './data.ts';
import type { TestServer } from './server.ts';

type Json = Record<string, unknown>;

export const CLERK = 'district.clerk';
export const DAY = 86_400_000;
const BASE = Date.UTC(2024, 0, 1);

/**
 * The i-th value entered on a district: four per monthly period from 2001-01 (two data elements
 * × two org units of test/support/data.ts); `edit` moves lastUpdated on by days.
 */
export function districtValue(i: number, v = String(i), edit = 0): Json {
  const p = Math.floor(i / 4);
  return {
    dataElement: i % 2 === 0 ? IDS.deNumber : IDS.deInteger,
    period: `${2001 + Math.floor(p / 12)}${String((p % 12) + 1).padStart(2, '0')}`,
    orgUnit: Math.floor(i / 2) % 2 === 0 ? IDS.ouRoot : IDS.ouChild,
    categoryOptionCombo: IDS.coc,
    attributeOptionCombo: IDS.coc,
    value: v,
    storedBy: CLERK,
    created: new Date(BASE + i * 1000).toISOString(),
    lastUpdated: new Date(BASE + DAY * (1 + edit) + i * 1000).toISOString(),
  };
}

export const range = (from: number, to: number) =>
  Array.from({ length: to - from }, (_, k) => from + k);

export const keyOf = (v: Json) =>
  `${String(v.dataElement)}/${String(v.period)}/${String(v.orgUnit)}`;

const row = (v: Json) =>
  JSON.stringify([v.value, v.storedBy, v.created, v.lastUpdated, v.deleted ?? false]);

/** Every value under the test root a server holds, keyed, with what must survive the way up. */
export async function held(server: TestServer): Promise<Map<string, string>> {
  const values = await exportValues(server, `orgUnit=${IDS.ouRoot}&children=true`);
  return new Map(values.map((v) => [keyOf(v), row(v)]));
}

/** What `held` must answer for a server that holds exactly `values`, as entered. */
export const expected = (values: Iterable<Json>): Map<string, string> =>
  new Map([...values].map((v) => [keyOf(v), row(v)]));
