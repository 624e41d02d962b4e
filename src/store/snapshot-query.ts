/**
 * The queries behind a version's snapshot (issue 5 §3): the objects whose change number is in
 * (previous cut, this cut], the deletions that still hold at the cut, and their counts for the
 * preview and the "nothing changed" check, all limited by the snapshot's scope (issue 16 §7).
 * Run inside the version store's repeatable-read transaction.
 */
import { sql, type Kysely, type RawBuilder, type Transaction } from 'kysely';
import type { SnapshotSystem } from '../domain/ports.ts';
import { METADATA_TYPES } from '../domain/metadata/types.ts';
import type { ObjectKey, SnapshotScope } from '../domain/versioning/snapshot-scope.ts';
import type { Database } from './schema.ts';

/** The top-level key carrying deletions when keyVersionIncludeDeletions is on (docs/protocol.md). */
export const DELETIONS_KEY = 'deletedObjects';

const PAGE = 5000;

/** `(type, id)` of the row `alias` is none of `excluded` (the scope's left-out objects). */
const notExcluded = (alias: string, excluded: readonly ObjectKey[]): RawBuilder<boolean> =>
  excluded.length === 0
    ? sql<boolean>`true`
    : sql<boolean>`(${sql.ref(`${alias}.type`)}, ${sql.ref(`${alias}.id`)}) not in (${sql.join(
        excluded.map((k) => sql`(${k.type}::text, ${k.id}::text)`),
      )})`;

/**
 * Deletions in (from, to] that still hold at `to`: an object deleted and then created again with
 * the same uid inside the range is in the snapshot as an object, not as a deletion.
 */
export const liveTombstones = (
  q: Kysely<Database> | Transaction<Database>,
  from: number,
  to: number,
  excluded: readonly ObjectKey[],
) =>
  q
    .selectFrom('metadata_tombstone as t')
    .where('t.seq', '>', from)
    .where('t.seq', '<=', to)
    .where(notExcluded('t', excluded))
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('metadata_object as o')
            .select('o.id')
            .whereRef('o.type', '=', 't.type')
            .whereRef('o.id', '=', 't.id')
            .whereRef('o.seq', '>', 't.seq')
            .where('o.seq', '<=', to),
        ),
      ),
    );

export async function* snapshotParts(
  trx: Transaction<Database>,
  from: number,
  to: number,
  system: SnapshotSystem & { date: string },
  scope: SnapshotScope,
  counts: Record<string, number>,
): AsyncGenerator<string> {
  yield `{"system":${JSON.stringify(system)}`;
  for (const type of METADATA_TYPES) {
    let last = '';
    let first = true;
    for (;;) {
      const { rows } = await sql<{
        id: string;
        payload: string;
      }>`select o.id, o.payload::text as payload from metadata_object o
        where o.type = ${type.key} and o.id > ${last} and o.seq > ${from} and o.seq <= ${to}
          and ${notExcluded('o', scope.excluded)}
        order by o.id limit ${PAGE}`.execute(trx);
      if (rows.length === 0) break;
      const body = rows.map((r) => r.payload).join(',');
      yield first ? `,${JSON.stringify(type.key)}:[${body}` : `,${body}`;
      first = false;
      counts[type.key] = (counts[type.key] ?? 0) + rows.length;
      last = rows[rows.length - 1]!.id;
    }
    if (!first) yield ']';
  }
  if (scope.includeDeletions) {
    const tombstones = await liveTombstones(trx, from, to, scope.excluded)
      .select(['t.type', 't.id', 't.code', 't.deleted_at', 't.deleted_by'])
      .orderBy('t.seq')
      .execute();
    // DHIS2's DeletedObject shape ({klass, uid, code, deletedAt}) plus the plural type key.
    const klass = new Map(METADATA_TYPES.map((t) => [t.key, t.klass]));
    if (tombstones.length > 0)
      yield `,"${DELETIONS_KEY}":${JSON.stringify(
        tombstones.map((t) => ({
          type: t.type,
          klass: klass.get(t.type) ?? t.type,
          uid: t.id,
          code: t.code,
          deletedAt: t.deleted_at.toISOString(),
          deletedBy: t.deleted_by,
        })),
      )}`;
  }
  yield '}';
}

export async function changeCounts(
  db: Kysely<Database> | Transaction<Database>,
  from: number,
  to: number,
  excluded: readonly ObjectKey[],
) {
  const byType = await db
    .selectFrom('metadata_object as o')
    .select([
      'type',
      (eb) => eb.fn.countAll<number>().as('n'),
      sql<number>`coalesce(sum(octet_length(payload::text)), 0)`.as('bytes'),
    ])
    .where('seq', '>', from)
    .where('seq', '<=', to)
    .where(notExcluded('o', excluded))
    .groupBy('type')
    .execute();
  const { n: deletions } = await liveTombstones(db, from, to, excluded)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  const types: Record<string, number> = {};
  for (const r of byType) types[r.type] = Number(r.n);
  return {
    types,
    objects: byType.reduce((s, r) => s + Number(r.n), 0),
    bytes: byType.reduce((s, r) => s + Number(r.bytes), 0),
    deletions: Number(deletions),
  };
}

/** Whether (from, to] holds an object change or a deletion that is not left out. */
export async function changedInScope(
  trx: Transaction<Database>,
  from: number,
  to: number,
  excluded: readonly ObjectKey[],
): Promise<boolean> {
  if (excluded.length === 0) return true;
  const object = await trx
    .selectFrom('metadata_object as o')
    .select('o.id')
    .where('o.seq', '>', from)
    .where('o.seq', '<=', to)
    .where(notExcluded('o', excluded))
    .limit(1)
    .executeTakeFirst();
  if (object) return true;
  const tombstone = await trx
    .selectFrom('metadata_tombstone as t')
    .select('t.id')
    .where('t.seq', '>', from)
    .where('t.seq', '<=', to)
    .where(notExcluded('t', excluded))
    .limit(1)
    .executeTakeFirst();
  return tombstone !== undefined;
}
