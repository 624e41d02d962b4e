/**
 * Drift from the real command line, as child processes (issue 23 §1, §4), on both backends: a
 * local synced from a real central, then a data element's name edited on the local through
 * POST /api/metadata. `metasync drift` lists it with the `name` path and both values and exits 0
 * (drift is a warning); `--json` prints the DriftReport; `drift repair --dry-run` says what it
 * would do and changes nothing; a repair without a reason is refused before the database opens;
 * `drift repair --reason …` puts the name back, audited as the operating-system user, and the
 * next check is empty. The local server is stopped before the CLI runs: a PGlite data directory
 * has one owner at a time.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DriftReport } from '../../src/http/schemas/api-types.ts';
import { runCli, withServices } from '../support/cli-process.ts';
import { backends, createTestDatabase, type TestDatabase } from '../support/databases.ts';
import { startServer } from '../support/server.ts';
import {
  centralBackend,
  connect,
  createVersion,
  importMetadata,
  newDataElement,
  objects,
  start,
  syncOk,
  type Started,
} from '../support/sync.ts';
import { enableVersioning } from '../support/versions.ts';

const CLI_USER = 'field-admin';

for (const backend of await backends()) {
  describe(`metasync drift | drift repair on ${backend}`, () => {
    let central: Started;
    let database: TestDatabase;
    const de = newDataElement('Drift');
    const edited = `${String(de.name)} EDITED`;
    const cli = (args: string[]) => runCli(args, database, CLI_USER);
    const driftNow = () => withServices(database, (s) => s.drift.check({ limit: 100 }));

    before(async () => {
      central = await start(await centralBackend());
      await enableVersioning(central.server);
      await importMetadata(central.server, { dataElements: [de] });
      await createVersion(central.server, 'ATOMIC');
      database = await createTestDatabase(backend);
      const local = await startServer(database);
      try {
        await connect(local, central.server.url);
        await syncOk(local);
        await importMetadata(local, { dataElements: [{ ...de, name: edited }] });
        const [live] = (await objects(local, 'dataElements', 'id,name')).filter(
          (o) => o.id === de.id,
        );
        assert.equal(live?.name, edited);
      } finally {
        await local.stop();
      }
    });
    after(async () => {
      await central?.dispose();
      await database?.dispose();
    });

    it('drift --help says drift is a warning: exit code 0', async () => {
      const r = await cli(['drift', '--help']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^Usage: metasync drift \[--json\]/);
      assert.match(r.stdout, /Drift is a warning, not an error: the exit code\s+is 0/);
    });

    it('drift lists the edited data element with its name path and both values, exit 0', async () => {
      const r = await cli(['drift']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^Compared with the versions applied \(Version_1, applied since /m);
      assert.match(r.stdout, /^dataElements\s+1\s+0\s+0$/m);
      assert.match(r.stdout, /^total\s+1\s+0\s+0$/m);
      assert.match(r.stdout, /^Changed locally \(1\):$/m);
      assert.ok(r.stdout.includes(`  dataElements  ${String(de.id)}  ${edited}`), r.stdout);
      assert.ok(
        r.stdout.includes(`      name: ${JSON.stringify(de.name)} → ${JSON.stringify(edited)}`),
        r.stdout,
      );
      assert.doesNotMatch(r.stdout, /Created locally|Deleted locally/);
    });

    it('drift --json prints the DriftReport', async () => {
      const r = await cli(['drift', '--json', '--type', 'dataElements']);
      assert.equal(r.code, 0, r.stderr);
      const report = JSON.parse(r.stdout) as DriftReport;
      assert.deepEqual(report.counts, { changed: 1, created: 0, deleted: 0 });
      assert.equal(report.base?.version, 'Version_1');
      assert.deepEqual(
        report.changed.map((o) => [o.type, o.id, o.paths?.find((p) => p.path === 'name')]),
        [['dataElements', de.id, { path: 'name', implied: de.name, live: edited }]],
      );
      assert.deepEqual([report.created, report.deleted, report.truncated], [[], [], false]);
    });

    it('drift repair refuses a missing or short reason', async () => {
      for (const args of [
        ['drift', 'repair'],
        ['drift', 'repair', '--reason', 'ok'],
      ]) {
        const r = await cli(args);
        assert.equal(r.code, 1);
        assert.match(r.stderr, /A reason of at least 5 characters is required for the audit log/);
      }
    });

    it('drift repair --dry-run says what it would restore and changes nothing', async () => {
      const r = await cli(['drift', 'repair', '--dry-run', '--reason', 'Looking first']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^Dry run: nothing was changed/m);
      assert.match(r.stdout, /^Restore: 1$/m);
      assert.ok(r.stdout.includes(`  dataElements  ${String(de.id)}`), r.stdout);
      const report = await driftNow();
      assert.deepEqual(report.counts, { changed: 1, created: 0, deleted: 0 });
    });

    it('drift repair --reason restores the name, audited as the CLI user; drift is then empty', async () => {
      const r = await cli(['drift', 'repair', '--reason', 'Name edited by mistake']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^Restored: 1$/m);
      assert.match(r.stdout, /^Drift left: 0 changed, 0 created, 0 deleted\.$/m);
      assert.match(r.stdout, new RegExp(`^Recorded in the audit log as ${CLI_USER}\\.$`, 'm'));
      const check = await cli(['drift']);
      assert.equal(check.code, 0, check.stderr);
      assert.match(check.stdout, /No drift: this instance matches the versions it applied\./);
      await withServices(database, async (s) => {
        const [entry] = await s.sync.audits();
        assert.deepEqual(
          [entry?.action, entry?.username, entry?.reason],
          ['DRIFT_REPAIR', CLI_USER, 'Name edited by mistake'],
        );
      });
    });
  });
}
