/**
 * The bulk write path of a metadata import (issue 18 §2): each statement takes one array
 * parameter per column and expands it with `unnest`, so 5000 objects cost one statement with a
 * dozen parameters instead of ten statements with 6500 parameters each. Fewer parameters is what
 * matters on PGlite, where every bound value crosses into WASM on its own; on both backends it
 * spares the query builder, which otherwise compiles and escapes every cell.
 *
 * New objects are plain INSERTs and changed ones an UPDATE … FROM: the plan ran under the
 * change-counter lock (kysely-metadata-store.ts), so it knows which rows exist, and neither
 * statement pays for ON CONFLICT's speculative insertion.
 */
import { sql, type Transaction } from 'kysely';
import type { PlannedDelete, PlannedWrite } from '../domain/metadata/plan-import.ts';
import type { Database } from './schema.ts';
import { chunks } from './chunks.ts';

/** The rows of one statement: bounded, so a 100k-object import never holds 100k JSON texts. */
const ROWS = 5000;

/** Per-column arrays of a chunk of writes, in the order of the statements' `unnest`. */
function columns(part: readonly PlannedWrite[]) {
  const n = part.length;
  const c = {
    id: new Array<string>(n),
    type: new Array<string>(n),
    code: new Array<string | null>(n),
    scope: new Array<string>(n),
    name: new Array<string | null>(n),
    uniqueName: new Array<string | null>(n),
    // The payloads as one JSON array, not a text[]: an array literal would escape every quote
    // of every payload on the way in and unescape it on the way out (half of the client's CPU).
    payloads: '',
    hash: new Array<string>(n),
    created: new Array<string>(n),
    lastUpdated: new Array<string>(n),
    createdBy: new Array<string>(n),
  };
  for (let i = 0; i < n; i++) {
    const w = part[i]!;
    c.id[i] = w.id;
    c.type[i] = w.type.key;
    c.code[i] = w.code;
    c.scope[i] = w.scope;
    c.name[i] = w.name;
    c.uniqueName[i] = w.type.uniqueName ? w.name : null;
    c.payloads += `${i === 0 ? '[' : ','}${JSON.stringify(w.payload)}`;
    c.hash[i] = w.contentHash;
    c.created[i] = w.created;
    c.lastUpdated[i] = w.lastUpdated;
    c.createdBy[i] = w.createdBy;
  }
  c.payloads += ']';
  return c;
}

/**
 * Writes the planned objects and returns the last change number used: each write takes the next
 * number after `seq`, in plan order (creates and updates interleaved as planned).
 */
export async function writeObjects(
  trx: Transaction<Database>,
  writes: readonly PlannedWrite[],
  seq: number,
  actorId: string,
): Promise<number> {
  for (const part of chunks(writes, ROWS)) {
    const base = seq;
    seq += part.length;
    const c = columns(part);
    // `ordinality` numbers the rows from 1, so row i takes change number base + i.
    const rows = sql`rows from (unnest(${c.id}::text[], ${c.type}::text[], ${c.code}::text[],
        ${c.scope}::text[], ${c.name}::text[], ${c.uniqueName}::text[], ${c.hash}::text[],
        ${c.created}::text[], ${c.lastUpdated}::text[], ${c.createdBy}::text[],
        ${part.map((w) => w.op === 'create')}::boolean[]),
        json_array_elements(${c.payloads}::json))
      with ordinality as k(id, type, code, scope, name, unique_name, content_hash, created,
        last_updated, created_by, fresh, payload, n)`;
    if (part.some((w) => w.op === 'create'))
      await sql`insert into metadata_object (id, type, code, scope, name, unique_name, payload,
          content_hash, created, last_updated, created_by, last_updated_by, seq)
        select k.id, k.type, k.code, k.scope, k.name, k.unique_name, k.payload,
          k.content_hash, k.created::timestamptz, k.last_updated::timestamptz, k.created_by,
          ${actorId}::text, ${base}::bigint + k.n
        from ${rows} where k.fresh`.execute(trx);
    if (part.some((w) => w.op === 'update'))
      await sql`update metadata_object o set code = k.code, scope = k.scope, name = k.name,
          unique_name = k.unique_name, payload = k.payload, content_hash = k.content_hash,
          last_updated = k.last_updated::timestamptz, last_updated_by = ${actorId}::text,
          seq = ${base}::bigint + k.n
        from ${rows} where not k.fresh and o.type = k.type and o.id = k.id`.execute(trx);
  }
  return seq;
}

/** Replaces the references of every written object and drops those of deleted ones. */
export async function writeReferences(
  trx: Transaction<Database>,
  writes: readonly PlannedWrite[],
  deletes: readonly PlannedDelete[],
): Promise<void> {
  // A created object has no references yet: its id was free under the lock, and deleting an
  // object deletes its references.
  const touched: { type: string; id: string }[] = [];
  for (const w of writes) if (w.op === 'update') touched.push({ type: w.type.key, id: w.id });
  for (const d of deletes) touched.push({ type: d.type.key, id: d.id });
  for (const part of chunks(touched, 10_000))
    await sql`delete from metadata_ref r
      using unnest(${part.map((t) => t.type)}::text[], ${part.map((t) => t.id)}::text[]) as k(type, id)
      where r.source_type = k.type and r.source_id = k.id`.execute(trx);
  const sourceType: string[] = [];
  const sourceId: string[] = [];
  const target: string[] = [];
  const flush = async () => {
    if (target.length === 0) return;
    await sql`insert into metadata_ref (source_type, source_id, target_id)
      select * from unnest(${sourceType}::text[], ${sourceId}::text[], ${target}::text[])`.execute(
      trx,
    );
    sourceType.length = sourceId.length = target.length = 0;
  };
  // The plan's refs are distinct per object, and the old ones are gone: no conflict is possible.
  for (const w of writes) {
    for (const t of w.refs) {
      sourceType.push(w.type.key);
      sourceId.push(w.id);
      target.push(t);
    }
    if (target.length >= ROWS * 2) await flush();
  }
  await flush();
}

/** Deletes the planned objects and leaves a tombstone per object, numbered after `seq`. */
export async function deleteObjects(
  trx: Transaction<Database>,
  deletes: readonly PlannedDelete[],
  seq: number,
  meta: { actorId: string; now: Date },
): Promise<number> {
  for (const part of chunks(deletes, ROWS)) {
    const types = part.map((d) => d.type.key);
    const ids = part.map((d) => d.id);
    await sql`delete from metadata_object o using unnest(${types}::text[], ${ids}::text[]) as k(type, id)
      where o.type = k.type and o.id = k.id`.execute(trx);
    await sql`insert into metadata_tombstone (seq, type, id, code, deleted_at, deleted_by)
      select ${seq}::bigint + k.n, k.type, k.id, k.code, ${meta.now}::timestamptz, ${meta.actorId}::text
      from unnest(${types}::text[], ${ids}::text[], ${part.map((d) => d.code)}::text[])
        with ordinality as k(type, id, code, n)`.execute(trx);
    seq += part.length;
  }
  return seq;
}
