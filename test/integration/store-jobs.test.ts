/**
 * The JobStore conformance suite (test/support/job-store-conformance.ts) on both backends.
 */
import { after, before, describe } from 'node:test';
import { sql } from 'kysely';
import type { OpenDatabase } from '../../src/store/db.ts';
import { createKyselyJobStore } from '../../src/store/kysely-job-store.ts';
import { backends, createTestDatabase, type TestDatabase } from '../support/databases.ts';
import { registerJobStoreTests } from '../support/job-store-conformance.ts';

for (const backend of await backends()) {
  describe(`JobStore on ${backend}`, () => {
    let tdb: TestDatabase;
    let db: OpenDatabase;
    before(async () => {
      tdb = await createTestDatabase(backend);
      db = await tdb.open();
    });
    after(async () => {
      await db?.close();
      await tdb?.dispose();
    });

    registerJobStoreTests(() => ({
      jobs: createKyselyJobStore(db.db),
      async setLease(reportId, expiresAt) {
        const holder = reportId === null ? null : 'x';
        await sql`update sync_lease set report_id = ${reportId}, holder = ${holder}, expires_at = ${expiresAt}`.execute(
          db.db,
        );
      },
    }));
  });
}
