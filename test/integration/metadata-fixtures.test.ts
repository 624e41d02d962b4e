/**
 * The real DHIS2 files of ../shared/research/fixtures (core/ and packages/) through POST
 * /api/metadata on both backends (issue 4 Tests): stats against the README counts, the
 * create→update pairs, delete by uid and by code, duplicates, and "default" category combo
 * handling. One server per backend; files that need a fresh database reset the metadata.
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
import {
  changeSeq,
  errorCodes,
  errorReports,
  getJson,
  getObject,
  send,
} from '../support/metadata.ts';
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

    it('finds the core/ and packages/ files of the README inventory', () => {
      assert.ok(clean.length >= 20, `only ${clean.length} clean files in the README inventory`);
    });

    for (const row of clean)
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

    it('aggregate/metadata.json: data sets point at org units of the target DB (E5002), NONE imports the rest', async () => {
      const file = 'core/dhis-test-e2e/aggregate/metadata.json';
      await resetMetadata(server);
      const seq = await changeSeq(server);
      const all = await importFixture(server, file);
      assert.equal(all.httpStatus, 409);
      assert.equal(all.report.status, 'ERROR');
      assert.deepEqual(errorCodes(all.report), ['E5002']);
      for (const e of errorReports(all.report))
        assert.match(e.errorProperty!, /^organisationUnits/);
      assert.equal(await changeSeq(server), seq, 'ALL wrote something');
      const none = await importFixture(server, file, { atomicMode: 'NONE' });
      assert.equal(none.httpStatus, 200);
      assert.equal(none.report.status, 'WARNING');
      assert.equal(statsByType(none.report).get('dataSets')!.ignored, 2);
      assert.equal(none.report.stats.ignored, 2);
      assert.equal(none.report.stats.created + none.report.stats.updated, 145);
    });

    it('ignores dataValues_bulk.json (no metadata types) and warns about packageGroups (E4064)', async () => {
      const values = await importFixture(
        server,
        'core/dhis-test-e2e/aggregate/dataValues_bulk.json',
      );
      assert.equal(values.httpStatus, 200);
      assert.equal(values.report.status, 'OK');
      assert.equal(values.report.stats.total, 0);
      const index = await importFixture(server, 'packages/package_index.json');
      assert.equal(index.httpStatus, 200);
      assert.equal(index.report.status, 'WARNING');
      assert.deepEqual(errorCodes(index.report), ['E4064']);
      assert.equal(index.report.stats.ignored, 3);
    });

    it('de_create_and_update1 → 2: the second import creates 1 and updates 4 (unchanged)', async () => {
      await resetMetadata(server);
      await importFixture(server, `${DXF2}/de_create_and_update1.json`);
      const before = await getObject(server, 'dataElements', 'deabcdefghA');
      const { report } = await importFixture(server, `${DXF2}/de_create_and_update2.json`);
      assert.equal(report.status, 'OK');
      assert.equal(report.stats.created, 1);
      assert.equal(report.stats.updated, 4);
      assert.equal(report.stats.unchanged, 4);
      assert.equal((await getObject(server, 'dataElements', 'deabcdefghE'))?.name, 'DEE');
      assert.deepEqual(await getObject(server, 'dataElements', 'deabcdefghA'), before);
    });

    it('dataset_with_sections_gf → _gf_update: the data set and its sections are updated', async () => {
      await resetMetadata(server);
      await importFixture(server, `${DXF2}/dataset_with_sections_gf.json`);
      assert.equal((await getObject(server, 'dataSets', 'em8Bg4LCr5k'))?.name, 'Data Set');
      const { report } = await importFixture(
        server,
        `${DXF2}/dataset_with_sections_gf_update.json`,
      );
      assert.equal(report.status, 'OK');
      assert.equal(report.stats.created, 0);
      assert.equal(report.stats.updated, 16);
      assert.equal((await getObject(server, 'dataSets', 'em8Bg4LCr5k'))?.name, 'Updated Data Set');
      const section = await getObject(server, 'sections', 'JwcV2ZifEQf');
      assert.deepEqual(section?.greyedFields, [
        { dataElement: { id: 'nHwIqKAudKN' }, categoryOptionCombo: { id: 'p99yaU6mweU' } },
      ]);
    });

    it('org_unit_code_id → _update: matched by code (no ids in the files), renamed', async () => {
      await resetMetadata(server);
      await importFixture(server, `${DXF2}/org_unit_code_id.json`);
      const list = () =>
        getJson<{ organisationUnits: { id: string; name: string }[] }>(
          server,
          '/api/organisationUnits?filter=code:eq:org-unit-1&fields=id,name',
        );
      const [created] = (await list()).body.organisationUnits;
      assert.equal(created?.name, 'org-unit-1');
      const { report } = await importFixture(server, `${DXF2}/org_unit_code_id_update.json`, {
        identifier: 'AUTO',
      });
      assert.equal(report.status, 'OK');
      assert.equal(report.stats.updated, 1);
      assert.deepEqual((await list()).body.organisationUnits, [
        { id: created.id, name: 'org-unit-1-new-name' },
      ]);
    });

    it('de_update1 → de_update2: codes change on the stored objects', async () => {
      await resetMetadata(server);
      await importFixture(server, `${DXF2}/de_update1.json`);
      assert.equal((await getObject(server, 'dataElements', 'deabcdefghA'))?.code, 'DECA');
      const { report } = await importFixture(server, `${DXF2}/de_update2.json`);
      assert.equal(report.stats.updated, 4);
      assert.equal(report.stats.unchanged ?? 0, 0);
      assert.equal(
        (await getObject(server, 'dataElements', 'deabcdefghA'))?.code,
        'DataElementCodeA',
      );
    });

    it('de_simple_delete_uid deletes by uid (after de_create_and_update1)', async () => {
      await resetMetadata(server);
      await importFixture(server, `${DXF2}/de_create_and_update1.json`);
      const { report } = await importFixture(server, `${DXF2}/de_simple_delete_uid.json`, {
        importStrategy: 'DELETE',
      });
      assert.equal(report.status, 'OK');
      assert.equal(report.stats.deleted, 3);
      for (const id of ['deabcdefghA', 'deabcdefghC', 'deabcdefghD'])
        assert.equal(await getObject(server, 'dataElements', id), null);
      assert.ok(await getObject(server, 'dataElements', 'deabcdefghB'));
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

    it('metadata_no_defaults: objects without categoryCombo get the default one', async () => {
      await resetMetadata(server);
      const { report } = await importFixture(server, `${DXF2}/metadata_no_defaults.json`);
      assert.equal(report.status, 'OK');
      const de = await getObject(server, 'dataElements', 'TVhgZzgkACY');
      assert.deepEqual(de?.categoryCombo, { id: 'bjDvmb4bfuf' });
      const { body } = await getJson<{ dataSets: { categoryCombo: unknown }[] }>(
        server,
        '/api/dataSets?fields=categoryCombo',
      );
      assert.deepEqual(body.dataSets, [{ categoryCombo: { id: 'bjDvmb4bfuf' } }]);
    });

    it('defaults_invalid: an unknown categoryCombo is E5002 on categoryCombo; nothing written', async () => {
      await resetMetadata(server);
      const { httpStatus, report } = await importFixture(server, `${DXF2}/defaults_invalid.json`);
      assert.equal(httpStatus, 409);
      const errs = errorReports(report);
      assert.deepEqual(errorCodes(report), ['E5002']);
      assert.deepEqual(new Set(errs.map((e) => e.errorProperty)), new Set(['categoryCombo']));
      assert.deepEqual(new Set(errs.map((e) => e.value)), new Set(['hmqVMxvDKUD']));
      assert.equal(await getObject(server, 'dataElements', 'deabcdefghA'), null);
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
