/**
 * The sync ports' conformance suite (test/support/sync-store-conformance.ts) on PGlite and
 * PostgreSQL; test/unit/memory-sync-store.test.ts runs the same suite on the in-memory fake.
 */
import { after, before, describe } from 'node:test';
import type { OpenDatabase } from '../../src/store/db.ts';
import { createKyselySyncStore, type SyncStore } from '../../src/store/kysely-sync-store.ts';
import { backends, createTestDatabase, type TestDatabase } from '../support/databases.ts';
import { registerSyncStoreTests } from '../support/sync-store-conformance.ts';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

for (const backend of await backends()) {
  describe(`sync store conformance on ${backend}`, () => {
    let database: TestDatabase;
    let open: OpenDatabase;
    let store: SyncStore;
    before(async () => {
      database = await createTestDatabase(backend);
      open = await database.open();
      store = createKyselySyncStore(open.db);
    });
    after(async () => {
      await open.close();
      await database.dispose();
    });
    registerSyncStoreTests({
      store: () => store,
      advance: sleep,
      ownClock: backend === 'postgres',
    });
  });
}
