/**
 * PartialDownloadStore's conformance suite (test/support/partial-download-conformance.ts) on
 * PGlite and PostgreSQL; test/unit/memory-partial-downloads.test.ts runs it on the fake.
 */
import { randomUUID } from 'node:crypto';
import { after, before, describe } from 'node:test';
import type { PartialDownloadStore } from '../../src/domain/ports.ts';
import type { OpenDatabase } from '../../src/store/db.ts';
import { createKyselyPartialDownloadStore } from '../../src/store/kysely-partial-download-store.ts';
import { backends, createTestDatabase, type TestDatabase } from '../support/databases.ts';
import { registerPartialDownloadTests } from '../support/partial-download-conformance.ts';

for (const backend of await backends()) {
  describe(`partial download store conformance on ${backend}`, () => {
    let database: TestDatabase;
    let open: OpenDatabase;
    let store: PartialDownloadStore;
    before(async () => {
      database = await createTestDatabase(backend);
      open = await database.open();
      store = createKyselyPartialDownloadStore(open.db);
    });
    after(async () => {
      await open.close();
      await database.dispose();
    });
    registerPartialDownloadTests({
      store: () => store,
      importVersion: async (n) => {
        await open.db
          .insertInto('metadata_version')
          .values({
            id: randomUUID(),
            name: `Version_${n}`,
            number: n,
            type: 'BEST_EFFORT',
            hash_code: randomUUID(),
            parent_hash_code: null,
            created: new Date(),
            import_date: new Date(),
            seq_from: null,
            seq_to: null,
            bytes: 0,
            gzip_bytes: 0,
            objects: 0,
            deletions: 0,
            types: '{}',
          })
          .execute();
      },
    });
  });
}
