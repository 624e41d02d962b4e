/**
 * The hardware floor for storing metadata rows: PostgreSQL `COPY` of the same (type, id, code,
 * name, payload) rows into a bare table, on the same backend (performance.md: ratios, not
 * absolute numbers, are what a benchmark should report).
 */
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import type { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

const esc = (s: string | null) =>
  s === null
    ? '\\N'
    : s.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');

export function copyRows(body: Record<string, Record<string, unknown>[]>): string[] {
  const lines: string[] = [];
  for (const [type, objects] of Object.entries(body))
    for (const o of objects)
      lines.push(
        [
          type,
          String(o.id),
          typeof o.code === 'string' ? o.code : null,
          typeof o.name === 'string' ? o.name : null,
          JSON.stringify(o),
        ]
          .map(esc)
          .join('\t') + '\n',
      );
  return lines;
}

const TABLE =
  'create table if not exists copy_floor (type text, id text, code text, name text, payload json)';

export async function copyFloorPostgres(url: string, lines: string[]): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(TABLE);
    await client.query('truncate copy_floor');
    const t0 = performance.now();
    await pipeline(Readable.from(lines), client.query(copyFrom('COPY copy_floor FROM STDIN')));
    return (performance.now() - t0) / 1000;
  } finally {
    await client.end();
  }
}

export async function copyFloorPGlite(db: PGlite, lines: string[]): Promise<number> {
  await db.query(TABLE);
  await db.query('truncate copy_floor');
  const t0 = performance.now();
  await db.query("COPY copy_floor FROM '/dev/blob'", [], { blob: new Blob(lines) });
  return (performance.now() - t0) / 1000;
}
