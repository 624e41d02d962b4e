/**
 * VersionStore over Kysely. `create` holds a session advisory lock (concurrent creates, also from
 * other processes, queue up), then builds the snapshot inside one REPEATABLE READ transaction:
 * the committed change counter and the rows it reads come from the same MVCC snapshot, so the
 * version holds exactly the changes numbered (previous cut, this cut] — no more, no fewer.
 */
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { CreateVersionResult, FleetEntry, VersionStore } from '../domain/ports.ts';
import {
  dhis2DateWithOffset,
  versionName,
  type MetadataVersion,
  type VersionType,
} from '../domain/versioning/version.ts';
import type { Database, MetadataVersionTable } from './schema.ts';
import { changeCounts, changedInScope, liveTombstones, snapshotParts } from './snapshot-query.ts';
import { writeSnapshot } from './snapshot-writer.ts';
import { insertVersionRow } from './version-rows.ts';

/** Key of the advisory lock that serialises version creation (any constant; "metasync" in ASCII). */
const CREATE_LOCK = 0x6d657461;

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
              // Unchanged means nothing the snapshot would hold changed: a change to an object
              // the scope leaves out (the bootstrap admin) alone makes no version (issue 16 §7).
              if (
                latest &&
                !input.force &&
                (to === from || !(await changedInScope(trx, from, to, input.scope.excluded)))
              )
                return { ok: false, reason: 'unchanged', latest: toVersion(latest) };
              const number = (latest?.number ?? 0) + 1;
              const id = input.newId();
              const now = input.now();
              const types: Record<string, number> = {};
              const system = { ...input.system, date: dhis2DateWithOffset(now) };
              const written = await writeSnapshot(
                trx,
                id,
                snapshotParts(trx, from, to, system, input.scope, types),
              );
              const { n: deletions } = await liveTombstones(trx, from, to, input.scope.excluded)
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

    async preview(scope) {
      return db
        .transaction()
        .setIsolationLevel('repeatable read')
        .execute(async (trx) => {
          const { latest, from, to } = await pendingRange(trx);
          const counts = await changeCounts(trx, from, to, scope.excluded);
          return {
            name: versionName((latest?.number ?? 0) + 1),
            ...counts,
            deletions: counts.deletions,
            bytes: counts.bytes + (scope.includeDeletions ? counts.deletions * 120 : 0),
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
