/**
 * The bytes of snapshot downloads that broke off (issue 19 §2), so that a local resumes them
 * (`Range` + `If-Range`) in the next attempt, the next run or after a restart. One partial per
 * version; its bytes in appended chunks (a few hundred kB each: one per flushed batch).
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('partial_download')
    .addColumn('version', 'text', (c) => c.primaryKey())
    // Version_<n>'s n: the start-up prune drops partials at or below the newest local version.
    .addColumn('number', 'integer', (c) => c.notNull())
    .addColumn('version_id', 'text', (c) => c.notNull())
    .addColumn('etag', 'text', (c) => c.notNull())
    .addColumn('bytes', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('chunks', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('updated', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('partial_download_chunk')
    .addColumn('version', 'text', (c) =>
      c.notNull().references('partial_download.version').onDelete('cascade'),
    )
    .addColumn('n', 'integer', (c) => c.notNull())
    .addColumn('data', 'bytea', (c) => c.notNull())
    .addPrimaryKeyConstraint('partial_download_chunk_pk', ['version', 'n'])
    .execute();
  // Gzip does not compress further: spare TOAST the attempt (as snapshot_chunk).
  await sql`alter table partial_download_chunk alter column data set storage external`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['partial_download_chunk', 'partial_download'])
    await db.schema.dropTable(t).execute();
}
