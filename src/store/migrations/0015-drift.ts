/**
 * Drift (issue 23): per object, the content hash the last applied version gave it (the
 * baseline), the base a rebaseline lays, and the last check's counts. Never edit: append.
 *
 * A local whose versions were applied before this migration has no baseline: the first check
 * folds the snapshots it kept (src/domain/drift/baseline-fold.ts).
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('drift_baseline')
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    // The version that last gave the object its content: where its implied content is read.
    .addColumn('version', 'text', (c) => c.notNull())
    // Laid by a rebaseline only: the content then, since no stored snapshot holds it.
    .addColumn('payload', 'json')
    .addPrimaryKeyConstraint('drift_baseline_pk', ['type', 'id'])
    .execute();

  await db.schema
    .createTable('drift_state')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    // VERSIONS: the baseline follows the applied versions; REBASELINE: laid from the live state.
    .addColumn('base_kind', 'text', (c) => c.notNull())
    .addColumn('base_version', 'text', (c) => c.notNull())
    .addColumn('based_at', 'timestamptz', (c) => c.notNull())
    .addColumn('checked_at', 'timestamptz')
    .addColumn('changed', 'integer')
    .addColumn('created', 'integer')
    .addColumn('deleted', 'integer')
    .execute();
  // No version applied yet: every version to come keeps the baseline, nothing is to be folded.
  await sql`insert into drift_state (id, base_kind, base_version, based_at)
    select 1, 'VERSIONS', '', now()
    where not exists (select 1 from metadata_version where import_date is not null)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['drift_state', 'drift_baseline']) await db.schema.dropTable(t).execute();
}
