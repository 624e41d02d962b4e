/**
 * The instance's Ed25519 signing key (issue 20 §1), on the instance row: written once, the first
 * time the key is needed, and never replaced. Not a setting: the settings API may overwrite or
 * delete settings, and a deleted key would be made again, orphaning every pin of the old one.
 * The private key is sealed with the instance's secret box (AES-GCM), like secret settings.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('instance')
    .addColumn('signing_public_key', 'text')
    .addColumn('signing_private_key_sealed', 'text')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('instance')
    .dropColumn('signing_public_key')
    .dropColumn('signing_private_key_sealed')
    .execute();
}
