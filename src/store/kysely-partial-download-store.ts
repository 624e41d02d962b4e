/**
 * PartialDownloadStore over Kysely (issue 19 §2): one `partial_download` row per version and its
 * bytes as `partial_download_chunk` rows, one per append. An append checks and moves the kept
 * length in one transaction that locks the row, so two processes never interleave their bytes.
 */
import { sql, type Kysely } from 'kysely';
import type { PartialDownloadStore } from '../domain/ports.ts';
import { versionNumber } from '../domain/versioning/version.ts';
import type { Database } from './schema.ts';

export function createKyselyPartialDownloadStore(db: Kysely<Database>): PartialDownloadStore {
  return {
    async find(version) {
      const row = await db
        .selectFrom('partial_download')
        .select(['version', 'version_id', 'etag', 'bytes'])
        .where('version', '=', version)
        .executeTakeFirst();
      return row
        ? { version, versionId: row.version_id, etag: row.etag, bytes: Number(row.bytes) }
        : null;
    },

    async *read(version) {
      const row = await db
        .selectFrom('partial_download')
        .select('chunks')
        .where('version', '=', version)
        .executeTakeFirst();
      for (let n = 0; n < (row?.chunks ?? 0); n++) {
        // Read as base64 text, as the snapshot chunks are (snapshot-writer.ts: PGlite's bytea).
        const { rows } = await sql<{ data: string }>`select encode(data, 'base64') as data
          from partial_download_chunk where version = ${version} and n = ${n}`.execute(db);
        if (!rows[0])
          throw new Error(`Chunk ${n} of the partial download of ${version} is missing`);
        yield Buffer.from(rows[0].data, 'base64');
      }
    },

    async begin({ version, versionId, etag }) {
      await db.transaction().execute(async (trx) => {
        await trx.deleteFrom('partial_download').where('version', '=', version).execute();
        await trx
          .insertInto('partial_download')
          .values({
            version,
            number: versionNumber(version) ?? 0,
            version_id: versionId,
            etag,
            updated: new Date(),
          })
          .execute();
      });
    },

    async append(version, offset, bytes) {
      return db.transaction().execute(async (trx) => {
        const row = await trx
          .selectFrom('partial_download')
          .select(['bytes', 'chunks'])
          .where('version', '=', version)
          .forUpdate()
          .executeTakeFirst();
        if (!row || Number(row.bytes) !== offset) return false;
        if (bytes.length === 0) return true;
        const data = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('base64');
        await sql`insert into partial_download_chunk (version, n, data)
          values (${version}, ${row.chunks}, decode(${data}, 'base64'))`.execute(trx);
        await trx
          .updateTable('partial_download')
          .set({ bytes: offset + bytes.length, chunks: row.chunks + 1, updated: new Date() })
          .where('version', '=', version)
          .execute();
        return true;
      });
    },

    async discard(version) {
      await db.deleteFrom('partial_download').where('version', '=', version).execute();
    },

    async pruneImported() {
      const rows = await db
        .deleteFrom('partial_download')
        .where(({ eb, selectFrom }) =>
          eb(
            'number',
            '<=',
            selectFrom('metadata_version').select((e) =>
              e.fn.coalesce(e.fn.max('number'), sql<number>`-1`).as('n'),
            ),
          ),
        )
        .returning('version')
        .execute();
      return rows.map((r) => r.version);
    },
  };
}
