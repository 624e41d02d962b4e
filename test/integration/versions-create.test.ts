/**
 * Creating versions over HTTP and on the CLI, on both backends (issue 5 §2, contract §4, §6.4):
 * the entity and list shapes, the parentHashCode chain, DHIS2's authorities (F_METADATA_EXPORT
 * from Version_2 on), 409 when nothing changed unless force=true, type validation, the preview
 * of the next version, and `metasync version create|list` (PostgreSQL only: a CLI process needs
 * a database URL).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { backends, createTestDatabase, type TestDatabase } from '../support/databases.ts';
import { startServer, type TestServer } from '../support/server.ts';
import {
  DHIS2_DATE,
  assertVersionFields as assertVersion,
  createVersion,
  createVersionRequest,
  dataElement,
  importDataElements,
  enableVersioning,
  fetchJson,
  listVersions,
  okJson,
  postDataElement,
  putDataElement,
  resetVersions,
  snapshot,
  snapshotBytes,
  typeKeys,
  uid,
  type Snapshot,
  type VersionJson,
} from '../support/versions.ts';

type Auth = [string, string];
const run = promisify(execFile);
const BIN = path.resolve(import.meta.dirname, '../../bin/metasync.js');
const MANAGE: Auth = ['vmanager', 'Manage-only-1!'];
const MANAGE_EXPORT: Auth = ['vexporter', 'Manage-export-1!'];

const countsOf = (s: Snapshot) =>
  Object.fromEntries(typeKeys(s).map((k) => [k, (s[k] as unknown[]).length]));

for (const backend of await backends()) {
  describe(`creating metadata versions on ${backend}`, () => {
    // One server per backend for the file: a PGlite instance costs ~2 s (stack.md §2).
    let database: TestDatabase;
    let server: TestServer;
    before(async () => {
      database = await createTestDatabase(backend);
      server = await startServer(database);
      const users: [Auth, string[]][] = [
        [MANAGE, ['F_METADATA_MANAGE']],
        [MANAGE_EXPORT, ['F_METADATA_MANAGE', 'F_METADATA_EXPORT']],
      ];
      for (const [[username, password], authorities] of users)
        await server.instance.services.users.create({ username, password, authorities });
    });
    after(async () => {
      await server.stop();
      await database.dispose();
    });

    it('GET /versions: oldest first, DHIS2 key order and dates, no importdate on a central; create answers the entity', async () => {
      await resetVersions(server);
      const v1 = await createVersionRequest(server, 'ATOMIC');
      assert.equal(v1.status, 200);
      assert.deepEqual(Object.keys(v1.body), [
        'name',
        'created',
        'lastUpdated',
        'displayName',
        'type',
        'hashCode',
        'id',
      ]);
      assert.equal(v1.body.displayName, 'Version_1');
      assert.match(v1.body.lastUpdated!, DHIS2_DATE);
      assert.deepEqual(await okJson(server, '/api/metadata/version'), v1.body);
      const v2 = await createVersion(server, 'BEST_EFFORT', { force: true });
      const list = await listVersions(server);
      const keys = ['name', 'type', 'created', 'id', 'hashCode'];
      assert.deepEqual(Object.keys(list[0]!), keys);
      assert.deepEqual(Object.keys(list[1]!), [...keys, 'parentHashCode']);
      assert.deepEqual(
        list.map((v) => [v.name, v.type, v.created, v.id, v.hashCode]),
        [v1.body, v2].map((v) => [v.name, v.type, v.created, v.id, v.hashCode]),
      );
      assert.ok(list[0]!.created <= list[1]!.created);
    });

    it('parentHashCode chains each version to the one before; Version_1 has none', async () => {
      await resetVersions(server);
      const vs: VersionJson[] = [await createVersion(server, 'ATOMIC')];
      for (let i = 0; i < 2; i++) {
        await postDataElement(server, dataElement(uid(), `Chain ${uid()}`));
        vs.push(await createVersion(server));
      }
      assert.ok(!('parentHashCode' in vs[0]!));
      for (let i = 1; i < vs.length; i++) assert.equal(vs[i]!.parentHashCode, vs[i - 1]!.hashCode);
      assert.equal(new Set(vs.map((v) => v.hashCode)).size, vs.length);
      const parents = vs.map((v) => v.parentHashCode);
      assert.deepEqual(
        (await listVersions(server)).map((v) => v.parentHashCode),
        parents,
      );
      const history = await okJson<{ metadataversions: VersionJson[] }>(
        server,
        '/api/metadata/version/history',
      );
      assert.deepEqual(
        history.metadataversions.map((v) => v.parentHashCode),
        parents,
      );
      const v3 = await okJson<VersionJson>(server, '/api/metadata/version?versionName=Version_3');
      assert.equal(v3.parentHashCode, vs[1]!.hashCode);
    });

    it('create needs F_METADATA_MANAGE; from Version_2 on also F_METADATA_EXPORT (or ALL)', async () => {
      await resetVersions(server);
      const v1 = await createVersionRequest(server, 'ATOMIC', { auth: MANAGE });
      assert.equal(v1.status, 200, v1.text);
      assert.equal(v1.body.name, 'Version_1');
      await postDataElement(server, dataElement(uid(), `Auth ${uid()}`));
      const v2 = await createVersionRequest(server, 'ATOMIC', { auth: MANAGE });
      assert.equal(v2.status, 403, v2.text);
      assert.equal(v2.body.errorCode, 'E1006');
      assert.match(v2.body.message as string, /F_METADATA_EXPORT/);
      assert.equal((await listVersions(server)).length, 1, 'a refused create creates nothing');
      const v2ok = await createVersionRequest(server, 'ATOMIC', { auth: MANAGE_EXPORT });
      assert.equal(v2ok.body.name, 'Version_2', v2ok.text);
      // A manage-only user may still read the snapshots.
      const data = await server.request('/api/metadata/version/Version_2/data', { auth: MANAGE });
      assert.equal(data.status, 200);
      await data.arrayBuffer();

      await resetVersions(server);
      for (const [i, type] of ['ATOMIC', 'BEST_EFFORT'].entries()) {
        await postDataElement(server, dataElement(uid(), `Auth ${uid()}`));
        const r = await createVersionRequest(server, type, { auth: MANAGE_EXPORT });
        assert.equal(r.body.name, `Version_${i + 1}`, r.text);
      }
    });

    it('nothing changed: 409 E1004 and no version, unless force=true', async () => {
      await resetVersions(server);
      await createVersion(server, 'ATOMIC');
      for (const q of ['type=ATOMIC', 'type=BEST_EFFORT&force=false']) {
        const r = await fetchJson(server, `/api/metadata/version/create?${q}`, { method: 'POST' });
        assert.equal(r.status, 409, r.text);
        assert.equal(r.body.errorCode, 'E1004');
        assert.equal(r.body.httpStatus, 'Conflict');
        assert.match(r.body.message as string, /Version_1.*force=true/);
      }
      assert.equal((await listVersions(server)).length, 1);
      assert.equal((await createVersion(server, 'ATOMIC', { force: true })).name, 'Version_2');
      const s = await snapshot(server, 'Version_2');
      assert.deepEqual(Object.keys(s), ['system'], 'a forced empty version holds no objects');
    });

    it('preview names the next version and counts what the create then contains', async () => {
      await resetVersions(server);
      await createVersion(server, 'ATOMIC');
      const empty = { name: 'Version_2', objects: 0, types: {}, deletions: 0, bytes: 0 };
      assert.deepEqual(await okJson(server, '/api/metadata/version/preview'), empty);
      const des = Array.from({ length: 4 }, (_, i) => dataElement(uid(), `Preview ${i} ${uid()}`));
      await importDataElements(server, des);
      await putDataElement(server, { ...des[0]!, name: `Preview renamed ${uid()}` });
      const option = { id: uid(), name: `Preview option ${uid()}`, shortName: `PO ${uid()}` };
      const r = await fetchJson(server, '/api/categoryOptions', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(option),
      });
      assert.equal(r.status, 201, r.text);
      const preview = await okJson(server, '/api/metadata/version/preview');
      assert.deepEqual(preview.types, { dataElements: 4, categoryOptions: 1 });
      assert.equal(preview.objects, 5);
      assert.equal(preview.deletions, 0);
      const v = await createVersion(server);
      assert.equal(v.name, preview.name);
      const bytes = await snapshotBytes(server, v.name);
      const s = JSON.parse(bytes.toString('utf8')) as Snapshot;
      assert.deepEqual(countsOf(s), preview.types);
      assert.ok((preview.bytes as number) > 0 && (preview.bytes as number) <= bytes.length);
      assert.ok(bytes.length - (preview.bytes as number) < 400, 'bytes is close to the real size');
      const next = await okJson(server, '/api/metadata/version/preview');
      assert.equal(next.name, 'Version_3');
      assert.equal(next.objects, 0);
    });

    it('validates type: FOO and a missing type answer 400 and create nothing', async () => {
      await resetVersions(server);
      const foo = await createVersionRequest(server, 'FOO');
      assert.equal(foo.status, 400);
      assert.equal(
        foo.body.message,
        "Value 'FOO' is not valid for parameter type. Valid values are: [BEST_EFFORT, ATOMIC]",
      );
      assert.equal(foo.body.errorCode, 'E1003');
      const missing = await fetchJson(server, '/api/metadata/version/create', { method: 'POST' });
      assert.equal(missing.status, 400);
      assert.equal(missing.body.status, 'ERROR');
      assert.deepEqual(await listVersions(server), []);
    });

    it(
      'metasync version create --type ATOMIC and version list (CLI against PostgreSQL)',
      {
        skip: backend !== 'postgres' && 'a CLI process needs a PostgreSQL database URL',
      },
      async () => {
        assert.ok('databaseUrl' in database.location);
        const url = database.location.databaseUrl;
        const cli = (...args: string[]) =>
          run(process.execPath, [BIN, 'version', ...args, '--database-url', url]);
        const failure = (e: { code: number; stderr: string }) => e;
        await resetVersions(server);
        await enableVersioning(server, false);
        const [off, bad] = await Promise.all([
          cli('create', '--type', 'ATOMIC').then(() => assert.fail('must fail while off'), failure),
          cli('create', '--type', 'FOO').then(() => assert.fail('--type FOO must fail'), failure),
        ]);
        assert.equal(off.code, 1);
        assert.match(off.stderr, /Metadata versioning is not enabled/);
        assert.equal(bad.code, 1);
        assert.match(bad.stderr, /--type must be one of BEST_EFFORT, ATOMIC/);
        await enableVersioning(server);
        assert.deepEqual(await listVersions(server), []);

        const created = await cli('create', '--type', 'ATOMIC');
        assert.match(created.stdout, /^Created Version_1 \(ATOMIC\): \d+ objects/);
        const [v1] = await listVersions(server);
        assertVersion(v1!, 'Version_1');
        assert.ok(created.stdout.includes(v1!.hashCode));
        await createVersion(server, 'BEST_EFFORT', { force: true });
        const lines = (await cli('list')).stdout.trim().split('\n');
        assert.equal(lines.length, 2);
        assert.match(
          lines[0]!,
          /^Version_1\s+ATOMIC\s+[\d-]+T[\d:.]+\s+\d+\s+\d+ B\s+[0-9a-f]{32}$/,
        );
        assert.ok(lines[0]!.endsWith(v1!.hashCode));
        assert.match(lines[1]!, /^Version_2\s+BEST_EFFORT\s/);
      },
    );
  });
}
