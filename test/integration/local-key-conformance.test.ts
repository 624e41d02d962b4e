/**
 * LocalKeyStore's conformance suite (test/support/local-key-conformance.ts) on PGlite and
 * PostgreSQL; test/unit/memory-local-keys.test.ts runs it on the fake.
 */
import { after, before, describe } from 'node:test';
import type { LocalKeyStore } from '../../src/domain/bundle/local-keys.ts';
import type { OpenDatabase } from '../../src/store/db.ts';
import { createKyselyLocalKeyStore } from '../../src/store/kysely-local-key-store.ts';
import { backends, createTestDatabase, type TestDatabase } from '../support/databases.ts';
import { registerLocalKeyTests } from '../support/local-key-conformance.ts';

for (const backend of await backends()) {
  describe(`local key store conformance on ${backend}`, () => {
    let database: TestDatabase;
    let open: OpenDatabase;
    let store: LocalKeyStore;
    before(async () => {
      database = await createTestDatabase(backend);
      open = await database.open();
      store = createKyselyLocalKeyStore(open.db);
    });
    after(async () => {
      await open.close();
      await database.dispose();
    });
    registerLocalKeyTests(() => store);
  });
}
