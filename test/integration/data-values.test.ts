/**
 * Aggregate data on one server (issue 7 §1, §2, §3, §5, §6): import and export of data value
 * sets, conflicts instead of crashes, identical re-posts that change nothing, single values,
 * complete registrations, anonymous events, authorities, and DHIS2's e2e `dataValues_bulk.json`.
 * One server per backend.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { backends } from '../support/databases.ts';
import {
  IDS,
  dataSeq,
  exportValues,
  importDataMetadata,
  postValues,
  value,
  valueMap,
} from '../support/data.ts';
import { useServer } from '../support/server.ts';
import { fetchJson } from '../support/versions.ts';

type Json = Record<string, unknown>;

const FIXTURES = path.resolve(
  import.meta.dirname,
  '../../../shared/research/fixtures/core/dhis-test-e2e/aggregate',
);

for (const backend of await backends()) {
  describe(`data values, registrations and events on ${backend}`, () => {
    const server = useServer(backend);
    before(() => importDataMetadata(server));

    it('imports a data value set, exports it by data set, period, org unit (with children)', async () => {
      const r = await postValues(server, {
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
      assert.equal(r.status, 200, r.text);
      assert.equal(r.summary.responseType, 'ImportSummary');
      assert.equal(r.summary.status, 'SUCCESS', r.text);
      assert.deepEqual(r.summary.importCount, { imported: 4, updated: 0, ignored: 0, deleted: 0 });

      const bySet = await exportValues(
        server,
        `dataSet=${IDS.dataSet}&period=202001&orgUnit=${IDS.ouRoot}`,
      );
      assert.deepEqual(valueMap(bySet), {
        [`${IDS.deInteger}/202001/${IDS.ouRoot}`]: '7',
        [`${IDS.deNumber}/202001/${IDS.ouRoot}`]: '1.5',
      });
      const withChildren = await exportValues(
        server,
        `dataElement=${IDS.deNumber}&orgUnit=${IDS.ouRoot}&children=true`,
      );
      assert.equal(withChildren.length, 2);
      const one = bySet.find((v) => v.dataElement === IDS.deNumber)!;
      assert.equal(one.comment, 'c');
      assert.equal(one.categoryOptionCombo, IDS.coc);
      assert.match(String(one.lastUpdated), /Z$/);
      const byRange = await exportValues(
        server,
        `orgUnit=${IDS.ouRoot}&startDate=2020-01-01&endDate=2020-01-31`,
      );
      assert.equal(byRange.length, 3);
      assert.equal(
        (await exportValues(server, `orgUnit=${IDS.ouRoot}&startDate=2020-02-01`)).length,
        0,
      );
    });

    it('re-posting identical values changes nothing; a changed one is updated', async () => {
      const before = await dataSeq(server);
      const body = { dataValues: [value(IDS.deNumber, '202001', '1.5', { comment: 'c' })] };
      const again = await postValues(server, body);
      assert.equal(again.summary.status, 'SUCCESS');
      assert.deepEqual(again.summary.importCount, {
        imported: 0,
        updated: 0,
        ignored: 1,
        deleted: 0,
      });
      assert.equal(await dataSeq(server), before);
      const changed = await postValues(server, {
        dataValues: [value(IDS.deNumber, '202001', '3', { comment: 'c' })],
      });
      assert.deepEqual(changed.summary.importCount, {
        imported: 0,
        updated: 1,
        ignored: 0,
        deleted: 0,
      });
      assert.equal(await dataSeq(server), before + 1);
    });

    it('reports unknown references, bad periods and non-numeric values as conflicts, committing the rest', async () => {
      const r = await postValues(server, {
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
      assert.equal(r.status, 200, r.text);
      assert.equal(r.summary.status, 'WARNING');
      assert.deepEqual(r.summary.importCount, { imported: 1, updated: 0, ignored: 8, deleted: 0 });
      // Only E7611 is a code every DHIS2 2.39–2.43 local can read (issue 16 §11).
      assert.deepEqual(
        r.summary.conflicts.map((c) => [c.object, c.errorCode ?? null]),
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
      assert.equal(r.summary.conflicts[0]!.object, 'NoSuchDe001');

      const allBad = await postValues(server, {
        dataValues: [value('NoSuchDe001', '202002', '1')],
      });
      assert.equal(allBad.status, 409);
      assert.equal(allBad.summary.status, 'ERROR');
      const badSet = await postValues(server, { dataSet: 'NoSuchSet01', dataValues: [] });
      assert.equal(badSet.status, 409);
      assert.equal(badSet.summary.conflicts[0]!.object, 'NoSuchSet01');
      // Malformed bodies and parameters are 400s, never crashes.
      const notJson = await server.request('/api/dataValueSets', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"dataValues": [',
      });
      assert.equal(notJson.status, 400);
      const notList = await postValues(server, { dataValues: 'x' });
      assert.equal(notList.status, 400, notList.text);
      const badStrategy = await postValues(server, { dataValues: [] }, '?importStrategy=NOPE');
      assert.equal(badStrategy.status, 400);
    });

    it('honours importStrategy, dryRun and idScheme=CODE; deletes are soft and exported on request', async () => {
      const seq = await dataSeq(server);
      const dry = await postValues(
        server,
        { dataValues: [value(IDS.deNumber, '202003', '5')] },
        '?dryRun=true',
      );
      assert.deepEqual(dry.summary.importCount, {
        imported: 1,
        updated: 0,
        ignored: 0,
        deleted: 0,
      });
      assert.equal(await dataSeq(server), seq);
      assert.equal((await exportValues(server, 'period=202003')).length, 0);

      const byCode = await postValues(
        server,
        {
          dataValues: [
            { dataElement: 'DE_NUMBER', period: '202003', orgUnit: 'OU_ROOT', value: '5' },
          ],
        },
        '?idScheme=CODE',
      );
      assert.equal(byCode.summary.status, 'SUCCESS', byCode.text);
      assert.deepEqual(valueMap(await exportValues(server, 'period=202003')), {
        [`${IDS.deNumber}/202003/${IDS.ouRoot}`]: '5',
      });
      const create = await postValues(
        server,
        { dataValues: [value(IDS.deNumber, '202003', '6')] },
        '?importStrategy=CREATE',
      );
      assert.equal(create.summary.status, 'ERROR');
      const update = await postValues(
        server,
        { dataValues: [value(IDS.deInteger, '202003', '6')] },
        '?importStrategy=UPDATE',
      );
      assert.equal(update.summary.importCount.ignored, 1);

      const del = await postValues(
        server,
        { dataValues: [value(IDS.deNumber, '202003', '5')] },
        '?importStrategy=DELETE',
      );
      assert.deepEqual(del.summary.importCount, {
        imported: 0,
        updated: 0,
        ignored: 0,
        deleted: 1,
      });
      assert.equal((await exportValues(server, 'period=202003')).length, 0);
      const withDeleted = await exportValues(server, 'period=202003&includeDeleted=true');
      assert.equal(withDeleted[0]!.deleted, true);
      // Re-creating a deleted value is an import.
      const back = await postValues(server, { dataValues: [value(IDS.deNumber, '202003', '8')] });
      assert.deepEqual(back.summary.importCount, {
        imported: 1,
        updated: 0,
        ignored: 0,
        deleted: 0,
      });
    });

    it('stores, reads and deletes single values through /api/dataValues', async () => {
      const q = `de=${IDS.deInteger}&pe=202004&ou=${IDS.ouRoot}`;
      const post = await server.request(`/api/dataValues?${q}&value=12`, { method: 'POST' });
      assert.equal(post.status, 201, await post.text());
      const get = await fetchJson<string[]>(server, `/api/dataValues?${q}`);
      assert.deepEqual(get.body, ['12']);
      const bad = await fetchJson(server, `/api/dataValues?${q}&value=abc`, { method: 'POST' });
      assert.equal(bad.status, 409, bad.text);
      const badPe = await fetchJson(
        server,
        `/api/dataValues?de=${IDS.deInteger}&pe=2020M4&ou=${IDS.ouRoot}&value=1`,
        { method: 'POST' },
      );
      assert.equal(badPe.status, 409);
      assert.match(String(badPe.body.message), /Period not valid/);
      assert.equal(
        (await server.request(`/api/dataValues?${q}`, { method: 'DELETE' })).status,
        204,
      );
      assert.equal((await server.request(`/api/dataValues?${q}`)).status, 404);
      assert.equal(
        (await server.request(`/api/dataValues?${q}`, { method: 'DELETE' })).status,
        404,
      );
    });

    it('imports and exports complete data set registrations', async () => {
      const reg = {
        dataSet: IDS.dataSet,
        period: '202001',
        organisationUnit: IDS.ouRoot,
        completed: true,
      };
      const post = async (body: Json) =>
        fetchJson<{ response: { status: string; importCount: Json } }>(
          server,
          '/api/completeDataSetRegistrations',
          {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(body),
          },
        );
      const r = await post({ completeDataSetRegistrations: [reg, { ...reg, period: 'bad' }] });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.body.response.status, 'WARNING');
      assert.deepEqual(r.body.response.importCount, {
        imported: 1,
        updated: 0,
        ignored: 1,
        deleted: 0,
      });
      const got = await fetchJson<{ completeDataSetRegistrations: Json[] }>(
        server,
        `/api/completeDataSetRegistrations?dataSet=${IDS.dataSet}&period=202001&orgUnit=${IDS.ouRoot}`,
      );
      assert.equal(got.body.completeDataSetRegistrations.length, 1);
      assert.equal(got.body.completeDataSetRegistrations[0]!.attributeOptionCombo, IDS.coc);
    });

    it('imports anonymous events with strategy=SYNC and lists them', async () => {
      const event = {
        event: 'DataEvent01',
        program: IDS.program,
        programStage: IDS.stage,
        orgUnit: IDS.ouRoot,
        eventDate: '2020-01-15T00:00:00.000',
        status: 'COMPLETED',
        dataValues: [{ dataElement: IDS.deText, value: 'seen' }],
      };
      const post = async (events: Json[]) =>
        fetchJson<{
          response: {
            status: string;
            imported: number;
            updated: number;
            ignored: number;
            importSummaries: Json[];
          };
        }>(server, '/api/events?strategy=SYNC', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ events }),
        });
      const r = await post([event, { ...event, event: 'DataEvent02', program: 'NoSuchProg1' }]);
      // An event that fails makes the summaries ERROR (DHIS2 ImportSummaries); the good one is in.
      assert.equal(r.status, 409, r.text);
      assert.equal(r.body.response.status, 'ERROR');
      assert.equal(r.body.response.imported, 1);
      assert.equal(r.body.response.ignored, 1);
      assert.equal(r.body.response.importSummaries[0]!.reference, 'DataEvent01');
      const again = await post([event]);
      assert.equal(again.body.response.status, 'SUCCESS');
      assert.equal(again.body.response.ignored, 1);
      const list = await fetchJson<{ events: Json[] }>(
        server,
        `/api/events?program=${IDS.program}`,
      );
      assert.equal(list.body.events.length, 1);
      assert.deepEqual(list.body.events[0]!.dataValues, [
        { dataElement: IDS.deText, value: 'seen' },
      ]);
    });

    it('needs F_DATAVALUE_ADD (or ALL) to write, F_DATAVALUE_DELETE to delete; reads need a login', async () => {
      await server.instance.services.users.create({
        username: 'reader',
        password: 'Reader-123!',
        authorities: ['F_METADATA_EXPORT'],
      });
      await server.instance.services.users.create({
        username: 'entry',
        password: 'Entry-123!',
        authorities: ['F_DATAVALUE_ADD'],
      });
      const body = JSON.stringify({ dataValues: [value(IDS.deNumber, '202005', '1')] });
      const as = (auth: [string, string] | null) =>
        server.request('/api/dataValueSets', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
          auth,
        });
      assert.equal((await as(null)).status, 401);
      assert.equal((await as(['reader', 'Reader-123!'])).status, 403);
      assert.equal((await as(['entry', 'Entry-123!'])).status, 200);
      assert.equal(
        (
          await server.request('/api/dataValueSets?period=202005', {
            auth: ['reader', 'Reader-123!'],
          })
        ).status,
        200,
      );
      const q = `de=${IDS.deNumber}&pe=202005&ou=${IDS.ouRoot}`;
      assert.equal(
        (
          await server.request(`/api/dataValues?${q}`, {
            method: 'DELETE',
            auth: ['entry', 'Entry-123!'],
          })
        ).status,
        403,
      );
    });

    it(
      'imports DHIS2 e2e dataValues_bulk.json after its metadata.json',
      { skip: !existsSync(FIXTURES) },
      async () => {
        const metadata = JSON.parse(
          readFileSync(path.join(FIXTURES, 'metadata.json'), 'utf8'),
        ) as Json;
        await importDataMetadata(server, metadata);
        // The values are entered for Sierra Leone, which the fixture's metadata does not contain.
        await importDataMetadata(server, {
          organisationUnits: [
            { id: 'O6uvpzGd5pu', name: 'Bo', shortName: 'Bo', openingDate: '1970-01-01' },
          ],
        });
        const bulk = JSON.parse(
          readFileSync(path.join(FIXTURES, 'dataValues_bulk.json'), 'utf8'),
        ) as { dataValues: Json[] };
        const r = await postValues(server, bulk);
        assert.equal(r.status, 200, r.text.slice(0, 2000));
        assert.equal(r.summary.status, 'SUCCESS', JSON.stringify(r.summary.conflicts.slice(0, 5)));
        assert.equal(r.summary.importCount.imported, bulk.dataValues.length);
        const out = await exportValues(server, 'orgUnit=O6uvpzGd5pu');
        assert.equal(out.length, bulk.dataValues.length);
        const again = await postValues(server, bulk);
        assert.equal(again.summary.importCount.ignored, bulk.dataValues.length);
      },
    );
  });
}
