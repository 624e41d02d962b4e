/**
 * The data import use cases (issue 7: src/domain/data/import-data.ts) over the in-memory stores:
 * data value sets with every strategy, dryRun and idScheme, conflicts for each kind of bad value,
 * registrations and anonymous events. No server, no database: the fakes pass the DataStore
 * conformance suite, and test/integration/data-values.test.ts keeps these paths through HTTP.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  importDataValueSet,
  importEvents,
  importRegistrations,
  type DataDeps,
  type DataValueSetParams,
} from '../../src/domain/data/import-data.ts';
import { isAppError, ErrorCode } from '../../src/domain/errors.ts';
import { DATA_METADATA, IDS, value } from '../support/data.ts';
import { createMemoryDataStore } from '../support/fakes/memory-data-store.ts';
import { createImportWorld } from '../support/fakes/memory-import.ts';
import { uidSource } from '../support/generate-metadata.ts';

type Json = Record<string, unknown>;
const count = (imported: number, updated: number, ignored: number, deleted: number) => ({
  imported,
  updated,
  ignored,
  deleted,
});

async function dataWorld() {
  const world = await createImportWorld();
  const report = await world.run(DATA_METADATA, { atomicMode: 'NONE' });
  assert.equal(report.stats.ignored, 0, JSON.stringify(report.typeReports).slice(0, 2000));
  const store = createMemoryDataStore(world.store);
  let t = Date.parse('2026-02-01T00:00:00.000Z');
  const deps: DataDeps = {
    store,
    clock: { now: () => new Date((t += 1000)) },
    newUid: uidSource(7),
  };
  const params: DataValueSetParams = {
    importStrategy: 'CREATE_AND_UPDATE',
    dryRun: false,
    idScheme: 'UID',
  };
  const values = (body: Json, over: Partial<DataValueSetParams> = {}) =>
    importDataValueSet(deps, body, { ...params, ...over });
  const map = async (q: Parameters<typeof store.queryDataValues>[0]) =>
    Object.fromEntries(
      (await store.queryDataValues(q))
        .map((v) => [`${v.dataElement}/${v.period}/${v.orgUnit}`, v.value] as const)
        .sort(),
    );
  return { store, deps, values, map };
}

describe('data import over the in-memory stores', () => {
  it('imports a data value set with its defaults, as the export reads it back', async () => {
    const w = await dataWorld();
    const r = await w.values({
      dataSet: IDS.dataSet,
      period: '202001',
      orgUnit: IDS.ouRoot,
      dataValues: [
        { dataElement: IDS.deNumber, value: '1.5', comment: 'c' },
        { dataElement: IDS.deInteger, value: '7' },
        { dataElement: IDS.deNumber, orgUnit: IDS.ouChild, value: '2' },
        { dataElement: IDS.deBool, value: 'true' },
      ],
    });
    assert.equal(r.responseType, 'ImportSummary');
    assert.equal(r.status, 'SUCCESS');
    assert.deepEqual(r.importCount, count(4, 0, 0, 0));
    assert.deepEqual(await w.map({ periods: ['202001'], orgUnits: [IDS.ouRoot] }), {
      [`${IDS.deBool}/202001/${IDS.ouRoot}`]: 'true',
      [`${IDS.deInteger}/202001/${IDS.ouRoot}`]: '7',
      [`${IDS.deNumber}/202001/${IDS.ouRoot}`]: '1.5',
    });
    const withChildren = await w.store.queryDataValues({
      dataElements: [IDS.deNumber],
      orgUnits: [IDS.ouRoot],
      children: true,
    });
    assert.equal(withChildren.length, 2);
    const one = withChildren.find((v) => v.orgUnit === IDS.ouRoot)!;
    assert.equal(one.comment, 'c');
    assert.equal(one.categoryOptionCombo, IDS.coc);
    assert.equal(one.attributeOptionCombo, IDS.coc);
    assert.equal(one.lastUpdated, one.created);
  });

  it('re-posting identical values changes nothing; a changed one is updated', async () => {
    const w = await dataWorld();
    const body = { dataValues: [value(IDS.deNumber, '202001', '1.5', { comment: 'c' })] };
    await w.values(body);
    const before = await w.store.committedSeq();
    const again = await w.values(body);
    assert.equal(again.status, 'SUCCESS');
    assert.deepEqual(again.importCount, count(0, 0, 1, 0));
    assert.equal(await w.store.committedSeq(), before);
    const changed = await w.values({
      dataValues: [value(IDS.deNumber, '202001', '3', { comment: 'c' })],
    });
    assert.deepEqual(changed.importCount, count(0, 1, 0, 0));
    assert.equal(await w.store.committedSeq(), before + 1);
  });

  it('reports unknown references, bad periods and non-numeric values as conflicts, committing the rest', async () => {
    const w = await dataWorld();
    const r = await w.values({
      dataValues: [
        value('NoSuchDe001', '202002', '1'),
        value(IDS.deNumber, '2020-2', '1'), // DHIS2 reads 2020-02, not 2020-2
        value(IDS.deNumber, '202002', '1', { orgUnit: 'NoSuchOu001' }),
        value(IDS.deNumber, '202002', '1', { categoryOptionCombo: 'NoSuchCoc01' }),
        value(IDS.deNumber, '202002', '1', { attributeOptionCombo: 'NoSuchAoc01' }),
        value(IDS.deNumber, '202002', 'ten'),
        value(IDS.deInteger, '202002', '-1'),
        value(IDS.deBool, '202002', 'maybe'),
        value(IDS.deText, '202002', 'free text is fine'),
      ],
    });
    assert.equal(r.status, 'WARNING');
    assert.deepEqual(r.importCount, count(1, 0, 8, 0));
    assert.deepEqual(
      r.conflicts.map((c) => [c.object, c.errorCode ?? null]),
      [
        ['NoSuchDe001', null],
        ['2020-2', 'E7611'],
        ['NoSuchOu001', null],
        ['NoSuchCoc01', null],
        ['NoSuchAoc01', null],
        ['ten', null],
        ['-1', null],
        ['maybe', null],
      ],
    );
    assert.deepEqual(Object.keys(await w.map({ periods: ['202002'] })), [
      `${IDS.deText}/202002/${IDS.ouRoot}`,
    ]);
    const allBad = await w.values({ dataValues: [value('NoSuchDe001', '202002', '1')] });
    assert.equal(allBad.status, 'ERROR');
    const badSet = await w.values({ dataSet: 'NoSuchSet01', dataValues: [] });
    assert.equal(badSet.status, 'ERROR');
    assert.equal(badSet.conflicts[0]!.object, 'NoSuchSet01');
    assert.equal(badSet.description, 'Import process was aborted');
  });

  it('honours importStrategy, dryRun and idScheme=CODE; deletes are soft', async () => {
    const w = await dataWorld();
    const seq = await w.store.committedSeq();
    const dry = await w.values(
      { dataValues: [value(IDS.deNumber, '202003', '5')] },
      { dryRun: true },
    );
    assert.deepEqual(dry.importCount, count(1, 0, 0, 0));
    assert.equal(await w.store.committedSeq(), seq);
    assert.deepEqual(await w.map({ periods: ['202003'] }), {});

    const byCode = await w.values(
      {
        dataValues: [
          { dataElement: 'DE_NUMBER', period: '202003', orgUnit: 'OU_ROOT', value: '5' },
        ],
      },
      { idScheme: 'CODE' },
    );
    assert.equal(byCode.status, 'SUCCESS', JSON.stringify(byCode.conflicts));
    assert.deepEqual(await w.map({ periods: ['202003'] }), {
      [`${IDS.deNumber}/202003/${IDS.ouRoot}`]: '5',
    });
    const create = await w.values(
      { dataValues: [value(IDS.deNumber, '202003', '6')] },
      { importStrategy: 'CREATE' },
    );
    assert.equal(create.status, 'ERROR');
    const update = await w.values(
      { dataValues: [value(IDS.deInteger, '202003', '6')] },
      { importStrategy: 'UPDATE' },
    );
    assert.equal(update.importCount.ignored, 1);

    const del = await w.values(
      { dataValues: [value(IDS.deNumber, '202003', '5')] },
      { importStrategy: 'DELETE' },
    );
    assert.deepEqual(del.importCount, count(0, 0, 0, 1));
    assert.deepEqual(await w.map({ periods: ['202003'] }), {});
    const withDeleted = await w.store.queryDataValues({
      periods: ['202003'],
      includeDeleted: true,
    });
    assert.equal(withDeleted[0]!.deleted, true);
    const back = await w.values({ dataValues: [value(IDS.deNumber, '202003', '8')] });
    assert.deepEqual(back.importCount, count(1, 0, 0, 0));
  });

  it('refuses text the database cannot store as a bad request, writing nothing', async () => {
    const w = await dataWorld();
    const seq = await w.store.committedSeq();
    await assert.rejects(
      w.values({ dataValues: [value(IDS.deText, '202004', 'NUL \u0000 here')] }),
      (e: unknown) => isAppError(e) && e.code === ErrorCode.BAD_REQUEST,
    );
    await assert.rejects(
      importEvents(w.deps, { events: [{ event: 'x\ud800' }] }, { strategy: 'SYNC', dryRun: false }),
      (e: unknown) => isAppError(e) && e.code === ErrorCode.BAD_REQUEST,
    );
    assert.equal(await w.store.committedSeq(), seq);
  });

  it('imports complete data set registrations, with conflicts for bad periods', async () => {
    const w = await dataWorld();
    const reg = {
      dataSet: IDS.dataSet,
      period: '202001',
      organisationUnit: IDS.ouRoot,
      completed: true,
    };
    const r = await importRegistrations(
      w.deps,
      { completeDataSetRegistrations: [reg, { ...reg, period: 'bad' }] },
      false,
    );
    assert.equal(r.status, 'WARNING');
    assert.deepEqual(r.importCount, count(1, 0, 1, 0));
    const got = await w.store.queryRegistrations({
      dataSets: [IDS.dataSet],
      periods: ['202001'],
      orgUnits: [IDS.ouRoot],
    });
    assert.equal(got.length, 1);
    assert.equal(got[0]!.attributeOptionCombo, IDS.coc);
    const unknown = await importRegistrations(
      w.deps,
      { completeDataSetRegistrations: [{ ...reg, dataSet: 'NoSuchSet02' }] },
      false,
    );
    assert.equal(unknown.status, 'ERROR');
    const seq = await w.store.committedSeq();
    const dry = await importRegistrations(
      w.deps,
      { completeDataSetRegistrations: [{ ...reg, period: '202002' }] },
      true,
    );
    assert.deepEqual(dry.importCount, count(1, 0, 0, 0));
    assert.equal(await w.store.committedSeq(), seq);
  });

  it('imports anonymous events with strategy=SYNC: a failing one makes the summaries ERROR', async () => {
    const w = await dataWorld();
    const event = {
      event: 'DataEvent01',
      program: IDS.program,
      programStage: IDS.stage,
      orgUnit: IDS.ouRoot,
      eventDate: '2020-01-15T00:00:00.000',
      status: 'COMPLETED',
      dataValues: [{ dataElement: IDS.deText, value: 'seen' }],
    };
    const post = (events: Json[]) =>
      importEvents(w.deps, { events }, { strategy: 'SYNC', dryRun: false });
    const r = await post([event, { ...event, event: 'DataEvent02', program: 'NoSuchProg1' }]);
    assert.equal(r.status, 'ERROR');
    assert.equal(r.imported, 1);
    assert.equal(r.ignored, 1);
    assert.equal(r.importSummaries[0]!.reference, 'DataEvent01');
    assert.equal(r.importSummaries[1]!.reference, 'DataEvent02');
    const again = await post([event]);
    assert.equal(again.status, 'SUCCESS');
    assert.equal(again.ignored, 1);
    const list = await w.store.queryEvents({ program: IDS.program });
    assert.equal(list.length, 1);
    assert.deepEqual(list[0]!.dataValues, [{ dataElement: IDS.deText, value: 'seen' }]);
  });
});
