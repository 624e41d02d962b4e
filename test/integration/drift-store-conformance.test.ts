/**
 * The DriftStore conformance suite (test/support/drift-store-conformance.ts) on PGlite and
 * PostgreSQL; the in-memory fake runs the same suite in test/unit/. One database per backend;
 * each test empties the metadata and drift tables and lays the state a new instance has.
 */
import { after, before, describe } from 'node:test';
import { sql } from 'kysely';
import type { OpenDatabase } from '../../src/store/db.ts';
import { createStores } from '../../src/store/stores.ts';
import { registerDriftStoreTests } from '../support/drift-store-conformance.ts';
import { backends, createTestDatabase, type TestDatabase } from '../support/databases.ts';

for (const backend of await backends()) {
  describe(`DriftStore conformance on ${backend}`, () => {
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

    registerDriftStoreTests(async () => {
      const { db } = open;
      await db.transaction().execute(async (trx) => {
        for (const t of [
          'metadata_ref',
          'metadata_tombstone',
          'metadata_object',
          'drift_baseline',
          'drift_state',
        ])
          await sql`delete from ${sql.table(t)}`.execute(trx);
        await sql`insert into drift_state (id, base_kind, base_version, based_at)
          values (1, 'VERSIONS', '', now())`.execute(trx);
      });
      const stores = createStores(db);
      return { metadata: stores.metadata, drift: stores.drift };
    });
  });
}
