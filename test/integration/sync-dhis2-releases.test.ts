/**
 * A metasync local in front of DHIS2 centrals of different releases (issue 16 §4, §12): it reads
 * the release from `/api/system/info` and pushes its anonymous events the way that release takes
 * them (`/api/events?strategy=SYNC` up to 2.41, `/api/tracker` from 2.42), and whatever the
 * central lacks, the metadata pull goes on. The centrals are fake-dhis2.ts in its ≤ 2.41 and
 * 2.42+ shapes; each test adds one version to a chain all of them serve, so every run must pull
 * a version after its push.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { backends } from '../support/databases.ts';
import { IDS, importDataMetadata, postValues, value } from '../support/data.ts';
import {
  startFakeDhis2Central,
  type FakeCentral,
  type FakeCentralShape,
  type FakeVersion,
  type Received,
} from '../support/fake-dhis2.ts';
import { useServer, type TestServer } from '../support/server.ts';
import {
  centralBackend,
  connect,
  createVersion,
  importMetadata,
  newDataElement,
  resetServer,
  setting,
  start,
  step,
  syncOk,
  syncStatus,
  type SyncReportJson,
} from '../support/sync.ts';
import { enableVersioning, fetchJson, uid } from '../support/versions.ts';

type Json = Record<string, unknown>;

const post = async (server: TestServer, path: string, body: Json) => {
  const r = await fetchJson(server, path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  assert.equal(r.status, 200, r.text);
};

const event = (id: string, extra: Json = {}): Json => ({
  event: id,
  program: IDS.program,
  programStage: IDS.stage,
  orgUnit: IDS.ouRoot,
  eventDate: '2020-03-04',
  status: 'COMPLETED',
  dataValues: [{ dataElement: IDS.deText, value: `text of ${id}` }],
  ...extra,
});

const paths = (fake: FakeCentral) =>
  fake.received.map((r) => `${r.path}?${new URLSearchParams(r.query)}`);
const posted = (fake: FakeCentral, path: string): Received[] =>
  fake.received.filter((r) => r.path === path);

for (const backend of await backends()) {
  describe(`a ${backend} local against DHIS2 centrals by release`, () => {
    const local = useServer(backend, { syncRetry: 2, syncRetryFrequencyMs: 10 });
    const fakes: FakeCentral[] = [];
    const chain: FakeVersion[] = [];
    let month = 0;
    before(() => importDataMetadata(local));
    after(async () => {
      for (const f of fakes) await f.stop();
    });

    /** A fake central serving the chain plus one new version, with `shape`. */
    async function central(shape: FakeCentralShape): Promise<FakeCentral> {
      const n = chain.length + 1;
      chain.push({
        entity: {
          name: `Version_${n}`,
          type: 'BEST_EFFORT',
          created: `2016-07-${String(n).padStart(2, '0')}T00:00:00.000+0000`,
          id: uid(),
        },
        snapshot: {
          system: { id: 'fake', rev: 'a1b2c3d', version: '2.41.0', date: '2016-07-01' },
          dataElements: [newDataElement(`Release ${n}`)],
        },
      });
      const fake = await startFakeDhis2Central({
        username: 'admin',
        password: 'district',
        versions: chain,
        published: chain.map((v) => String(v.entity.name)),
        firstHistory: { metadataversions: chain.map((v) => v.entity) },
        ...shape,
      });
      fakes.push(fake);
      await connect(local, fake.url, 'admin', 'district');
      return fake;
    }

    /** A new value, registration and event on the local, not yet pushed. */
    async function writeData(): Promise<{ period: string; eventId: string }> {
      const period = `2019${String(++month).padStart(2, '0')}`;
      const r = await postValues(local, { dataValues: [value(IDS.deNumber, period, '7')] });
      assert.equal(r.summary.status, 'SUCCESS', r.text);
      await post(local, '/api/completeDataSetRegistrations', {
        completeDataSetRegistrations: [
          { dataSet: IDS.dataSet, period, organisationUnit: IDS.ouRoot },
        ],
      });
      const eventId = uid();
      await post(local, '/api/events?strategy=SYNC', { events: [event(eventId)] });
      return { period, eventId };
    }

    const pulledNewest = (report: SyncReportJson) =>
      assert.deepEqual(
        report.versions.map((v) => [v.name, v.status]),
        [[`Version_${chain.length}`, 'SUCCESS']],
      );

    for (const { release, api } of [
      { release: '2.41.9.1', api: 'events' },
      { release: '2.42.1', api: 'tracker' },
      { release: '2.43.0', api: 'tracker' },
    ])
      it(`pushes to a DHIS2 ${release} central ${api === 'events' ? 'via /api/events' : 'via /api/tracker'}, then pulls`, async () => {
        const fake = await central({ release });
        const { period, eventId } = await writeData();
        const report = await syncOk(local);
        pulledNewest(report);
        assert.ok(fake.requests.includes('GET /api/system/info'), fake.requests.join('\n'));
        assert.match(step(report, 'ping').message ?? '', new RegExp(`DHIS2 ${release}`));
        assert.equal(step(report, 'dataPush').status, 'SUCCESS', step(report, 'dataPush').message);
        assert.equal((await syncStatus(local)).centralSystemVersion, release);

        const [values] = posted(fake, '/api/dataValueSets');
        assert.deepEqual(
          (values?.body as { dataValues: Json[] }).dataValues.map((v) => [v.period, v.value]),
          [[period, '7']],
        );
        assert.equal(posted(fake, '/api/completeDataSetRegistrations').length, 1);
        if (api === 'events') {
          assert.deepEqual(paths(fake), [
            '/api/dataValueSets?',
            '/api/completeDataSetRegistrations?',
            '/api/events?strategy=SYNC',
          ]);
          const sent = (posted(fake, '/api/events')[0]!.body as { events: Json[] }).events;
          assert.deepEqual(
            sent.map((e) => [e.event, e.eventDate, e.orgUnit]),
            [[eventId, '2020-03-04T00:00:00.000Z', IDS.ouRoot]],
          );
          return;
        }
        assert.deepEqual(paths(fake), [
          '/api/dataValueSets?',
          '/api/completeDataSetRegistrations?',
          '/api/tracker?async=false&importStrategy=CREATE_AND_UPDATE',
        ]);
        assert.ok(!fake.requests.some((r) => r.includes('/api/events')), fake.requests.join('\n'));
        const [sent] = (posted(fake, '/api/tracker')[0]!.body as { events: Json[] }).events;
        // DHIS2's tracker view: occurredAt (no eventDate), UIDs, the data values.
        assert.deepEqual(
          {
            event: sent?.event,
            program: sent?.program,
            programStage: sent?.programStage,
            orgUnit: sent?.orgUnit,
            occurredAt: sent?.occurredAt,
            status: sent?.status,
            attributeOptionCombo: sent?.attributeOptionCombo,
            dataValues: sent?.dataValues,
            eventDate: sent?.eventDate,
          },
          {
            event: eventId,
            program: IDS.program,
            programStage: IDS.stage,
            orgUnit: IDS.ouRoot,
            occurredAt: '2020-03-04T00:00:00.000Z',
            status: 'COMPLETED',
            attributeOptionCombo: IDS.coc,
            dataValues: [
              { dataElement: IDS.deText, value: `text of ${eventId}`, providedElsewhere: false },
            ],
            eventDate: undefined,
          },
        );
        assert.equal(fake.events.get(eventId)?.event, eventId);
      });

    it('deletes on a 2.43 central with importStrategy=DELETE; an event it never had is done', async () => {
      const fake = await central({ release: '2.43.0' });
      const kept = uid();
      await post(local, '/api/events?strategy=SYNC', { events: [event(kept)] });
      pulledNewest(await syncOk(local));
      assert.equal(fake.events.get(kept)?.deleted, false);

      // Deleted here: one the central holds, one created and deleted between two pushes.
      const never = uid();
      await post(local, '/api/events?strategy=SYNC', { events: [event(never)] });
      await post(local, '/api/events?strategy=DELETE', { events: [event(kept), event(never)] });
      fake.received.length = 0;
      const report = await syncOk(local);
      assert.equal(step(report, 'dataPush').status, 'SUCCESS', step(report, 'dataPush').message);
      const deletes = posted(fake, '/api/tracker');
      assert.deepEqual(
        deletes.map((r) => [r.query.importStrategy, (r.body as { events: Json[] }).events]),
        [
          // atomicMode=ALL: the absent one (E1032) holds back the page, which goes again without it.
          ['DELETE', [{ event: kept }, { event: never }]],
          ['DELETE', [{ event: kept }]],
        ],
      );
      assert.equal(fake.events.get(kept)?.deleted, true);
      assert.equal(fake.events.has(never), false);
    });

    it('a 2.43 central that rejects an event: a WARNING, the page stays queued, the pull goes on', async () => {
      const fake = await central({ release: '2.43.0' });
      const { eventId } = await writeData();
      // DHIS2 2.43 takes single events only ACTIVE, COMPLETED or VISITED (E1318).
      const scheduled = uid();
      await post(local, '/api/events?strategy=SYNC', {
        events: [event(scheduled, { status: 'SCHEDULE' })],
      });
      const seq = await setting(local, 'keyLastSuccessfulEventsDataSynchSeq');
      const report = await syncOk(local);
      pulledNewest(report);
      const push = step(report, 'dataPush');
      assert.equal(push.status, 'WARNING');
      assert.match(
        push.message ?? '',
        /data values: 1; complete registrations: 1\. Warning: events not pushed/,
      );
      assert.match(
        push.message ?? '',
        new RegExp(
          `E1318 Status \`SCHEDULE\` is not applicable for single events\\. \\(${scheduled}\\)`,
        ),
      );
      assert.equal(await setting(local, 'keyLastSuccessfulEventsDataSynchSeq'), seq);
      assert.equal(fake.events.size, 0, 'atomicMode=ALL: nothing of the page was taken');
      assert.match((await syncStatus(local)).dataPushWarning ?? '', /E1318/);

      // Completed here, the event goes with the rest of the queue on the next run.
      await post(local, '/api/events?strategy=SYNC', { events: [event(scheduled)] });
      const again = await syncOk(local);
      assert.equal(step(again, 'dataPush').status, 'SUCCESS', step(again, 'dataPush').message);
      assert.deepEqual([...fake.events.keys()].sort(), [eventId, scheduled].sort());
      assert.equal((await syncStatus(local)).dataPushWarning, null);
    });

    it('a central without /api/system/info is taken for ≤ 2.41 and says so', async () => {
      const fake = await central({ release: '2.40.5-SNAPSHOT', systemInfo: false });
      const { eventId } = await writeData();
      const report = await syncOk(local);
      pulledNewest(report);
      assert.match(
        step(report, 'ping').message ?? '',
        /did not tell its release \(\/api\/system\/info: HTTP 404\); its data is pushed as to DHIS2 2\.41 and earlier/,
      );
      const sent = (posted(fake, '/api/events')[0]?.body as { events: Json[] }).events;
      assert.deepEqual(
        sent.map((e) => e.event),
        [eventId],
      );
      assert.equal((await syncStatus(local)).centralSystemVersion, null);
    });

    for (const { name, shape, lacks } of [
      {
        name: 'a 2.42 central that hides its release (/api/events is gone)',
        shape: { release: '2.42.0', systemInfo: false },
        lacks: '/api/events',
      },
      {
        name: 'a 2.43 central without any event endpoint',
        shape: { release: '2.43.0', events: false },
        lacks: '/api/tracker',
      },
    ])
      it(`${name}: events stay queued with a WARNING, the rest is pushed, the pull goes on`, async () => {
        const fake = await central(shape);
        const { period } = await writeData();
        const seq = await setting(local, 'keyLastSuccessfulEventsDataSynchSeq');
        const report = await syncOk(local);
        pulledNewest(report);
        assert.equal(report.attempts, 1);
        const push = step(report, 'dataPush');
        assert.equal(push.status, 'WARNING');
        assert.match(
          push.message ?? '',
          new RegExp(
            `events not pushed: the central has no ${lacks} \\(HTTP 404\\); they stay queued`,
          ),
        );
        assert.equal(await setting(local, 'keyLastSuccessfulEventsDataSynchSeq'), seq);
        const values = posted(fake, '/api/dataValueSets');
        assert.equal((values[0]?.body as { dataValues: Json[] }).dataValues[0]?.period, period);
        const status = await syncStatus(local);
        assert.equal(status.state, 'UP_TO_DATE');
        assert.match(status.message, /Data push: .*events not pushed/);

        // Next run: the queued events are tried again, the pull still goes on.
        const next = await syncOk(local);
        assert.equal(step(next, 'dataPush').status, 'WARNING');
        assert.equal(
          fake.requests.filter((r) => r.startsWith(`POST ${lacks}`)).length,
          2,
          fake.requests.join('\n'),
        );
      });

    it('a metasync central takes /api/events whatever DHIS2 release it follows', async () => {
      const c = await start(await centralBackend(), { systemVersion: '2.43.0' });
      try {
        await enableVersioning(c.server);
        await importDataMetadata(c.server);
        await importMetadata(c.server, { dataElements: [newDataElement('Metasync 2.43')] });
        await createVersion(c.server);
        await resetServer(local);
        await importDataMetadata(local);
        await connect(local, c.server.url);
        const eventId = uid();
        await post(local, '/api/events?strategy=SYNC', { events: [event(eventId)] });
        const report = await syncOk(local);
        assert.match(
          step(report, 'ping').message ?? '',
          /; the central is metasync, following DHIS2 2\.43\.0$/,
        );
        assert.equal(step(report, 'dataPush').status, 'SUCCESS', step(report, 'dataPush').message);
        assert.deepEqual(
          report.versions.map((v) => v.name),
          ['Version_1'],
        );
        const held = await fetchJson<{ events: Json[] }>(
          c.server,
          `/api/events?program=${IDS.program}&paging=false`,
        );
        assert.ok(
          held.body.events.some((e) => e.event === eventId),
          JSON.stringify(held.body),
        );
      } finally {
        await c.dispose();
      }
    });
  });
}
