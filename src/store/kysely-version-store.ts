/**
 * VersionStore over Kysely. `create` holds a session advisory lock (concurrent creates, also from
 * other processes, queue up), then builds the snapshot inside one REPEATABLE READ transaction:
 * the committed change counter and the rows it reads come from the same MVCC snapshot, so the
 * version holds exactly the changes numbered (previous cut, this cut] — no more, no fewer.
 */
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import type {
  CreateVersionResult,
  FleetEntry,
  SnapshotSystem,
  VersionStore,
} from '../domain/ports.ts';
import { METADATA_TYPES } from '../domain/metadata/types.ts';
import {
  dhis2DateWithOffset,
  versionName,
  type MetadataVersion,
  type VersionType,
} from '../domain/versioning/version.ts';
import type { Database, MetadataVersionTable } from './schema.ts';
import { writeSnapshot } from './snapshot-writer.ts';
import { insertVersionRow } from './version-rows.ts';

/** Key of the advisory lock that serialises version creation (any constant; "metasync" in ASCII). */
const CREATE_LOCK = 0x6d657461;

/** The top-level key carrying deletions when keyVersionIncludeDeletions is on (docs/protocol.md). */
export const DELETIONS_KEY = 'deletedObjects';

const PAGE = 5000;

const toVersion = (r: Selectable<MetadataVersionTable>): MetadataVersion => ({
  id: r.id,
  name: r.name,
  number: r.number,
  type: r.type as VersionType,
  hashCode: r.hash_code,
  parentHashCode: r.parent_hash_code,
  created: r.created,
  importDate: r.import_date,
  bytes: Number(r.bytes),
  gzipBytes: Number(r.gzip_bytes),
  objects: r.objects,
  deletions: r.deletions,
  types: r.types,
});

/**
 * Deletions in (from, to] that still hold at `to`: an object deleted and then created again with
 * the same uid inside the range is in the snapshot as an object, not as a deletion.
 */
const liveTombstones = (q: Kysely<Database> | Transaction<Database>, from: number, to: number) =>
  q
    .selectFrom('metadata_tombstone as t')
    .where('t.seq', '>', from)
    .where('t.seq', '<=', to)
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

