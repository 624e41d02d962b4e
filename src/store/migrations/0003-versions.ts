/**
 * Metadata versions, their snapshots (as 1 MiB chunks, so hundreds of MB stream in and out
 * without one big buffer), and the fleet of locals seen by a central (issue 5). Never edit: append.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('metadata_version')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('number', 'integer', (c) => c.notNull().unique())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('hash_code', 'text', (c) => c.notNull().unique())
    .addColumn('parent_hash_code', 'text')
    .addColumn('created', 'timestamptz', (c) => c.notNull())
    .addColumn('import_date', 'timestamptz')
    // The change-sequence range (seq_from, seq_to] this version covers; null on a local.
    .addColumn('seq_from', 'bigint')
    .addColumn('seq_to', 'bigint')
    .addColumn('bytes', 'bigint', (c) => c.notNull())
    .addColumn('gzip_bytes', 'bigint', (c) => c.notNull())
    .addColumn('objects', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('deletions', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('types', 'json', (c) => c.notNull().defaultTo(sql`'{}'`))
    .execute();
  await db.schema
    .createIndex('metadata_version_created')
    .on('metadata_version')
    .column('created')
    .execute();

  await db.schema
    .createTable('snapshot_chunk')
    // No foreign key: chunks are written before their version row, in the same transaction.
    .addColumn('version_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull()) // 'gz' (the JSON is the gzip inflated)
    .addColumn('n', 'integer', (c) => c.notNull())
    .addColumn('data', 'bytea', (c) => c.notNull())
    .addPrimaryKeyConstraint('snapshot_chunk_pk', ['version_id', 'kind', 'n'])
    .execute();
  // Gzip does not compress further: spare TOAST the attempt.
  await sql`alter table snapshot_chunk alter column data set storage external`.execute(db);

  await db.schema
    .createTable('fleet_local')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('system_id', 'text')
    .addColumn('name', 'text')
    .addColumn('username', 'text', (c) => c.notNull())
    .addColumn('address', 'text', (c) => c.notNull())
    .addColumn('baseline', 'text')
    .addColumn('last_seen', 'timestamptz', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['fleet_local', 'snapshot_chunk', 'metadata_version'])
    await db.schema.dropTable(t).execute();
}
