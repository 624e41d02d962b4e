/**
 * The VersionStore and RolloutStore conformance suites (test/support/version-store-conformance.ts) on PGlite and
 * PostgreSQL; the in-memory fake runs the same suite in test/unit/. One database per backend; each
 * test empties the version and change tables first. Changes are written as the metadata store
 * writes them: the counter row locked and bumped, the object or its tombstone numbered with it.
 */
import { after, before, describe } from 'node:test';
import { sql } from 'kysely';
import type { OpenDatabase } from '../../src/store/db.ts';
import { createStores } from '../../src/store/stores.ts';
import { registerRolloutStoreTests } from '../support/rollout-store-conformance.ts';
import { backends, createTestDatabase, type TestDatabase } from '../support/databases.ts';
import {
  registerVersionStoreTests,
  type VersionStoreSubject,
} from '../support/version-store-conformance.ts';

for (const backend of await backends()) {
  describe(`VersionStore conformance on ${backend}`, () => {
    let database: TestDatabase;
    let open: OpenDatabase;
    before(async () => {
      database = await createTestDatabase(backend);
      open = await database.open();
    });
    after(async () => {
      await open.close();
      await database.dispose();
    });

    const fresh = async (): Promise<VersionStoreSubject> => {
      const { db } = open;
      await db.transaction().execute(async (trx) => {
        for (const t of [
          'snapshot_chunk',
          'metadata_version',
          'withdrawn_version',
          'rollout_outcome',
          'fleet_local',
          'metadata_tombstone',
          'metadata_object',
        ])
          await sql`delete from ${sql.table(t)}`.execute(trx);
        await trx
          .deleteFrom('system_setting')
          .where('key', '=', 'keySystemMetadataVersion')
          .execute();
      });
      const numbered = (fn: (seq: number, trx: typeof db) => Promise<void>) =>
        db.transaction().execute(async (trx) => {
          const { seq } = await trx
            .updateTable('change_counter')
            .set((eb) => ({ seq: eb('seq', '+', 1) }))
            .where('id', '=', 1)
            .returning('seq')
            .executeTakeFirstOrThrow();
          await fn(Number(seq), trx);
        });
      const drop = (trx: typeof db, type: string, id: string) =>
        trx.deleteFrom('metadata_object').where('type', '=', type).where('id', '=', id).execute();
      return {
        store: createStores(db).versions,
        put: (type, id, text) =>
          numbered(async (seq, trx) => {
            await drop(trx, type, id);
            await sql`insert into metadata_object (id, type, code, scope, name, unique_name,
                payload, content_hash, created, last_updated, created_by, last_updated_by, seq)
              values (${id}, ${type}, null, '', null, null, ${text}::jsonb, 'x', now(), now(),
                null, null, ${seq})`.execute(trx);
          }),
        remove: (type, id, d) =>
          numbered(async (seq, trx) => {
            await drop(trx, type, id);
            await trx
              .insertInto('metadata_tombstone')
              .values({
                seq,
                type,
                id,
                code: d.code,
                deleted_at: d.deletedAt,
                deleted_by: d.deletedBy,
              })
              .execute();
          }),
        setting: (key) => createStores(db).settings.get(key),
      };
    };

    registerVersionStoreTests(fresh);

    // The rollout store (issue 22) on the same database: its tables sit beside the versions'.
    describe('RolloutStore conformance', () => {
      registerRolloutStoreTests(async () => {
        for (const t of ['rollout_config', 'rollout_outcome'])
          await sql`delete from ${sql.table(t)}`.execute(open.db);
        return createStores(open.db).rollout;
      });
    });
  });
}
