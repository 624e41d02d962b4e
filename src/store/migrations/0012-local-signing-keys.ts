/**
 * The locals' signing keys a central trusts (issue 20 §5): one pinned Ed25519 public key per
 * local systemId, with who pinned it, when and why. A table, not a setting: a central has many
 * locals, and a pin is looked up by the systemId a data bundle names.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('local_signing_key')
    .addColumn('system_id', 'text', (c) => c.primaryKey())
    .addColumn('public_key', 'text', (c) => c.notNull())
    .addColumn('fingerprint', 'text', (c) => c.notNull())
    .addColumn('pinned_by', 'text', (c) => c.notNull())
    .addColumn('pinned_at', 'timestamptz', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull().defaultTo(''))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('local_signing_key').execute();
}
