/**
 * LoginFailureStore over Kysely; shared by all processes on the database (issue 3), keyed by
 * username and client (issue 16 §6).
 */
import type { Kysely } from 'kysely';
import type { LoginFailureStore } from '../domain/ports.ts';
import type { Database } from './schema.ts';

/** Rows older than this are useless to any throttle policy we allow and are pruned on write. */
const RETAIN_MS = 24 * 60 * 60_000;

export function createKyselyLoginFailureStore(db: Kysely<Database>): LoginFailureStore {
  return {
    async record({ username, client }, at) {
      await db.insertInto('login_failure').values({ username, client, failed_at: at }).execute();
      await db
        .deleteFrom('login_failure')
        .where('failed_at', '<', new Date(at.getTime() - RETAIN_MS))
        .execute();
    },
    async since({ username, client }, since) {
      const rows = await db
        .selectFrom('login_failure')
        .select('failed_at')
        .where('username', '=', username)
        .where('client', '=', client)
        .where('failed_at', '>=', since)
        .orderBy('failed_at')
        .execute();
      return rows.map((r) => r.failed_at);
    },
    async clear({ username, client }) {
      await db
        .deleteFrom('login_failure')
        .where('username', '=', username)
        .where('client', '=', client)
        .execute();
    },
  };
}
