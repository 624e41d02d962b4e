/**
 * The hardware floors of issue 18 §5, measured on native PostgreSQL for both backends (the
 * physical limit of this machine), in a scratch database of their own, best of 3:
 * - import: JSON.parse of the payload plus COPY of one row per object (type, uid, code, name,
 *   jsonb) into a fresh table with a primary key and a unique code;
 * - version: json_agg of those rows plus md5 and gzip of the serialised snapshot;
 * - push: COPY of the values into a fresh table keyed on DHIS2's five data-value columns.
 */
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { PG_ADMIN_URL } from '../test/support/databases.ts';

const gzipAsync = promisify(gzip);
const RUNS = 3;

type Payload = Record<string, Record<string, unknown>[]>;

const esc = (s: string | null) =>
  s === null
    ? '\\N'
    : s.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');

/** One COPY text line: type, uid, code, name, payload (JSON text). */
export const objectRow = (
  type: string,
  uid: string,
  code: string | null,
  name: string | null,
  payload: string,
) => [type, uid, code, name, payload].map(esc).join('\t') + '\n';

/**
 * COPY text of one row per object of a payload. Codes are unique per type except an option's,
 * which is unique within its option set (DHIS2's COD package repeats them; the store scopes them
 * the same way), so an option's code column carries its set's id too.
 */
export function objectRows(body: Payload): string[] {
  const lines: string[] = [];
  for (const [type, objects] of Object.entries(body))
    for (const o of objects) {
      let code = typeof o.code === 'string' ? o.code : null;
      const set = (o.optionSet as { id?: string } | undefined)?.id;
      if (code !== null && type === 'options' && set) code = `${set}/${code}`;
      const name = typeof o.name === 'string' ? o.name : null;
      lines.push(objectRow(type, String(o.id), code, name, JSON.stringify(o)));
    }
  return lines;
}

const OBJECT_TABLE = (t: string) => `create table ${t} (type text not null, uid text not null,
  code text, name text, payload jsonb not null, primary key (type, uid), unique (type, code))`;

/** A scratch database on native PostgreSQL for `fn`, dropped afterwards. */
async function scratch<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const name = `metasync_floor_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  const client = new pg.Client({ connectionString: url.toString() });
  try {
    await client.connect();
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
}

const copy = (client: pg.Client, table: string, lines: string[]) =>
  pipeline(Readable.from(lines), client.query(copyFrom(`COPY ${table} FROM STDIN`)));

const seconds = (t0: number) => (performance.now() - t0) / 1000;

export interface ImportFloor {
  /** parseSeconds + copySeconds of the best run. */
  seconds: number;
  parseSeconds: number;
  copySeconds: number;
  /** Building the COPY text from the parsed objects (not part of the floor; for reference). */
  rowsSeconds: number;
  objects: number;
}

/** JSON.parse of `text` plus COPY of its objects into a fresh keyed table, best of 3. */
export function importFloor(text: string): Promise<ImportFloor> {
  return scratch(async (client) => {
    let best: ImportFloor | undefined;
    for (let run = 0; run < RUNS; run++) {
      const p0 = performance.now();
      const body = JSON.parse(text) as Payload;
      const parseSeconds = seconds(p0);
      const r0 = performance.now();
      const lines = objectRows(body);
      const rowsSeconds = seconds(r0);
      const table = `floor_objects_${run}`;
      await client.query(OBJECT_TABLE(table));
      const c0 = performance.now();
      await copy(client, table, lines);
      const copySeconds = seconds(c0);
      await client.query(`drop table ${table}`);
      const total = parseSeconds + copySeconds;
      if (!best || total < best.seconds)
        best = { seconds: total, parseSeconds, copySeconds, rowsSeconds, objects: lines.length };
    }
    return best!;
  });
}

export interface VersionFloor {
  seconds: number;
  bytes: number;
  gzipBytes: number;
}

/**
 * json_agg of the objects' rows (`lines`, COPYed in first, untimed) plus md5 and gzip (level 6,
 * as the snapshot writer) of the serialised text, best of 3.
 */
export function versionFloor(lines: string[]): Promise<VersionFloor> {
  return scratch(async (client) => {
    await client.query(OBJECT_TABLE('floor_objects'));
    await copy(client, 'floor_objects', lines);
    await client.query('analyze floor_objects');
    let best: VersionFloor | undefined;
    for (let run = 0; run < RUNS; run++) {
      const t0 = performance.now();
      const { rows } = await client.query<{ s: string }>(
        'select json_agg(payload order by type, uid)::text as s from floor_objects',
      );
      const bytes = Buffer.from(rows[0]!.s);
      createHash('md5').update(bytes).digest('hex');
      const gz = await gzipAsync(bytes, { level: 6 });
      const s = seconds(t0);
      if (!best || s < best.seconds)
        best = { seconds: s, bytes: bytes.length, gzipBytes: gz.length };
    }
    return best!;
  });
}

/**
 * COPY of data values (COPY text lines: de, pe, ou, coc, aoc, value, stored_by, created,
 * last_updated, followup, deleted) into a fresh table whose primary key is DHIS2's datavalue
 * key, best of 3.
 */
export function pushFloor(lines: string[]): Promise<number> {
  return scratch(async (client) => {
    let best = Infinity;
    for (let run = 0; run < RUNS; run++) {
      const table = `floor_values_${run}`;
      await client.query(`create table ${table} (de text not null, pe text not null,
        ou text not null, coc text not null, aoc text not null, value text, stored_by text,
        created timestamptz, last_updated timestamptz, followup boolean, deleted boolean,
        primary key (de, pe, ou, coc, aoc))`);
      const t0 = performance.now();
      await copy(client, table, lines);
      best = Math.min(best, seconds(t0));
      await client.query(`drop table ${table}`);
    }
    return best;
  });
}

export interface DriftFloor {
  seconds: number;
  objects: number;
}

/**
 * The drift check's floor (issue 23 §2): two keyed tables of `n` (type, id, hash) rows (COPYed
 * in first, untimed; 1 % of the hashes differ), then the three counts per type the check
 * takes (hashes that differ, rows only in one, rows only in the other), best of 3.
 */
export function driftFloor(n: number): Promise<DriftFloor> {
  return scratch(async (client) => {
    for (const t of ['floor_live', 'floor_base'])
      await client.query(`create table ${t} (type text not null, id text not null,
        hash text not null, primary key (type, id))`);
    const rows = (changed: boolean) =>
      Array.from(
        { length: n },
        (_, i) =>
          `t${i % 20}\tid${i}\t${changed && i % 100 === 0 ? 'other' : 'h'}${i.toString(36)}\n`,
      );
    await copy(client, 'floor_live', rows(true));
    await copy(client, 'floor_base', rows(false));
    await client.query('analyze floor_live, floor_base');
    let best = Infinity;
    for (let run = 0; run < RUNS; run++) {
      const t0 = performance.now();
      await client.query(`select l.type, count(*) from floor_live l join floor_base b
        on b.type = l.type and b.id = l.id where l.hash <> b.hash group by l.type`);
      await client.query(`select l.type, count(*) from floor_live l where not exists
        (select 1 from floor_base b where b.type = l.type and b.id = l.id) group by l.type`);
      await client.query(`select b.type, count(*) from floor_base b where not exists
        (select 1 from floor_live l where l.type = b.type and l.id = b.id) group by b.type`);
      best = Math.min(best, seconds(t0));
    }
    return { seconds: best, objects: n };
  });
}
