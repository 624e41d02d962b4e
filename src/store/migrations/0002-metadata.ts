/**
 * Metadata objects, their references, deletion tombstones and the change counter (issue 4).
 * Never edit: append.
 *
 * The change counter is one row. A metadata write transaction locks it first (`for update`) and
 * numbers its changes from it, so numbers are handed out in commit order: a version cut at the
 * committed counter value can never miss a transaction that commits later (issue 4 §4).
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('metadata_object')
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('code', 'text')
    .addColumn('scope', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('name', 'text')
    .addColumn('unique_name', 'text')
    // json (not jsonb): the text is kept as written, and snapshots stream it without re-encoding.
    .addColumn('payload', 'json', (c) => c.notNull())
    .addColumn('content_hash', 'text', (c) => c.notNull())
    .addColumn('created', 'timestamptz', (c) => c.notNull())
    .addColumn('last_updated', 'timestamptz', (c) => c.notNull())
    .addColumn('created_by', 'text')
    .addColumn('last_updated_by', 'text')
    .addColumn('seq', 'bigint', (c) => c.notNull())
    // Ids are unique per type, not globally: DHIS2's platform-perf data reuses ids across types.
    .addPrimaryKeyConstraint('metadata_object_pk', ['type', 'id'])
    .execute();
  await db.schema.createIndex('metadata_object_id').on('metadata_object').column('id').execute();
  await db.schema
    .createIndex('metadata_object_type')
    .on('metadata_object')
    .columns(['type', 'name', 'id'])
    .execute();
  await db.schema.createIndex('metadata_object_seq').on('metadata_object').column('seq').execute();
  await db.schema
    .createIndex('metadata_object_code')
    .unique()
    .on('metadata_object')
    .columns(['type', 'scope', 'code'])
    .where(sql.ref('code'), 'is not', null)
    .execute();
  await db.schema
    .createIndex('metadata_object_unique_name')
    .unique()
    .on('metadata_object')
    .columns(['type', 'unique_name'])
    .where(sql.ref('unique_name'), 'is not', null)
    .execute();

  await db.schema
    .createTable('metadata_ref')
    .addColumn('source_type', 'text', (c) => c.notNull())
    .addColumn('source_id', 'text', (c) => c.notNull())
    .addColumn('target_id', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('metadata_ref_pk', ['source_type', 'source_id', 'target_id'])
    .execute();
  await db.schema
    .createIndex('metadata_ref_target')
    .on('metadata_ref')
    .column('target_id')
    .execute();

  await db.schema
    .createTable('metadata_tombstone')
    .addColumn('seq', 'bigint', (c) => c.primaryKey())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('code', 'text')
    .addColumn('deleted_at', 'timestamptz', (c) => c.notNull())
    .addColumn('deleted_by', 'text')
    .execute();

  await db.schema
    .createTable('change_counter')
    .addColumn('id', 'integer', (c) => c.primaryKey().check(sql`id = 1`))
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .execute();
  await sql`insert into change_counter (id, seq) values (1, 0)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['change_counter', 'metadata_tombstone', 'metadata_ref', 'metadata_object'])
    await db.schema.dropTable(t).execute();
}
