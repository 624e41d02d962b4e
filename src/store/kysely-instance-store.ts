/** InstanceStore over Kysely: a single row (id = 1) written once; its signing key set once. */
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

    async ensureSigningKey(fresh) {
      const stored = async () =>
        db
          .selectFrom('instance')
          .select(['signing_public_key', 'signing_private_key_sealed'])
          .where('id', '=', 1)
          .executeTakeFirstOrThrow();
      let row = await stored();
      if (row.signing_public_key === null) {
        const key = fresh();
        // Only where none is stored: of two processes making a key at once, the first wins.
        await db
          .updateTable('instance')
          .set({
            signing_public_key: key.publicKeyPem,
            signing_private_key_sealed: key.sealedPrivateKey,
          })
          .where('id', '=', 1)
          .where('signing_public_key', 'is', null)
          .execute();
        row = await stored();
      }
      return {
        publicKeyPem: row.signing_public_key!,
        sealedPrivateKey: row.signing_private_key_sealed!,
      };
    },
  };
}
