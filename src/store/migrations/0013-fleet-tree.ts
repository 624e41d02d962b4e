/**
 * The fleet as a tree (issue 21 §4): a local's last run state as it tells us, and the entries a
 * relay reports for the locals below it: `via` the relay that reported them (null: the local
 * polls this server), `relay` the server each hangs under, `reported_at` when the report came.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('fleet_local')
    .addColumn('state', 'text')
    .addColumn('via', 'text')
    .addColumn('relay', 'text')
    .addColumn('reported_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('fleet_local_via').on('fleet_local').column('via').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('fleet_local_via').execute();
  for (const c of ['reported_at', 'relay', 'via', 'state'])
    await db.schema.alterTable('fleet_local').dropColumn(c).execute();
}
