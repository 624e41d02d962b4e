/**
 * The embedded alternative, measured (issue 18 §4): SQLite through better-sqlite3 against PGlite
 * as metasync opens it, on a metadata_object-like table with the same keys and uniques.
 * Usage: node --import tsx bench/sqlite-probe.ts <sqlite|pglite> [objects=100000]
 * One engine per process, so each RSS is its own. Prints one JSON line: RSS at rest (node alone,
 * then with the database open and the table created, after 3 s idle), the seconds to insert the
 * generated objects in one transaction (SQLite: one prepared statement run per row; PGlite: sets
 * of 1,000 rows through json_to_recordset, and 5,000 rows one statement each for the per-row
 * cost), the same rows again unchanged (nothing written), and peak RSS.
 * This is a probe, not a backend: nothing in src/ uses SQLite.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { generateMetadata } from './generate.ts';

const [engine, count = '100000'] = process.argv.slice(2) as ['sqlite' | 'pglite', string?];
if (engine !== 'sqlite' && engine !== 'pglite')
  throw new Error('usage: sqlite-probe.ts <sqlite|pglite> [objects]');

const status = (key: string) =>
  Number(
    new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(readFileSync('/proc/self/status', 'utf8'))![1],
  ) / 1024;
const round = (n: number) => Math.round(n * 10) / 10;
const idle = () => new Promise((r) => setTimeout(r, 3000));

interface Row {
  type: string;
  id: string;
  code: string | null;
  name: string | null;
  scope: string;
  payload: string;
  hash: string;
  seq: number;
}

await idle();
const nodeRestMb = status('VmRSS');
const dir = await mkdtemp(path.join(os.tmpdir(), `metasync-${engine}-probe-`));

// The columns and indexes of migration 0002's metadata_object (timestamps as text in SQLite).
const SQLITE_SCHEMA = `
create table metadata_object (
  type text not null, id text not null, code text, scope text not null default '', name text,
  unique_name text, payload text not null, content_hash text not null, created text not null,
  last_updated text not null, seq integer not null, primary key (type, id));
create index metadata_object_id on metadata_object (id);
create index metadata_object_type on metadata_object (type, name, id);
create index metadata_object_seq on metadata_object (seq);
create unique index metadata_object_code on metadata_object (type, scope, code) where code is not null;
create unique index metadata_object_unique_name on metadata_object (type, unique_name)
  where unique_name is not null;`;
const PG_SCHEMA = SQLITE_SCHEMA.replace('payload text', 'payload json')
  .replace('created text', 'created timestamptz')
  .replace('last_updated text', 'last_updated timestamptz')
  .replace('seq integer', 'seq bigint');

interface SqliteStatement {
  run(...values: unknown[]): unknown;
  get(): unknown;
}
interface SqliteDb {
  pragma(text: string): unknown;
  exec(text: string): void;
  prepare(text: string): SqliteStatement;
  transaction<A>(fn: (arg: A) => void): { immediate(arg: A): void };
  close(): void;
}

interface Engine {
  /** The engine's best one-transaction path: SQLite one prepared statement per row, PGlite sets. */
  insertRows(rows: Row[]): Promise<void>;
  /** PGlite only: one statement per row, as SQLite does (for the per-row cost). */
  insertRowByRow?(rows: Row[]): Promise<void>;
  count(): Promise<number>;
  close(): Promise<void>;
}

