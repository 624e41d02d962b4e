/**
 * VersionStore over Kysely. `create` holds a session advisory lock (concurrent creates, also from
 * other processes, queue up), then hands the domain a draft inside one REPEATABLE READ
 * transaction: the committed change counter and the rows the draft reads come from the same MVCC
 * snapshot, so the version holds exactly the changes numbered (previous cut, this cut] — no
 * more, no fewer. What goes into the version is domain/versioning/create-version.ts's business.
 */
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { ByteRange, FleetEntry, SyncRunState, VersionStore } from '../domain/ports.ts';
import type { MetadataVersion, VersionType } from '../domain/versioning/version.ts';
import type { VersionState } from '../domain/rollout/rollout.ts';
import { createKyselyChangeReader } from './kysely-change-reader.ts';
import { createKyselySettingStore } from './kysely-setting-store.ts';
import type { Database, MetadataVersionTable } from './schema.ts';
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
  // Absent when RELEASED (the port's default), so versions made without rollout read as before.
  ...(r.rollout_state !== 'RELEASED' ? { state: r.rollout_state as VersionState } : {}),
});

/**
 * The stored gzip chunks of a version, in order, read one at a time; with `range`, only its
 * bytes. The chunk sizes come first from `octet_length(data)`, which PostgreSQL answers from the
 * TOAST header without reading the value, so a resumed download (issue 19 §1) skips the chunks
 * before its start unread, and the first chunk it needs is cut by `substring` in the database.
 */
async function readGz(
  db: Kysely<Database>,
  versionId: string,
  range?: ByteRange,
): Promise<AsyncIterable<Uint8Array> | null> {
  const { rows: sizes } = await sql<{ n: number; len: number }>`
    select n, octet_length(data) as len from snapshot_chunk
    where version_id = ${versionId} and kind = 'gz' order by n`.execute(db);
  if (sizes.length === 0) return null;
  const first = range?.start ?? 0;
  const last = range?.end ?? Number.MAX_SAFE_INTEGER;
  return (async function* () {
    let at = 0;
    for (const [i, chunk] of sizes.entries()) {
      if (Number(chunk.n) !== i)
        throw new Error(`Snapshot chunk ${i} of version ${versionId} is missing`);
      const begin = at;
      const len = Number(chunk.len);
      at += len;
      if (begin > last) return;
      const from = Math.max(first - begin, 0);
      const to = Math.min(last - begin, len - 1);
      if (from > to) continue;
      // Read as base64 text for the same reason it is written so (snapshot-writer.ts);
      // substring counts from 1.
      const { rows } = await sql<{ data: string }>`
        select encode(substring(data from ${from + 1} for ${to - from + 1}), 'base64') as data
        from snapshot_chunk where version_id = ${versionId} and kind = 'gz' and n = ${i}`.execute(
        db,
      );
      if (!rows[0]) throw new Error(`Snapshot chunk ${i} of version ${versionId} is missing`);
      yield Buffer.from(rows[0].data, 'base64');
    }
  })();
}

/** Bytes `range.start`..`range.end` of a stream (all of it without a range): inflated JSON is cut here. */
async function* slice(
  bytes: AsyncIterable<Uint8Array>,
  range?: ByteRange,
): AsyncIterable<Uint8Array> {
  if (!range) {
    yield* bytes;
    return;
  }
  let at = 0;
  for await (const piece of bytes) {
    const from = Math.max(range.start - at, 0);
    const to = Math.min(range.end - at + 1, piece.length);
    at += piece.length;
    if (from < to) yield piece.subarray(from, to);
    if (at > range.end) return;
  }
}

