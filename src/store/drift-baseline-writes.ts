/**
 * The drift baseline's writes inside a version's import transaction (issue 23 §2): one upsert
 * of unnested arrays per 5,000 objects, as the objects themselves are written.
 */
import { sql, type Transaction } from 'kysely';
import type { BaselineRow } from '../domain/metadata/plan-import-types.ts';
import type { ObjectKey } from '../domain/versioning/snapshot-scope.ts';
import { chunks } from './chunks.ts';
import type { Database } from './schema.ts';

const ROWS = 5000;

export async function setBaseline(
  trx: Transaction<Database>,
  version: string,
  rows: readonly BaselineRow[],
): Promise<void> {
  for (const part of chunks(rows, ROWS))
    await sql`insert into drift_baseline (type, id, hash, version)
        select k.type, k.id, k.hash, ${version}::text
        from unnest(${part.map((r) => r.type)}::text[], ${part.map((r) => r.id)}::text[],
          ${part.map((r) => r.hash)}::text[]) as k(type, id, hash)
        on conflict (type, id) do update set hash = excluded.hash, version = excluded.version`.execute(
      trx,
    );
}

export async function dropBaseline(
  trx: Transaction<Database>,
  keys: readonly ObjectKey[],
): Promise<void> {
  for (const part of chunks(keys, ROWS))
    await sql`delete from drift_baseline b
        using unnest(${part.map((k) => k.type)}::text[], ${part.map((k) => k.id)}::text[])
          as k(type, id)
        where b.type = k.type and b.id = k.id`.execute(trx);
}