async function openEngine(): Promise<Engine> {
  if (engine === 'sqlite') {
    // better-sqlite3 ships no types and @types/better-sqlite3 is not installed: the little used
    // here is typed by hand.
    const { default: Database } = (await import('better-sqlite3' as string)) as {
      default: new (file: string) => SqliteDb;
    };
    const db = new Database(path.join(dir, 'metasync.sqlite'));
    // WAL: readers never wait for the one writer; NORMAL: durable at checkpoints, as PGlite's -F.
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.exec(SQLITE_SCHEMA);
    const insert = db.prepare(
      `insert into metadata_object (type, id, code, scope, name, payload, content_hash, created, last_updated, seq)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       on conflict (type, id) do update set payload = excluded.payload,
         content_hash = excluded.content_hash, last_updated = excluded.last_updated, seq = excluded.seq
       where content_hash <> excluded.content_hash`,
    );
    const now = new Date().toISOString();
    const all = db.transaction((rows: Row[]) => {
      for (const r of rows)
        insert.run(r.type, r.id, r.code, r.scope, r.name, r.payload, r.hash, now, now, r.seq);
    });
    return {
      insertRows: async (rows) => void all.immediate(rows),
      count: async () =>
        (db.prepare('select count(*) as n from metadata_object').get() as { n: number }).n,
      close: async () => void db.close(),
    };
  }
  const { openDatabase } = await import('../src/store/db.ts');
  const open = await openDatabase({ kind: 'pglite', dataDir: path.join(dir, 'data') });
  const { sql } = await import('kysely');
  for (const statement of PG_SCHEMA.split(';').filter((t) => t.trim()))
    await sql.raw(statement).execute(open.db);
  const upsert = `on conflict (type, id) do update set payload = excluded.payload,
    content_hash = excluded.content_hash, last_updated = excluded.last_updated, seq = excluded.seq
    where metadata_object.content_hash <> excluded.content_hash`;
  return {
    insertRows: (rows) =>
      open.db.transaction().execute(async (tx) => {
        for (let i = 0; i < rows.length; i += 1000)
          await sql`insert into metadata_object (type, id, code, scope, name, payload, content_hash, created, last_updated, seq)
            select type, id, code, scope, name, payload, hash, now(), now(), seq
            from json_to_recordset(${JSON.stringify(rows.slice(i, i + 1000))}::json)
              as r(type text, id text, code text, scope text, name text, payload json, hash text, seq bigint)
            ${sql.raw(upsert)}`.execute(tx);
      }),
    insertRowByRow: (rows) =>
      open.db.transaction().execute(async (tx) => {
        for (const r of rows)
          await sql`insert into metadata_object (type, id, code, scope, name, payload, content_hash, created, last_updated, seq)
            values (${r.type}, ${r.id}, ${r.code}, ${r.scope}, ${r.name}, ${r.payload}::json, ${r.hash}, now(), now(), ${r.seq})
            ${sql.raw(upsert)}`.execute(tx);
      }),
    count: async () => {
      const { rows } = await sql<{
        n: number;
      }>`select count(*)::int as n from metadata_object`.execute(open.db);
      return rows[0]!.n;
    },
    close: () => open.close(),
  };
}

const db = await openEngine();
await idle();
const openRestMb = status('VmRSS');

const rows: Row[] = [];
let seq = 0;
for (const [type, objects] of Object.entries(generateMetadata(Number(count))))
  for (const o of objects) {
    const payload = JSON.stringify(o);
    rows.push({
      type,
      id: String(o.id),
      code: typeof o.code === 'string' ? o.code : null,
      name: typeof o.name === 'string' ? o.name : null,
      // An option's code is unique within its option set (metasync's scope column).
      scope: type === 'options' ? (o.optionSet as { id: string }).id : '',
      payload,
      hash: createHash('md5').update(payload).digest('hex'),
      seq: ++seq,
    });
  }
const rowsMb = status('VmRSS');

let t0 = performance.now();
await db.insertRows(rows);
const insertSeconds = (performance.now() - t0) / 1000;
const afterInsertMb = status('VmRSS');
const inserted = await db.count();
// Unchanged rows again: the upsert's WHERE keeps every row as it is (0 writes, as metasync does).
t0 = performance.now();
await db.insertRows(rows);
const reinsertSeconds = (performance.now() - t0) / 1000;
// PGlite row by row, on the first ROW_BY_ROW rows with a new hash (every row an update): the
// per-statement cost across the WASM boundary, which set-based writes (issue 18 §2) avoid.
const ROW_BY_ROW = Math.min(rows.length, 5000);
let rowByRowSecondsPer1k: number | undefined;
if (db.insertRowByRow) {
  const changed = rows.slice(0, ROW_BY_ROW).map((r) => ({ ...r, hash: `${r.hash}x` }));
  t0 = performance.now();
  await db.insertRowByRow(changed);
  rowByRowSecondsPer1k = (performance.now() - t0) / ROW_BY_ROW;
}
await db.close();
await rm(dir, { recursive: true, force: true });

console.log(
  JSON.stringify({
    engine,
    objects: rows.length,
    inserted,
    nodeRestMb: round(nodeRestMb),
    openRestMb: round(openRestMb),
    rowsMb: round(rowsMb),
    insertSeconds: round(insertSeconds * 100) / 100,
    afterInsertMb: round(afterInsertMb),
    reinsertSeconds: round(reinsertSeconds * 100) / 100,
    ...(rowByRowSecondsPer1k === undefined
      ? {}
      : { rowByRowSecondsPer1k: round(rowByRowSecondsPer1k * 100) / 100 }),
    hwmMb: round(status('VmHWM')),
  }),
);