async function* snapshotParts(
  trx: Transaction<Database>,
  from: number,
  to: number,
  system: SnapshotSystem & { date: string },
  includeDeletions: boolean,
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
      }>`select id, payload::text as payload from metadata_object
        where type = ${type.key} and id > ${last} and seq > ${from} and seq <= ${to} order by id limit ${PAGE}`.execute(
        trx,
      );
      if (rows.length === 0) break;
      const body = rows.map((r) => r.payload).join(',');
      yield first ? `,${JSON.stringify(type.key)}:[${body}` : `,${body}`;
      first = false;
      counts[type.key] = (counts[type.key] ?? 0) + rows.length;
      last = rows[rows.length - 1]!.id;
    }
    if (!first) yield ']';
  }
  if (includeDeletions) {
    const tombstones = await liveTombstones(trx, from, to)
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

async function changeCounts(
  db: Kysely<Database> | Transaction<Database>,
  from: number,
  to: number,
) {
  const byType = await db
    .selectFrom('metadata_object')
    .select([
      'type',
      (eb) => eb.fn.countAll<number>().as('n'),
      sql<number>`coalesce(sum(octet_length(payload::text)), 0)`.as('bytes'),
    ])
    .where('seq', '>', from)
    .where('seq', '<=', to)
    .groupBy('type')
    .execute();
  const { n: deletions } = await liveTombstones(db, from, to)
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

/** The stored gzip chunks of a version, in order, read one at a time. */
async function readGz(
  db: Kysely<Database>,
  versionId: string,
): Promise<AsyncIterable<Uint8Array> | null> {
  const { n } = await db
    .selectFrom('snapshot_chunk')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('version_id', '=', versionId)
    .where('kind', '=', 'gz')
    .executeTakeFirstOrThrow();
  const count = Number(n);
  if (count === 0) return null;
  return (async function* () {
    for (let i = 0; i < count; i++) {
      // Read as base64 text for the same reason it is written so (snapshot-writer.ts).
      const { rows } = await sql<{
        data: string;
      }>`select encode(data, 'base64') as data from snapshot_chunk
        where version_id = ${versionId} and kind = 'gz' and n = ${i}`.execute(db);
      if (!rows[0]) throw new Error(`Snapshot chunk ${i} of version ${versionId} is missing`);
      yield Buffer.from(rows[0].data, 'base64');
    }
  })();
}

export function createKyselyVersionStore(db: Kysely<Database>): VersionStore {
  const latestRow = (q: Kysely<Database> | Transaction<Database>) =>
    q
      .selectFrom('metadata_version')
      .selectAll()
      .orderBy('number', 'desc')
      .limit(1)
      .executeTakeFirst();

  /**
   * The next version's change range, (previous cut, committed counter], read in the caller's
   * repeatable-read transaction so the range and the rows come from one snapshot.
   */
  const pendingRange = async (trx: Transaction<Database>) => {
    const latest = await latestRow(trx);
    const { seq } = await trx
      .selectFrom('change_counter')
      .select('seq')
      .where('id', '=', 1)
      .executeTakeFirstOrThrow();
    return { latest, from: latest ? Number(latest.seq_to ?? 0) : 0, to: Number(seq) };
  };

  return {
    async list() {
      return (
        await db
          .selectFrom('metadata_version')
          .selectAll()
          .orderBy('created')
          .orderBy('number')
          .execute()
      ).map(toVersion);
    },
    async byName(name) {
      const row = await db
        .selectFrom('metadata_version')
        .selectAll()
        .where('name', '=', name)
        .executeTakeFirst();
      return row ? toVersion(row) : null;
    },
    async latest() {
      const row = await latestRow(db);
      return row ? toVersion(row) : null;
    },

    async create(input): Promise<CreateVersionResult> {
      return db.connection().execute(async (conn) => {
        await sql`select pg_advisory_lock(${CREATE_LOCK})`.execute(conn);
        try {
          return await conn
            .transaction()
            .setIsolationLevel('repeatable read')
            .execute(async (trx): Promise<CreateVersionResult> => {
              const { latest, from, to } = await pendingRange(trx);
              if (latest && to === from && !input.force)
                return { ok: false, reason: 'unchanged', latest: toVersion(latest) };
              const number = (latest?.number ?? 0) + 1;
              const id = input.newId();
              const now = input.now();
              const types: Record<string, number> = {};
              const system = { ...input.system, date: dhis2DateWithOffset(now) };
              const written = await writeSnapshot(
                trx,
                id,
                snapshotParts(trx, from, to, system, input.includeDeletions, types),
              );
              const { n: deletions } = await liveTombstones(trx, from, to)
                .select((eb) => eb.fn.countAll<number>().as('n'))
                .executeTakeFirstOrThrow();
              // DHIS2 stamps `created` after the export (contract §4 step 7).
              const created = input.now();
              const row = {
                id,
                name: versionName(number),
                number,
                type: input.type,
                hash_code: written.hashCode,
                parent_hash_code: latest?.hash_code ?? null,
                created,
                import_date: null,
                seq_from: from,
                seq_to: to,
                bytes: written.bytes,
                gzip_bytes: written.gzipBytes,
                objects: Object.values(types).reduce((a, b) => a + b, 0),
                deletions: Number(deletions),
                types: JSON.stringify(types),
              };
              await trx.insertInto('metadata_version').values(row).execute();
              await trx
                .insertInto('system_setting')
                .values({
                  key: 'keySystemMetadataVersion',
                  value: JSON.stringify(row.name),
                  last_updated: created,
                })
                .onConflict((oc) =>
                  oc
                    .column('key')
                    .doUpdateSet({ value: JSON.stringify(row.name), last_updated: created }),
                )
                .execute();
              return { ok: true, version: toVersion({ ...row, types }) };
            });
        } finally {
          await sql`select pg_advisory_unlock(${CREATE_LOCK})`.execute(conn);
        }
      });
    },

    async preview(includeDeletions) {
      return db
        .transaction()
        .setIsolationLevel('repeatable read')
        .execute(async (trx) => {
          const { latest, from, to } = await pendingRange(trx);
          const counts = await changeCounts(trx, from, to);
          return {
            name: versionName((latest?.number ?? 0) + 1),
            ...counts,
            deletions: counts.deletions,
            bytes: counts.bytes + (includeDeletions ? counts.deletions * 120 : 0),
          };
        });
    },

    async readSnapshot(versionId, kind) {
      const gz = await readGz(db, versionId);
      if (!gz || kind === 'gz') return gz;
      // The JSON is the stored gzip inflated: the exact bytes that were hashed.
      return Readable.from(gz).pipe(createGunzip());
    },

    async rebaseline(v) {
      return db.transaction().execute(async (trx) => {
        const removed = await trx
          .selectFrom('metadata_version')
          .select(['id', 'name'])
          .where('number', '>=', v.number)
          .execute();
        const ids = removed.map((r) => r.id);
        if (ids.length > 0) {
          await trx.deleteFrom('snapshot_chunk').where('version_id', 'in', ids).execute();
          await trx.deleteFrom('metadata_version').where('id', 'in', ids).execute();
        }
        await insertVersionRow(trx, v);
        return removed.map((r) => r.name);
      });
    },

    async recordFleet(e: FleetEntry) {
      const seen = {
        system_id: e.systemId,
        name: e.name,
        username: e.username,
        address: e.address,
        baseline: e.baseline,
        last_seen: e.lastSeen,
      };
      await db
        .insertInto('fleet_local')
        .values({ key: e.key, ...seen })
        .onConflict((oc) => oc.column('key').doUpdateSet(seen))
        .execute();
    },
    async fleet() {
      const rows = await db
        .selectFrom('fleet_local')
        .selectAll()
        .orderBy('last_seen', 'desc')
        .execute();
      return rows.map((r) => ({
        key: r.key,
        systemId: r.system_id,
        name: r.name,
        username: r.username,
        address: r.address,
        baseline: r.baseline,
        lastSeen: r.last_seen,
      }));
    },
  };
}
