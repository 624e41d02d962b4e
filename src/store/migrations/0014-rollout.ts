/**
 * Staged rollout (issue 22): each version's state (CANARY, HELD, RELEASED; every version before
 * this migration, and every version a local records, is RELEASED), the central's rollout
 * configuration (one row), what each local reported of each version it tried, and the versions
 * withdrawn (kept so that a canary that imported one is told why its version is gone).
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('metadata_version')
    .addColumn('rollout_state', 'text', (c) => c.notNull().defaultTo('RELEASED'))
    .execute();
  await db.schema
    .alterTable('metadata_version')
    .addColumn('state_changed_at', 'timestamptz')
    .execute();

  await db.schema
    .createTable('rollout_config')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('enabled', 'boolean', (c) => c.notNull())
    .addColumn('ring', 'json', (c) => c.notNull().defaultTo(sql`'[]'`))
    .addColumn('auto_release_minutes', 'integer')
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('rollout_outcome')
    // No foreign key: a withdrawal deletes its versions' outcomes in the same transaction.
    .addColumn('version_id', 'text', (c) => c.notNull())
    // `system:<id>` when the local sent one, else `user:<name>`: one row per local per version.
    .addColumn('local_key', 'text', (c) => c.notNull())
    .addColumn('system_id', 'text')
    .addColumn('username', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('failure_kind', 'text')
    .addColumn('message', 'text')
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('rollout_outcome_pk', ['version_id', 'local_key'])
    .execute();

  await db.schema
    .createTable('withdrawn_version')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('hash_code', 'text', (c) => c.notNull())
    .addColumn('withdrawn_by', 'text', (c) => c.notNull())
    .addColumn('withdrawn_at', 'timestamptz', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['withdrawn_version', 'rollout_outcome', 'rollout_config'])
    await db.schema.dropTable(t).execute();
  await db.schema.alterTable('metadata_version').dropColumn('state_changed_at').execute();
  await db.schema.alterTable('metadata_version').dropColumn('rollout_state').execute();
}
