/** UserSettingStore over Kysely: one row per user and key, the value as JSONB (migration 0016). */
import type { Kysely } from 'kysely';
import type { UserSettingStore } from '../domain/ports.ts';
import type { Database } from './schema.ts';

export function createKyselyUserSettingStore(db: Kysely<Database>): UserSettingStore {
  return {
    async get(userId, key) {
      const row = await db
        .selectFrom('user_setting')
        .select('value')
        .where('user_id', '=', userId)
        .where('key', '=', key)
        .executeTakeFirst();
      return row?.value;
    },
    async put(userId, key, value) {
      const row = { user_id: userId, key, value: JSON.stringify(value), last_updated: new Date() };
      await db
        .insertInto('user_setting')
        .values(row)
        .onConflict((oc) =>
          oc.columns(['user_id', 'key']).doUpdateSet((eb) => ({
            value: eb.ref('excluded.value'),
            last_updated: eb.ref('excluded.last_updated'),
          })),
        )
        .execute();
    },
  };
}
