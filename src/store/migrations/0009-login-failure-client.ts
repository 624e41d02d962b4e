/**
 * Failed logins are counted per username and client (issue 16 §6): the lock key gains the
 * client's address (`domain/auth/client-address.ts`). Failures recorded before have no client
 * ('') and simply age out (at most 24 h are kept).
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('login_failure')
    .addColumn('client', 'text', (c) => c.notNull().defaultTo(''))
    .execute();
  await db.schema.dropIndex('login_failure_username_at').execute();
  await db.schema
    .createIndex('login_failure_username_client_at')
    .on('login_failure')
    .columns(['username', 'client', 'failed_at'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('login_failure_username_client_at').execute();
  await db.schema
    .createIndex('login_failure_username_at')
    .on('login_failure')
    .columns(['username', 'failed_at'])
    .execute();
  await db.schema.alterTable('login_failure').dropColumn('client').execute();
}
