/**
 * The real DHIS2 files of ../shared/research/fixtures (core/ and packages/) through the metadata
 * import over the in-memory stores (issue 4 Tests): stats against the README counts, the
 * create→update pairs, delete by uid and by code, duplicates, and "default" category combo
 * handling. Each test starts from what a new instance holds (the default category model, role
 * Superuser and user admin). test/integration/metadata-fixtures.test.ts keeps a few of these
 * files through HTTP on both databases.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { ImportParams } from '../../src/domain/metadata/import-params.ts';
import type { ImportReport } from '../../src/domain/metadata/import-report.ts';
import { createImportWorld } from '../support/fakes/memory-import.ts';
import { FIXTURES, fixturesSkip, inventory, type InventoryRow } from '../support/fixtures.ts';
import { METADATA_TYPES } from '../../src/domain/metadata/types.ts';

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

const errorReports = (r: ImportReport) =>
  r.typeReports.flatMap((t) => t.objectReports.flatMap((o) => o.errorReports));
const errorCodes = (r: ImportReport) => [...new Set(errorReports(r).map((e) => e.errorCode))];
const KEY_OF_KLASS = new Map(METADATA_TYPES.map((t) => [t.klass, t.key]));
const statsByType = (r: ImportReport) =>
  new Map(r.typeReports.map((t) => [KEY_OF_KLASS.get(t.klass) ?? t.klass, t.stats]));

async function fresh() {
  const w = await createImportWorld(1, { superuser: true });
  const importFixture = async (file: string, params: Partial<ImportParams> = {}) =>
    w.run(JSON.parse(await readFile(path.join(FIXTURES, file), 'utf8')), params);
  return { ...w, importFixture };
}

describe(
  'metadata fixtures (core, packages) over the in-memory stores',
  { skip: fixturesSkip },
  () => {
    it('finds the core/ and packages/ files of the README inventory', () => {
      assert.ok(clean.length >= 20, `only ${clean.length} clean files in the README inventory`);
    });

    for (const row of clean)
      it(`imports ${row.file}: created + updated per type = README counts`, async () => {
        const w = await fresh();
        const report = await w.importFixture(row.file);
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
      const w = await fresh();
      const file = 'core/dhis-test-e2e/aggregate/metadata.json';
      const seq = await w.store.changeSeq();
      const all = await w.importFixture(file);
      assert.equal(all.status, 'ERROR');
      assert.deepEqual(errorCodes(all), ['E5002']);
      for (const e of errorReports(all)) assert.match(e.errorProperty!, /^organisationUnits/);
      assert.equal(await w.store.changeSeq(), seq, 'ALL wrote something');
      const none = await w.importFixture(file, { atomicMode: 'NONE' });
      assert.equal(none.status, 'WARNING');
      assert.equal(statsByType(none).get('dataSets')!.ignored, 2);
      assert.equal(none.stats.ignored, 2);
      assert.equal(none.stats.created + none.stats.updated, 145);
    });

    it('ignores dataValues_bulk.json (no metadata types) and warns about packageGroups (E4064)', async () => {
      const w = await fresh();
      const values = await w.importFixture('core/dhis-test-e2e/aggregate/dataValues_bulk.json');
      assert.equal(values.status, 'OK');
      assert.equal(values.stats.total, 0);
      const index = await w.importFixture('packages/package_index.json');
      assert.equal(index.status, 'WARNING');
      assert.deepEqual(errorCodes(index), ['E4064']);
      assert.equal(index.stats.ignored, 3);
    });

    it('de_create_and_update1 → 2: the second import creates 1 and updates 4 (unchanged)', async () => {
      const w = await fresh();
      await w.importFixture(`${DXF2}/de_create_and_update1.json`);
      const before = await w.store.get('dataElements', 'deabcdefghA');
      const report = await w.importFixture(`${DXF2}/de_create_and_update2.json`);
      assert.equal(report.status, 'OK');
      assert.equal(report.stats.created, 1);
      assert.equal(report.stats.updated, 4);
      assert.equal(report.stats.unchanged, 4);
      assert.equal((await w.store.get('dataElements', 'deabcdefghE'))?.name, 'DEE');
      assert.deepEqual(await w.store.get('dataElements', 'deabcdefghA'), before);
    });

    it('dataset_with_sections_gf → _gf_update: the data set and its sections are updated', async () => {
      const w = await fresh();
      await w.importFixture(`${DXF2}/dataset_with_sections_gf.json`);
      assert.equal((await w.store.get('dataSets', 'em8Bg4LCr5k'))?.name, 'Data Set');
      const report = await w.importFixture(`${DXF2}/dataset_with_sections_gf_update.json`);
      assert.equal(report.status, 'OK');
      assert.equal(report.stats.created, 0);
      assert.equal(report.stats.updated, 16);
      assert.equal((await w.store.get('dataSets', 'em8Bg4LCr5k'))?.name, 'Updated Data Set');
      const section = await w.store.get('sections', 'JwcV2ZifEQf');
      assert.deepEqual(section?.greyedFields, [
        { dataElement: { id: 'nHwIqKAudKN' }, categoryOptionCombo: { id: 'p99yaU6mweU' } },
      ]);
    });

    it('org_unit_code_id → _update: matched by code (no ids in the files), renamed', async () => {
      const w = await fresh();
      await w.importFixture(`${DXF2}/org_unit_code_id.json`);
      const list = async () =>
        (await w.store.list('organisationUnits'))
          .filter((o) => o.code === 'org-unit-1')
          .map((o) => ({ id: o.id, name: o.name }));
      const [created] = await list();
      assert.equal(created?.name, 'org-unit-1');
      const report = await w.importFixture(`${DXF2}/org_unit_code_id_update.json`, {
        identifier: 'AUTO',
      });
      assert.equal(report.status, 'OK');
      assert.equal(report.stats.updated, 1);
      assert.deepEqual(await list(), [{ id: created.id, name: 'org-unit-1-new-name' }]);
    });

    it('de_update1 → de_update2: codes change on the stored objects', async () => {
      const w = await fresh();
      await w.importFixture(`${DXF2}/de_update1.json`);
      assert.equal((await w.store.get('dataElements', 'deabcdefghA'))?.code, 'DECA');
      const report = await w.importFixture(`${DXF2}/de_update2.json`);
      assert.equal(report.stats.updated, 4);
      assert.equal(report.stats.unchanged ?? 0, 0);
      assert.equal((await w.store.get('dataElements', 'deabcdefghA'))?.code, 'DataElementCodeA');
    });

    it('de_simple_delete_uid deletes by uid (after de_create_and_update1)', async () => {
      const w = await fresh();
      await w.importFixture(`${DXF2}/de_create_and_update1.json`);
      const report = await w.importFixture(`${DXF2}/de_simple_delete_uid.json`, {
        importStrategy: 'DELETE',
      });
      assert.equal(report.status, 'OK');
      assert.equal(report.stats.deleted, 3);
      for (const id of ['deabcdefghA', 'deabcdefghC', 'deabcdefghD'])
        assert.equal(await w.store.get('dataElements', id), null);
      assert.ok(await w.store.get('dataElements', 'deabcdefghB'));
    });

    it('de_simple_delete_code deletes by code (after de_update2), leaving tombstones with codes', async () => {
      const w = await fresh();
      await w.importFixture(`${DXF2}/de_update2.json`);
      const report = await w.importFixture(`${DXF2}/de_simple_delete_code.json`, {
        importStrategy: 'DELETE',
        identifier: 'CODE',
      });
      assert.equal(report.status, 'OK');
      assert.equal(report.stats.deleted, 3);
      assert.ok(await w.store.get('dataElements', 'deabcdefghD'));
      assert.equal(await w.store.get('dataElements', 'deabcdefghA'), null);
      assert.deepEqual(
        w.store
          .tombstones()
          .map((t) => ({ id: t.id, code: t.code }))
          .sort((a, b) => (a.id < b.id ? -1 : 1)),
        [
          { id: 'deabcdefghA', code: 'DataElementCodeA' },
          { id: 'deabcdefghB', code: 'DataElementCodeB' },
          { id: 'deabcdefghC', code: 'DataElementCodeC' },
        ],
      );
    });

    for (const [file, code, ids] of [
      ['de_duplicate_uid', 'E5004', ['CCwk5Yx440o']],
      ['de_duplicate_code', 'E5003', ['CCwk5Yx440o', 'SG4HuKlNEFH']],
    ] as const)
      it(`rejects ${file}.json with ${code} and writes nothing`, async () => {
        const w = await fresh();
        const seq = await w.store.changeSeq();
        const report = await w.importFixture(`${DXF2}/${file}.json`);
        assert.equal(report.status, 'ERROR');
        assert.deepEqual(errorCodes(report), [code]);
        assert.equal(report.stats.created + report.stats.updated, 0);
        assert.equal(await w.store.changeSeq(), seq);
        for (const id of ids) assert.equal(await w.store.get('dataElements', id), null);
      });

    it('metadata_no_defaults: objects without categoryCombo get the default one', async () => {
      const w = await fresh();
      const report = await w.importFixture(`${DXF2}/metadata_no_defaults.json`);
      assert.equal(report.status, 'OK');
      const de = await w.store.get('dataElements', 'TVhgZzgkACY');
      assert.deepEqual(de?.categoryCombo, { id: 'bjDvmb4bfuf' });
      assert.deepEqual(
        (await w.store.list('dataSets')).map((d) => d.categoryCombo),
        [{ id: 'bjDvmb4bfuf' }],
      );
    });

    it('defaults_invalid: an unknown categoryCombo is E5002 on categoryCombo; nothing written', async () => {
      const w = await fresh();
      const report = await w.importFixture(`${DXF2}/defaults_invalid.json`);
      assert.equal(report.status, 'ERROR');
      const errs = errorReports(report);
      assert.deepEqual(errorCodes(report), ['E5002']);
      assert.deepEqual(new Set(errs.map((e) => e.errorProperty)), new Set(['categoryCombo']));
      assert.deepEqual(new Set(errs.map((e) => e.value)), new Set(['hmqVMxvDKUD']));
      assert.equal(await w.store.get('dataElements', 'deabcdefghA'), null);
    });

    it('orgunit_create_with_persisted_parent: E5002 until the parent exists, then OK', async () => {
      const w = await fresh();
      const file = `${DXF2}/orgunit_create_with_persisted_parent.json`;
      const first = await w.importFixture(file);
      assert.equal(first.status, 'ERROR');
      assert.ok(
        errorReports(first).some(
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
      assert.equal((await w.run({ organisationUnits: [parent] })).status, 'OK');
      const second = await w.importFixture(file);
      assert.equal(second.status, 'OK');
      assert.equal(second.stats.created, 2);
      const child = await w.store.get('organisationUnits', 'B8eJEMldsP7');
      assert.deepEqual(child?.parent, { id: 'bFzxXwTkSWA' });
    });
  },
);
