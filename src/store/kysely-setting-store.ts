/** SettingStore over Kysely (a database or a caller's transaction): one row per key, the value as JSONB. */
import type { Kysely } from 'kysely';
import type { SettingStore } from '../domain/ports.ts';
import type { Database } from './schema.ts';

export function createKyselySettingStore(db: Kysely<Database>): SettingStore {
  return {
    async all() {
      const rows = await db.selectFrom('system_setting').select(['key', 'value']).execute();
      return new Map(rows.map((r) => [r.key, r.value]));
    },
    async get(key) {
      const row = await db
        .selectFrom('system_setting')
        .select('value')
        .where('key', '=', key)
        .executeTakeFirst();
      return row?.value;
    },
    async putMany(entries, remove = []) {
      if (entries.size === 0 && remove.length === 0) return;
      const now = new Date();
      const rows = [...entries].map(([key, value]) => ({
        key,
        value: JSON.stringify(value),
        last_updated: now,
      }));
      // Inside a caller's transaction (version creation) the writes join it.
      const atomically = <T>(fn: (trx: Kysely<Database>) => Promise<T>) =>
        db.isTransaction ? fn(db) : db.transaction().execute(fn);
      await atomically(async (trx) => {
        if (remove.length > 0)
          await trx.deleteFrom('system_setting').where('key', 'in', remove).execute();
        if (rows.length === 0) return; // an empty INSERT … VALUES is a syntax error
        await trx
          .insertInto('system_setting')
          .values(rows)
          .onConflict((oc) =>
            oc.column('key').doUpdateSet((eb) => ({
              value: eb.ref('excluded.value'),
              last_updated: eb.ref('excluded.last_updated'),
            })),
          )
          .execute();
      });
    },
    async delete(key) {
      const r = await db.deleteFrom('system_setting').where('key', '=', key).executeTakeFirst();
      return r.numDeletedRows > 0n;
    },
  };
}
