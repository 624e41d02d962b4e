/** Sync run reports, the one-run-at-a-time lease, and the audit of recovery actions (issue 6). */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('sync_report')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('trigger', 'text', (c) => c.notNull())
    .addColumn('triggered_by', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('start_time', 'timestamptz', (c) => c.notNull())
    .addColumn('end_time', 'timestamptz')
    .addColumn('body', 'json', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('sync_report_start').on('sync_report').column('start_time').execute();

  // One row: who holds the right to run a sync, until when (renewed while running).
  await db.schema
    .createTable('sync_lease')
    .addColumn('id', 'integer', (c) => c.primaryKey().check(sql`id = 1`))
    .addColumn('report_id', 'text')
    .addColumn('holder', 'text')
    .addColumn('expires_at', 'timestamptz')
    .execute();
  await sql`insert into sync_lease (id) values (1)`.execute(db);

  await db.schema
    .createTable('sync_audit')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('username', 'text', (c) => c.notNull())
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('details', 'json', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['sync_audit', 'sync_lease', 'sync_report'])
    await db.schema.dropTable(t).execute();
}
