/** SettingStore over Kysely: one row per key, the value as JSONB. */
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
    async putMany(entries) {
      const now = new Date();
      const rows = [...entries].map(([key, value]) => ({
        key,
        value: JSON.stringify(value),
        last_updated: now,
      }));
      await db.transaction().execute(async (trx) => {
        await trx
          .insertInto('system_setting')
          .values(rows)
          .onConflict((oc) =>
            oc
              .column('key')
              .doUpdateSet((eb) => ({
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
