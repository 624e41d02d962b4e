/**
 * Real DHIS2 files of ../shared/research/fixtures through POST /api/metadata on both backends
 * (issue 4 Tests): the largest package, users and an org unit tree against the README counts, a
 * delete by code leaving tombstones, duplicates writing nothing, a parent created through its
 * own route. Every core/ and packages/ file, the create→update pairs and the "default" category
 * combo handling are unit tests over the in-memory stores (test/unit/import-fixtures.test.ts).
 * One server per backend; files that need a fresh database reset the metadata.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { backends, createTestDatabase, type TestDatabase } from '../support/databases.ts';
import {
  fixturesSkip,
  importFixture,
  inventory,
  statsByType,
  type InventoryRow,
} from '../support/fixtures.ts';
import { changeSeq, errorCodes, errorReports, getObject, send } from '../support/metadata.ts';
import { resetMetadata } from '../support/reset.ts';
import { startServer, type TestServer } from '../support/server.ts';

const DXF2 = 'core/dhis-test-integration/dxf2';

/** Files that do not import cleanly on their own; each has its own test below. */
const SPECIAL = new Set([
  'core/dhis-test-e2e/aggregate/metadata.json',
  'core/dhis-test-e2e/aggregate/dataValues_bulk.json',
  'packages/package_index.json',
  ...[
    'de_simple_delete_uid',
    'de_simple_delete_code',
    'de_duplicate_uid',
    'de_duplicate_code',
    'defaults_invalid',
    'orgunit_create_with_persisted_parent',
  ].map((f) => `${DXF2}/${f}.json`),
]);

/** The files kept on the databases: the largest (a bulk write), users, an org unit tree. */
const ON_DATABASE = new Set([
  'packages/COD/COD-EVT_EN_V1_DHIS2.36/metadata.json',
  `${DXF2}/create_user_without_createdBy.json`,
  'packages/test/ous_metadata.json',
]);

const rows: InventoryRow[] = fixturesSkip ? [] : await inventory();
const clean = rows.filter(
  (r) => (r.file.startsWith('core/') || r.file.startsWith('packages/')) && !SPECIAL.has(r.file),
);

for (const backend of await backends()) {
  describe(`metadata fixtures (core, packages) on ${backend}`, { skip: fixturesSkip }, () => {
    let database: TestDatabase;
    let server: TestServer;
    before(async () => {
      database = await createTestDatabase(backend);
      server = await startServer(database);
    });
    after(async () => {
      await server?.stop();
      await database?.dispose();
    });

    it('finds the files it imports in the README inventory', () => {
      assert.equal(
        clean.filter((r) => ON_DATABASE.has(r.file)).length,
        ON_DATABASE.size,
        'a file kept on the databases is not in the README inventory',
      );
    });

    for (const row of clean.filter((r) => ON_DATABASE.has(r.file)))
      it(`imports ${row.file}: created + updated per type = README counts`, async () => {
        await resetMetadata(server);
        const { httpStatus, report, text } = await importFixture(server, row.file);
        assert.equal(httpStatus, 200, text.slice(0, 1000));
        assert.equal(report.status, 'OK', JSON.stringify(errorReports(report).slice(0, 5)));
        assert.equal(report.stats.ignored, 0);
        assert.equal(report.stats.total, row.objects);
        assert.equal(report.stats.created + report.stats.updated, row.objects);
        const byType = statsByType(report);
        for (const [type, n] of row.perType) {
          const s = byType.get(type);
          assert.ok(s, `no type report for ${type}`);
          assert.equal(s.created + s.updated, n, `${type}: ${JSON.stringify(s)}`);
        }
      });

    it('de_simple_delete_code deletes by code (after de_update2), leaving tombstones with codes', async () => {
      await resetMetadata(server);
      await importFixture(server, `${DXF2}/de_update2.json`);
      const { report } = await importFixture(server, `${DXF2}/de_simple_delete_code.json`, {
        importStrategy: 'DELETE',
        identifier: 'CODE',
      });
      assert.equal(report.status, 'OK');
      assert.equal(report.stats.deleted, 3);
      assert.ok(await getObject(server, 'dataElements', 'deabcdefghD'));
      assert.equal(await getObject(server, 'dataElements', 'deabcdefghA'), null);
      const tombstones = await server.instance.database.db
        .selectFrom('metadata_tombstone')
        .select(['id', 'code'])
        .orderBy('id')
        .execute();
      assert.deepEqual(tombstones, [
        { id: 'deabcdefghA', code: 'DataElementCodeA' },
        { id: 'deabcdefghB', code: 'DataElementCodeB' },
        { id: 'deabcdefghC', code: 'DataElementCodeC' },
      ]);
    });

    for (const [file, code, ids] of [
      ['de_duplicate_uid', 'E5004', ['CCwk5Yx440o']],
      ['de_duplicate_code', 'E5003', ['CCwk5Yx440o', 'SG4HuKlNEFH']],
    ] as const)
      it(`rejects ${file}.json with ${code} and writes nothing`, async () => {
        await resetMetadata(server);
        const seq = await changeSeq(server);
        const { httpStatus, report } = await importFixture(server, `${DXF2}/${file}.json`);
        assert.equal(httpStatus, 409);
        assert.equal(report.status, 'ERROR');
        assert.deepEqual(errorCodes(report), [code]);
        assert.equal(report.stats.created + report.stats.updated, 0);
        assert.equal(await changeSeq(server), seq);
        for (const id of ids) assert.equal(await getObject(server, 'dataElements', id), null);
      });

    it('orgunit_create_with_persisted_parent: E5002 until the parent exists, then OK', async () => {
      await resetMetadata(server);
      const file = `${DXF2}/orgunit_create_with_persisted_parent.json`;
      const first = await importFixture(server, file);
      assert.equal(first.httpStatus, 409);
      assert.ok(
        errorReports(first.report).some(
          (e) =>
            e.errorCode === 'E5002' && e.value === 'ImspTQPwCqd' && e.errorProperty === 'parent',
        ),
      );
      const parent = {
        id: 'ImspTQPwCqd',
        name: 'Sierra Leone',
        shortName: 'SL',
        openingDate: '1994-01-01',
      };
      assert.equal((await send(server, 'POST', '/api/organisationUnits', parent)).status, 201);
      const second = await importFixture(server, file);
      assert.equal(second.report.status, 'OK');
      assert.equal(second.report.stats.created, 2);
      const child = await getObject(server, 'organisationUnits', 'B8eJEMldsP7');
      assert.deepEqual(child?.parent, { id: 'bFzxXwTkSWA' });
    });
  });
}
