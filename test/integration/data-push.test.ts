/**
 * The data push before the metadata pull (issue 7 §4, contract §11) between a real central and
 * a real local: values created and edited on the local arrive once; a central that rejects some
 * stops the run before the pull, with its conflicts in the report; the watermark survives a
 * restart; a value written during a push is pushed by the next run. The PGlite round runs the
 * central on PostgreSQL when it is reachable, to keep PGlite instances few.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { backends, createTestDatabase, type TestDatabase } from '../support/databases.ts';
import {
  IDS,
  dataSeq,
  exportValues,
  importDataMetadata,
  postValues,
  value,
  valueMap,
} from '../support/data.ts';
import { startServer, type TestServer } from '../support/server.ts';
import {
  centralBackend,
  connect,
  postSettings,
  runSync,
  setting,
  start,
  step,
  syncOk,
  type Started,
} from '../support/sync.ts';
import { enableVersioning, fetchJson } from '../support/versions.ts';

type Json = Record<string, unknown>;

/** A forwarding proxy to `target` that calls `onDataPost` before forwarding a data value POST. */
async function startProxy(target: string, onDataPost: () => Promise<void>) {
  const server = http.createServer((req, res) => {
    void (async () => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      if (req.method === 'POST' && (req.url ?? '').startsWith('/api/dataValueSets'))
        await onDataPost();
      const upstream = await fetch(target + req.url, {
        method: req.method,
        headers: {
          authorization: req.headers.authorization ?? '',
          'content-type': req.headers['content-type'] ?? 'application/json',
          // The push to a metasync central is gzip-compressed (issue 19 §5).
          ...(req.headers['content-encoding']
            ? { 'content-encoding': req.headers['content-encoding'] }
            : {}),
        },
        ...(chunks.length ? { body: Buffer.concat(chunks) } : {}),
      });
      const body = Buffer.from(await upstream.arrayBuffer());
      res.writeHead(upstream.status, {
        'content-type': upstream.headers.get('content-type') ?? 'application/json',
      });
      res.end(body);
    })().catch((e: unknown) => {
      res.writeHead(502);
      res.end(String(e));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: () => new Promise<void>((r) => server.close(() => r())),
  };
}

for (const backend of await backends()) {
  describe(`data push from a ${backend} local to a metasync central`, () => {
    let c: Started;
    let central: TestServer;
    let localDb: TestDatabase;
    let local: TestServer;
    const overrides = { syncRetry: 2, syncRetryFrequencyMs: 10 };
    before(async () => {
      c = await start(backend === 'pglite' ? await centralBackend() : backend);
      central = c.server;
      localDb = await createTestDatabase(backend);
      local = await startServer(localDb, overrides);
      await enableVersioning(central);
      for (const s of [central, local]) await importDataMetadata(s);
      await connect(local, central.url);
      await postSettings(local, { dataValuesPageSize: 2 });
    });
    after(async () => {
      await local?.stop();
      await localDb?.dispose();
      await c?.dispose();
    });

    const centralValues = async () =>
      valueMap(await exportValues(central, `orgUnit=${IDS.ouRoot}&children=true`));
    const localValues = async () =>
      valueMap(await exportValues(local, `orgUnit=${IDS.ouRoot}&children=true`));

    it('pushes values created and edited on the local once, in pages, with registrations and events', async () => {
      const r = await postValues(local, {
        dataValues: [
          value(IDS.deNumber, '202001', '1'),
          value(IDS.deNumber, '202002', '2'),
          value(IDS.deInteger, '202001', '3'),
          value(IDS.deNumber, '202001', '4', { orgUnit: IDS.ouChild }),
          value(IDS.deText, '2020W1', 'a'),
        ],
      });
      assert.equal(r.summary.status, 'SUCCESS', r.text);
      await fetchJson(local, '/api/completeDataSetRegistrations', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          completeDataSetRegistrations: [
            { dataSet: IDS.dataSet, period: '202001', organisationUnit: IDS.ouRoot },
          ],
        }),
      });
      await fetchJson(local, '/api/events?strategy=SYNC', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          events: [
            {
              event: 'PushEvent01',
              program: IDS.program,
              programStage: IDS.stage,
              orgUnit: IDS.ouRoot,
              eventDate: '2020-01-02',
              status: 'ACTIVE',
              dataValues: [{ dataElement: IDS.deText, value: 'x' }],
            },
          ],
        }),
      });

      const report = await syncOk(local);
      assert.equal(step(report, 'dataPush').status, 'SUCCESS');
      assert.match(
        step(report, 'dataPush').message ?? '',
        /data values: 5 in 3 pages; complete registrations: 1; events: 1/,
      );
      assert.deepEqual(await centralValues(), await localValues());
      const regs = await fetchJson<{ completeDataSetRegistrations: Json[] }>(
        central,
        `/api/completeDataSetRegistrations?dataSet=${IDS.dataSet}`,
      );
      assert.equal(regs.body.completeDataSetRegistrations.length, 1);
      const events = await fetchJson<{ events: Json[] }>(
        central,
        `/api/events?program=${IDS.program}`,
      );
      assert.deepEqual(
        events.body.events.map((e) => e.event),
        ['PushEvent01'],
      );
      assert.match(
        String(await setting(local, 'keyLastSuccessfulDataSynch')),
        /^\d{4}-\d{2}-\d{2}T.*Z$/,
      );
      assert.equal(await setting(local, 'keyLastSuccessfulDataSynchSeq'), await dataSeq(local));

      // Nothing new: nothing is sent, the central does not change.
      const centralSeq = await dataSeq(central);
      const quiet = await syncOk(local);
      assert.equal(step(quiet, 'dataPush').status, 'SKIPPED');
      assert.equal(await dataSeq(central), centralSeq);

      // An edit and a deletion on the local: exactly those two go.
      await postValues(local, { dataValues: [value(IDS.deNumber, '202001', '10')] });
      await postValues(
        local,
        { dataValues: [value(IDS.deNumber, '202002', '2')] },
        '?importStrategy=DELETE',
      );
      const edited = await syncOk(local);
      assert.match(step(edited, 'dataPush').message ?? '', /data values: 2;/);
      assert.deepEqual(await centralValues(), await localValues());
      assert.equal((await centralValues())[`${IDS.deNumber}/202001/${IDS.ouRoot}`], '10');
      assert.equal(await dataSeq(central), centralSeq + 2);
    });

    it('a central that rejects values stops the run before the metadata pull, with its conflicts', async () => {
      const extra = {
        id: 'PushDeGone1',
        code: 'PUSH_GONE',
        name: 'Push gone',
        shortName: 'Push gone',
        valueType: 'NUMBER',
        aggregationType: 'SUM',
        domainType: 'AGGREGATE',
      };
      for (const s of [central, local]) await importDataMetadata(s, { dataElements: [extra] });
      const del = await central.request(`/api/dataElements/${extra.id}`, { method: 'DELETE' });
      assert.equal(del.status, 200, await del.text());
      await postValues(local, {
        dataValues: [value(extra.id, '202001', '1'), value(IDS.deNumber, '202003', '5')],
      });
      const seqBefore = await setting(local, 'keyLastSuccessfulDataSynchSeq');

      const report = await runSync(local);
      assert.equal(report.status, 'FAILED');
      assert.equal(report.error?.kind, 'DATA_PUSH');
      assert.equal(report.attempts, 2, 'a failed push is retried like DHIS2');
      assert.equal(step(report, 'dataPush').status, 'FAILED');
      assert.match(step(report, 'dataPush').message ?? '', /WARNING/);
      assert.match(step(report, 'dataPush').message ?? '', /PushDeGone1: Data element not found/);
      assert.equal(step(report, 'history').status, 'NOT_EXECUTED');
      assert.equal(await setting(local, 'keyLastSuccessfulDataSynchSeq'), seqBefore);

      // Once the central knows the element again, the next run sends the page again: the value
      // the central took the first time is unchanged, the rejected one arrives.
      await importDataMetadata(central, { dataElements: [extra] });
      const ok = await syncOk(local);
      assert.equal(step(ok, 'dataPush').status, 'SUCCESS');
      assert.deepEqual(await centralValues(), await localValues());
    });

    it('takes registrations and events from an F_METADATA_MANAGE user; data values need F_DATAVALUE_ADD, as DHIS2 (issue 16 §5)', async () => {
      const users = central.instance.services.users;
      await users.create({
        username: 'syncmeta',
        password: 'Sync-meta-1!',
        authorities: ['F_METADATA_MANAGE'],
      });
      await users.create({
        username: 'syncdata',
        password: 'Sync-data-1!',
        authorities: ['F_METADATA_MANAGE', 'F_DATAVALUE_ADD'],
      });
      try {
        // DHIS2 checks no authority on these two pushes (only sharing, not modelled here).
        await fetchJson(local, '/api/completeDataSetRegistrations', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            completeDataSetRegistrations: [
              { dataSet: IDS.dataSet, period: '202003', organisationUnit: IDS.ouRoot },
            ],
          }),
        });
        await fetchJson(local, '/api/events?strategy=SYNC', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            events: [
              {
                event: 'PushEvent03',
                program: IDS.program,
                programStage: IDS.stage,
                orgUnit: IDS.ouRoot,
                eventDate: '2020-03-02',
                status: 'ACTIVE',
                dataValues: [{ dataElement: IDS.deText, value: 'meta' }],
              },
            ],
          }),
        });
        await connect(local, central.url, 'syncmeta', 'Sync-meta-1!');
        const pushed = await syncOk(local);
        assert.equal(step(pushed, 'dataPush').status, 'SUCCESS');
        assert.match(
          step(pushed, 'dataPush').message ?? '',
          /complete registrations: 1; events: 1/,
        );
        const events = await fetchJson<{ events: Json[] }>(
          central,
          `/api/events?program=${IDS.program}`,
        );
        assert.ok(events.body.events.some((e) => e.event === 'PushEvent03'));

        // POST /api/dataValueSets needs F_DATAVALUE_ADD on DHIS2 too (DataValueSetController).
        await postValues(local, { dataValues: [value(IDS.deInteger, '202010', '5')] });
        const refused = await runSync(local);
        assert.equal(refused.status, 'FAILED');
        assert.equal(refused.error?.kind, 'DATA_PUSH');
        assert.match(step(refused, 'dataPush').message ?? '', /HTTP 403 Access is denied/);
        await connect(local, central.url, 'syncdata', 'Sync-data-1!');
        const ok = await syncOk(local);
        assert.equal(step(ok, 'dataPush').status, 'SUCCESS');
        assert.deepEqual(await centralValues(), await localValues());
      } finally {
        await connect(local, central.url);
      }
    });

    it('keeps its watermark across a restart and never loses a value written during a push', async () => {
      await local.stop();
      local = await startServer(localDb, overrides);
      const quiet = await syncOk(local);
      assert.equal(step(quiet, 'dataPush').status, 'SKIPPED');

      // The proxy writes a value on the local while the push's first page is in flight.
      let wrote = false;
      const proxy = await startProxy(central.url, async () => {
        if (wrote) return;
        wrote = true;
        const r = await postValues(local, { dataValues: [value(IDS.deInteger, '202012', '99')] });
        assert.equal(r.summary.status, 'SUCCESS');
      });
      try {
        await connect(local, proxy.url);
        await postValues(local, { dataValues: [value(IDS.deInteger, '202011', '98')] });
        const first = await syncOk(local);
        assert.ok(wrote);
        assert.match(step(first, 'dataPush').message ?? '', /data values: 1;/);
        const key = `${IDS.deInteger}/202012/${IDS.ouRoot}`;
        assert.equal((await centralValues())[key], undefined);
        const second = await syncOk(local);
        assert.match(step(second, 'dataPush').message ?? '', /data values: 1;/);
        assert.equal((await centralValues())[key], '99');
        assert.deepEqual(await centralValues(), await localValues());
      } finally {
        await connect(local, central.url);
        await proxy.stop();
      }
    });
  });
}
