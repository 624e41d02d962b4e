/**
 * Aggregate data values, complete data set registrations, anonymous events and the data change
 * counter (issue 7). Never edit: append.
 *
 * Like metadata's `change_counter`, `data_change_counter` is one row that every data write
 * transaction locks first (`for update`) and numbers its changes from: numbers are handed out in
 * commit order, so a push that reads the committed counter value `cut` and sends `seq <= cut`
 * can never miss a row that commits later (it gets a number above `cut`). Deletions are soft
 * (`deleted = true`, new seq) so that they are pushed too (contract §11.1 "including deleted").
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('data_value')
    .addColumn('data_element', 'text', (c) => c.notNull())
    .addColumn('period', 'text', (c) => c.notNull())
    .addColumn('org_unit', 'text', (c) => c.notNull())
    .addColumn('category_option_combo', 'text', (c) => c.notNull())
    .addColumn('attribute_option_combo', 'text', (c) => c.notNull())
    .addColumn('value', 'text')
    .addColumn('stored_by', 'text')
    .addColumn('created', 'timestamptz', (c) => c.notNull())
    .addColumn('last_updated', 'timestamptz', (c) => c.notNull())
    .addColumn('comment', 'text')
    .addColumn('followup', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('deleted', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('data_value_pk', [
      'data_element',
      'period',
      'org_unit',
      'category_option_combo',
      'attribute_option_combo',
    ])
    .execute();
  await db.schema.createIndex('data_value_seq').on('data_value').column('seq').execute();
  await db.schema
    .createIndex('data_value_org_unit')
    .on('data_value')
    .columns(['org_unit', 'period'])
    .execute();

  await db.schema
    .createTable('complete_registration')
    .addColumn('data_set', 'text', (c) => c.notNull())
    .addColumn('period', 'text', (c) => c.notNull())
    .addColumn('org_unit', 'text', (c) => c.notNull())
    .addColumn('attribute_option_combo', 'text', (c) => c.notNull())
    .addColumn('date', 'timestamptz', (c) => c.notNull())
    .addColumn('stored_by', 'text')
    .addColumn('last_updated_by', 'text')
    .addColumn('last_updated', 'timestamptz', (c) => c.notNull())
    .addColumn('completed', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('deleted', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('complete_registration_pk', [
      'data_set',
      'period',
      'org_unit',
      'attribute_option_combo',
    ])
    .execute();
  await db.schema
    .createIndex('complete_registration_seq')
    .on('complete_registration')
    .column('seq')
    .execute();

  await db.schema
    .createTable('event')
    .addColumn('uid', 'text', (c) => c.primaryKey())
    .addColumn('program', 'text', (c) => c.notNull())
    .addColumn('program_stage', 'text', (c) => c.notNull())
    .addColumn('org_unit', 'text', (c) => c.notNull())
    .addColumn('attribute_option_combo', 'text', (c) => c.notNull())
    .addColumn('event_date', 'timestamptz', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('stored_by', 'text')
    .addColumn('data_values', 'json', (c) => c.notNull())
    .addColumn('deleted', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('created', 'timestamptz', (c) => c.notNull())
    .addColumn('last_updated', 'timestamptz', (c) => c.notNull())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    // When the push last delivered this event to the central (contract §11.3).
    .addColumn('last_synchronized', 'timestamptz')
    .execute();
  await db.schema.createIndex('event_seq').on('event').column('seq').execute();
  await db.schema
    .createIndex('event_program')
    .on('event')
    .columns(['program', 'org_unit'])
    .execute();

  await db.schema
    .createTable('data_change_counter')
    .addColumn('id', 'integer', (c) => c.primaryKey().check(sql`id = 1`))
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .execute();
  await sql`insert into data_change_counter (id, seq) values (1, 0)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['data_change_counter', 'event', 'complete_registration', 'data_value'])
    await db.schema.dropTable(t).execute();
}
