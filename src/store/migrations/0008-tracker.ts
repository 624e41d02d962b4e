/**
 * Tracked entities, enrollments and enrollment events (issue 16 §1), as DHIS2 ≤ 2.41 locals push
 * them. Never edit: append.
 *
 * Each row keeps the object as received in `payload` (json: the text as written), so that it can
 * be exported again whole; the columns are what DHIS2 validates and filters on. Rows are numbered
 * from 0005's `data_change_counter` (`seq`), like every data row, and deletions are soft.
 *
 * Enrollment events have a table of their own rather than sharing `event` (anonymous events):
 * they travel inside their tracked entity, never through `/api/events`, so the event push, its
 * change window and `GET /api/events` keep meaning "events of programs without registration".
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('tracked_entity')
    .addColumn('uid', 'text', (c) => c.primaryKey())
    .addColumn('tracked_entity_type', 'text', (c) => c.notNull())
    .addColumn('org_unit', 'text', (c) => c.notNull())
    .addColumn('payload', 'json', (c) => c.notNull())
    .addColumn('deleted', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('created', 'timestamptz', (c) => c.notNull())
    .addColumn('last_updated', 'timestamptz', (c) => c.notNull())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    // When a push from this instance last delivered it (kept for a tracker push, as `event`'s).
    .addColumn('last_synchronized', 'timestamptz')
    .execute();
  await db.schema.createIndex('tracked_entity_seq').on('tracked_entity').column('seq').execute();
  await db.schema
    .createIndex('tracked_entity_org_unit')
    .on('tracked_entity')
    .columns(['org_unit', 'tracked_entity_type'])
    .execute();

  await db.schema
    .createTable('enrollment')
    .addColumn('uid', 'text', (c) => c.primaryKey())
    .addColumn('tracked_entity', 'text', (c) => c.notNull().references('tracked_entity.uid'))
    .addColumn('program', 'text', (c) => c.notNull())
    .addColumn('org_unit', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('enrollment_date', 'timestamptz')
    .addColumn('incident_date', 'timestamptz')
    .addColumn('payload', 'json', (c) => c.notNull())
    .addColumn('deleted', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('created', 'timestamptz', (c) => c.notNull())
    .addColumn('last_updated', 'timestamptz', (c) => c.notNull())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('enrollment_seq').on('enrollment').column('seq').execute();
  await db.schema
    .createIndex('enrollment_tracked_entity')
    .on('enrollment')
    .column('tracked_entity')
    .execute();
  await db.schema
    .createIndex('enrollment_program')
    .on('enrollment')
    .columns(['program', 'tracked_entity'])
    .execute();

  await db.schema
    .createTable('enrollment_event')
    .addColumn('uid', 'text', (c) => c.primaryKey())
    .addColumn('enrollment', 'text', (c) => c.notNull().references('enrollment.uid'))
    .addColumn('program', 'text', (c) => c.notNull())
    .addColumn('program_stage', 'text', (c) => c.notNull())
    .addColumn('org_unit', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('event_date', 'timestamptz')
    .addColumn('due_date', 'timestamptz')
    .addColumn('attribute_option_combo', 'text', (c) => c.notNull())
    .addColumn('payload', 'json', (c) => c.notNull())
    .addColumn('deleted', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('created', 'timestamptz', (c) => c.notNull())
    .addColumn('last_updated', 'timestamptz', (c) => c.notNull())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('enrollment_event_seq')
    .on('enrollment_event')
    .column('seq')
    .execute();
  await db.schema
    .createIndex('enrollment_event_enrollment')
    .on('enrollment_event')
    .column('enrollment')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['enrollment_event', 'enrollment', 'tracked_entity'])
    await db.schema.dropTable(t).execute();
}
