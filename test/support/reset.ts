/**
 * Empties the metadata of a running test server and re-creates what a new instance has (the
 * default category model, role Superuser and user admin), so one server per backend can serve
 * tests that each need a fresh database: a PGlite instance costs ~2 s and ~500 MB to start.
 *
 * The first reset of a server re-creates the defaults and the admin through the real code
 * (`ensureDefaults`, `ensureSuperuser`) and keeps the resulting rows; later resets put those rows
 * back, which avoids re-hashing the admin password (scrypt) on every reset.
 */
import { sql, type Kysely } from 'kysely';
import { ensureSuperuser } from '../../src/domain/auth/user-admin.ts';
import { SUPERUSER_ACTOR } from '../../src/domain/auth/users.ts';
import { ensureDefaults } from '../../src/domain/metadata/defaults.ts';
import { newUid } from '../../src/security/random.ts';
import type { Database } from '../../src/store/schema.ts';
import { createStores } from '../../src/store/stores.ts';
import { ADMIN_PASSWORD, type TestServer } from './server.ts';

/** Deleted in this order (referencing rows first); snapshot tables are restored in reverse. */
const TABLES = [
  'partial_download',
  'login_failure',
  'metadata_tombstone',
  'metadata_ref',
  'metadata_object',
  'user_role_member',
  'app_user',
  'user_role',
] as const;
const SNAPSHOT = ['user_role', 'app_user', 'user_role_member', 'metadata_object', 'metadata_ref'];
/** jsonb columns: read back as values, written as JSON text. */
const JSON_COLUMNS = new Set(['payload', 'authorities']);

interface Snapshot {
  rows: Map<string, Record<string, unknown>[]>;
  seq: number;
}
const snapshots = new WeakMap<TestServer, Snapshot>();

async function clear(db: Kysely<Database>, seq: number, snapshot?: Snapshot): Promise<void> {
  await db.transaction().execute(async (trx) => {
    for (const table of TABLES) await sql`delete from ${sql.table(table)}`.execute(trx);
    for (const table of SNAPSHOT) {
      const rows = snapshot?.rows.get(table) ?? [];
      if (rows.length === 0) continue;
      const values = rows.map((r) =>
        Object.fromEntries(
          Object.entries(r).map(([k, v]) => [k, JSON_COLUMNS.has(k) ? JSON.stringify(v) : v]),
        ),
      );
      await trx
        .insertInto(table as 'metadata_ref')
        .values(values as never)
        .execute();
    }
    await sql`update change_counter set seq = ${seq} where id = 1`.execute(trx);
  });
}

export async function resetMetadata(server: TestServer): Promise<void> {
  const { db } = server.instance.database;
  const known = snapshots.get(server);
  if (known) return clear(db, known.seq, known);

  await clear(db, 0);
  const { metadata } = server.instance.services;
  await ensureDefaults(async () => false, metadata.import, SUPERUSER_ACTOR);
  const { users } = createStores(db);
  const { created } = await ensureSuperuser(
    { users, importMetadata: metadata.import, newUid },
    ADMIN_PASSWORD,
  );
  if (!created) throw new Error('resetMetadata: the superuser was not re-created');
  const rows = new Map<string, Record<string, unknown>[]>();
  for (const table of SNAPSHOT)
    rows.set(
      table,
      (await sql<Record<string, unknown>>`select * from ${sql.table(table)}`.execute(db)).rows,
    );
  snapshots.set(server, { rows, seq: await metadata.changeSeq() });
}