/** Runs `work` on one connection holding the create lock: creates and withdrawals queue up. */
async function underCreateLock<T>(
  db: Kysely<Database>,
  work: (conn: Kysely<Database>) => Promise<T>,
): Promise<T> {
  return db.connection().execute(async (conn) => {
    await sql`select pg_advisory_lock(${CREATE_LOCK})`.execute(conn);
    try {
      return await work(conn);
    } finally {
      await sql`select pg_advisory_unlock(${CREATE_LOCK})`.execute(conn);
    }
  });
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

    async setState(names, state, at) {
      if (names.length === 0) return;
      await db
        .updateTable('metadata_version')
        .set({ rollout_state: state, state_changed_at: at })
        .where('name', 'in', [...names])
        .execute();
    },

    async withdraw(from, note, after) {
      return underCreateLock(db, (conn) =>
        conn.transaction().execute(async (trx) => {
          const removed = (
            await trx
              .selectFrom('metadata_version')
              .selectAll()
              .where('number', '>=', from)
              .orderBy('number', 'desc')
              .execute()
          ).map(toVersion);
          const ids = removed.map((v) => v.id);
          if (ids.length > 0) {
            await trx.deleteFrom('snapshot_chunk').where('version_id', 'in', ids).execute();
            await trx.deleteFrom('rollout_outcome').where('version_id', 'in', ids).execute();
            await trx.deleteFrom('metadata_version').where('id', 'in', ids).execute();
            await trx
              .insertInto('withdrawn_version')
              .values(
                removed.map((v) => ({
                  id: v.id,
                  name: v.name,
                  hash_code: v.hashCode,
                  withdrawn_by: note.by,
                  withdrawn_at: note.at,
                  reason: note.reason,
                })),
              )
              .execute();
          }
          const left = await latestRow(trx);
          await after({
            removed,
            latest: left ? toVersion(left) : null,
            settings: createKyselySettingStore(trx),
          });
          return removed;
        }),
      );
    },

    async withdrawals() {
      const rows = await db
        .selectFrom('withdrawn_version')
        .selectAll()
        .orderBy('withdrawn_at', 'desc')
        .orderBy('name', 'desc')
        .execute();
      return rows.map((r) => ({
        id: r.id,
        name: r.name,
        hashCode: r.hash_code,
        by: r.withdrawn_by,
        at: r.withdrawn_at,
        reason: r.reason,
      }));
    },

    async create(build) {
      return underCreateLock(db, (conn) =>
        conn
          .transaction()
          .setIsolationLevel('repeatable read')
          .execute(async (trx) => {
            const { latest, from, to } = await pendingRange(trx);
            return build({
              latest: latest ? toVersion(latest) : null,
              changes: createKyselyChangeReader(trx, from, to),
              writeSnapshot: (versionId, bytes) => writeSnapshot(trx, versionId, bytes),
              insert: (v) => insertVersionRow(trx, v, { seqFrom: from, seqTo: to }),
              settings: createKyselySettingStore(trx),
            });
          }),
      );
    },

    async pending(read) {
      return db
        .transaction()
        .setIsolationLevel('repeatable read')
        .execute(async (trx) => {
          const { latest, from, to } = await pendingRange(trx);
          return read({
            latest: latest ? toVersion(latest) : null,
            changes: createKyselyChangeReader(trx, from, to),
          });
        });
    },

    async readSnapshot(versionId, kind, range) {
      const gz = await readGz(db, versionId, kind === 'gz' ? range : undefined);
      if (!gz || kind === 'gz') return gz;
      // The JSON is the stored gzip inflated: the exact bytes that were hashed. A range of it is
      // inflated from the start and cut (ranges address the JSON's bytes, not the gzip's).
      return slice(Readable.from(gz).pipe(createGunzip()), range);
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
        state: e.state,
      };
      await db
        .insertInto('fleet_local')
        .values({ key: e.key, ...seen, via: null, relay: null, reported_at: null })
        .onConflict((oc) => oc.column('key').doUpdateSet(seen))
        .execute();
    },
    async replaceReported(via: string, entries: readonly FleetEntry[]) {
      const at = new Date();
      await db.transaction().execute(async (trx) => {
        await trx.deleteFrom('fleet_local').where('via', '=', via).execute();
        // Keys are unique (the domain's `reportedEntries`) and bounded (10,000) by the route.
        for (let i = 0; i < entries.length; i += 500)
          await trx
            .insertInto('fleet_local')
            .values(
              entries.slice(i, i + 500).map((e) => ({
                key: e.key,
                system_id: e.systemId,
                name: e.name,
                username: e.username,
                address: e.address,
                baseline: e.baseline,
                last_seen: e.lastSeen,
                state: e.state,
                via,
                relay: e.relay,
                reported_at: at,
              })),
            )
            .execute();
      });
    },
    async fleet() {
      const rows = await db
        .selectFrom('fleet_local')
        .selectAll()
        .orderBy('last_seen', 'desc')
        .orderBy('key')
        .execute();
      return rows.map((r) => ({
        key: r.key,
        systemId: r.system_id,
        name: r.name,
        username: r.username,
        address: r.address,
        baseline: r.baseline,
        lastSeen: r.last_seen,
        state: runState(r.state),
        via: r.via,
        relay: r.relay,
      }));
    },
  };
}

const RUN_STATES: readonly string[] = ['SUCCESS', 'FAILED', 'DIVERGED'] satisfies SyncRunState[];
const runState = (s: string | null): SyncRunState | null =>
  s !== null && RUN_STATES.includes(s) ? (s as SyncRunState) : null;
