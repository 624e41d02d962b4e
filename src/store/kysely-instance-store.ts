/** InstanceStore over Kysely: a single row (id = 1) written once. */
import type { Kysely } from 'kysely';
import type { InstanceStore } from '../domain/ports.ts';
import type { Database } from './schema.ts';

export function createKyselyInstanceStore(db: Kysely<Database>): InstanceStore {
  return {
    async ensure(fresh) {
      // ON CONFLICT DO NOTHING makes concurrent first starts agree on one row.
      await db
        .insertInto('instance')
        .values({
          id: 1,
          system_id: fresh.systemId,
          secret_salt: fresh.secretSalt,
          fallback_secret: fresh.fallbackSecret,
          created: fresh.created,
        })
        .onConflict((oc) => oc.column('id').doNothing())
        .execute();
      const row = await db
        .selectFrom('instance')
        .selectAll()
        .where('id', '=', 1)
        .executeTakeFirstOrThrow();
      return {
        systemId: row.system_id,
        secretSalt: row.secret_salt,
        fallbackSecret: row.fallback_secret,
        created: row.created,
      };
    },
  };
}
