/**
 * Bad-input fuzzing of the HTTP API (issue 10 §5), on both backends over real HTTP, one server
 * per backend for the three properties (a PGlite server costs seconds to start):
 *
 * - query parameters on every GET route of the OpenAPI document (test/support/fuzz-query.ts);
 * - import payloads on POST /api/metadata: no 5xx, no partial write, the report tells what was
 *   written (test/support/fuzz-import.ts);
 * - system settings values for every registered key: stored as sent or refused whole
 *   (test/support/fuzz-settings.ts);
 * - the other write routes: data values, registrations, events, metadata objects, jobs, version
 *   creation (test/support/fuzz-writes.ts).
 *
 * Fixed seed by default; METASYNC_FUZZ_RUNS=500 runs more cases per property, and a failure
 * prints METASYNC_FUZZ_SEED and fast-check's path to replay it. Snapshot bytes are fuzzed in
 * fuzz-snapshot.test.ts, the pure parsers in test/unit/fuzz-domain.test.ts.
 */
import { after, before, describe, it } from 'node:test';
import { backends, createTestDatabase, type TestDatabase } from '../support/databases.ts';
import { fuzzImport } from '../support/fuzz-import.ts';
import { fuzzQuery } from '../support/fuzz-query.ts';
import { fuzzSettings } from '../support/fuzz-settings.ts';
import { fuzzWrites } from '../support/fuzz-writes.ts';
import { startServer, type TestServer } from '../support/server.ts';

for (const backend of await backends()) {
  describe(`fuzz: HTTP API on ${backend}`, () => {
    let database: TestDatabase;
    let server: TestServer;
    before(async () => {
      database = await createTestDatabase(backend);
      // 1 MiB: every generated import body fits, so the limit is met only through gzip.
      server = await startServer(database, { maxRequestBytes: 1024 * 1024 });
    });
    after(async () => {
      await server?.stop();
      await database?.dispose();
    });

    // Query first: it seeds metadata and a version, and checks that no GET writes.
    it('query parameters: never 5xx on any GET route, never a write', (t) => fuzzQuery(server, t));
    it('import payloads: never 5xx, no partial write, the report tells what was written', (t) =>
      fuzzImport(server, t));
    it('other write routes: never 5xx, errors are WebMessages, dryRun writes no data', (t) =>
      fuzzWrites(server, t));
    it('settings values: stored as sent or refused whole, never 5xx', (t) =>
      fuzzSettings(server, t));
  });
}
