/**
 * Job configurations and their executions (issue 8). `scheduled_for` is the cron instant an
 * execution was fired for: the unique (job_id, scheduled_for) index is how several processes on
 * one database agree that exactly one of them runs a given tick (and a given catch-up). Manual
 * runs have no instant (NULL), so they never collide.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('job_configuration')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('job_type', 'text', (c) => c.notNull())
    .addColumn('cron_expression', 'text', (c) => c.notNull())
    .addColumn('job_parameters', 'json', (c) => c.notNull())
    .addColumn('enabled', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('last_executed', 'timestamptz')
    .addColumn('last_executed_status', 'text')
    .addColumn('last_runtime_execution', 'text')
    .addColumn('next_execution_time', 'timestamptz')
    .addColumn('created', 'timestamptz', (c) => c.notNull())
    .addColumn('last_updated', 'timestamptz', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('job_execution')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('job_id', 'text', (c) =>
      c.notNull().references('job_configuration.id').onDelete('cascade'),
    )
    .addColumn('scheduled_for', 'timestamptz')
    .addColumn('trigger', 'text', (c) => c.notNull())
    .addColumn('holder', 'text', (c) => c.notNull())
    .addColumn('start', 'timestamptz', (c) => c.notNull())
    .addColumn('end', 'timestamptz')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('report_id', 'text')
    .addColumn('message', 'text')
    .execute();
  await db.schema
    .createIndex('job_execution_once')
    .on('job_execution')
    .columns(['job_id', 'scheduled_for'])
    .unique()
    .execute();
  await sql`create index job_execution_job_start on job_execution (job_id, start desc)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['job_execution', 'job_configuration']) await db.schema.dropTable(t).execute();
}
