/**
 * A local against centrals that do not answer like a friendly metasync (issue 6 §2 d, §7):
 * a proxy that tampers with snapshots (hash mismatch) or with the chain (parentHashCode), and
 * a fake DHIS2 central built from the contract's JSON examples (contract §6, §12, §17–§18):
 * empty history body, `+0000` and offset-less dates, `importdate`, a snapshot without `system`,
 * history newest first, 500 for unknown names.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backends } from '../support/databases.ts';
import {
  fixture,
  fixturesAvailable,
  startFakeDhis2Central,
  startProxy,
  type FakeVersion,
} from '../support/fake-dhis2.ts';
import { useServer } from '../support/server.ts';
import {
  assertSameVersions,
  centralBackend,
  connect,
  count,
  createVersion,
  importMetadata,
  listVersions,
  newDataElement,
  objects,
  postSettings,
  resetServer,
  runSync,
  start,
  step,
  syncOk,
} from '../support/sync.ts';
import { enableVersioning, fetchJson } from '../support/versions.ts';

type Json = Record<string, unknown>;
const COMBO = 'p0KPaWEg3cf'; // the category combo the Version_5 fixture's data element uses
const ANC1 = 'fbfJHSPpUQD';

const system = (date: string) => ({
  id: 'eed3d451-4ff5-4193-b951-ffcc68954299',
  rev: 'a1b2c3d',
  version: '2.41.0',
  date,
});
const de = (id: string, name: string): Json => ({
  id,
  name,
  shortName: name,
  valueType: 'NUMBER',
  domainType: 'AGGREGATE',
  aggregationType: 'SUM',
  categoryCombo: { id: COMBO },
});

/** Five versions: entities from the fixtures where they exist, snapshots built here. */
function dhis2Versions(): FakeVersion[] {
  const history = fixture<{ metadataversions: Json[] }>('metadata_version_history.json');
  const item = (name: string) => history.metadataversions.find((v) => v.name === name)!;
  const built = (e: Json): Json => ({ ...e, lastUpdated: e.created, displayName: e.name });
  return [
    {
      entity: fixture('metadata_version_create_type_BEST_EFFORT.json'), // Version_1
      snapshot: {
        system: system('2016-06-30T05:54:41.100+0000'),
        categoryCombos: [
          { id: COMBO, name: 'Births attended by', dataDimensionType: 'DISAGGREGATION' },
        ],
        dataElements: [de(ANC1, 'ANC 1st visit')],
      },
    },
    {
      entity: fixture('metadata_version_versionName_Version_2.json'),
      snapshot: {
        system: system('2016-06-30T05:59:33.200+0000'),
        dataElements: [de(ANC1, 'ANC 1st visit (2)'), de('cYeuwXTCPkU', 'ANC 2nd visit')],
      },
    },
    {
      entity: built(item('Version_3')),
      snapshot: {
        dataElements: [de(ANC1, 'ANC 1st visit (3)')],
        system: system('2016-06-30T06:01:23.600+0000'),
      },
    },
    {
      entity: fixture('metadata_version.json'), // Version_4
      snapshot: {
        system: system('2016-06-30T06:01:28.600+0000'),
        dataElements: [de(ANC1, 'ANC 1st visit (4)'), de('Jtf34kNZhzP', 'ANC 4th visit')],
      },
    },
    {
      entity: built({
        name: 'Version_5',
        type: 'BEST_EFFORT',
        created: '2016-06-30T06:10:23.120+0000',
        id: 'Kq3WmV5Tn7P',
      }),
      // As the fixture: a `date` key and no `system` object, so no DHIS2 version check.
      snapshot: fixture('metadata_version_Version_5_data.json'),
    },
  ];
}

for (const backend of await backends()) {
  describe(`odd centrals, local on ${backend}`, () => {
    const local = useServer(backend, { syncRetry: 3, syncRetryFrequencyMs: 20 });

    it('a tampered data.gz fails HASH_MISMATCH, imports nothing and is not retried; a changed chain is DIVERGED', async () => {
      const c = await start(backend === 'pglite' ? await centralBackend() : backend);
      const proxy = await startProxy(c.server.url);
      try {
        const central = c.server;
        await enableVersioning(central);
        await connect(local, proxy.url);
        await importMetadata(central, { dataElements: [newDataElement('Proxied')] });
        await createVersion(central);
        await syncOk(local);

        const fresh = newDataElement('Tampered');
        await importMetadata(central, { dataElements: [fresh] });
        const v2 = await createVersion(central);
        const before = await count(local, 'dataElements');
        proxy.mode = 'flip-byte';
        const report = await runSync(local);
        assert.equal(report.status, 'FAILED');
        assert.equal(report.error?.kind, 'HASH_MISMATCH');
        assert.equal(report.error?.version, 'Version_2');
        assert.equal(report.attempts, 1, 'a hash mismatch is not retried');
        assert.match(report.error!.message, /Metadata snapshot is corrupted/);
        assert.ok(report.error!.message.includes(v2.hashCode), report.error!.message);
        assert.deepEqual(proxy.tampered, ['/api/metadata/version/Version_2/data.gz']);
        assert.equal(await count(local, 'dataElements'), before);
        assert.deepEqual(
          (await listVersions(local)).map((v) => v.name),
          ['Version_1'],
        );

        proxy.mode = 'parent-hash';
        const chain = await runSync(local);
        assert.equal(chain.error?.kind, 'DIVERGED');
        assert.equal(chain.attempts, 1);
        assert.match(
          chain.error!.message,
          /Version_2 on the central follows a version with hashCode f{32}/,
        );

        // A central answering 500 is a transient failure: retried syncRetry (3) times.
        proxy.mode = 'history-500';
        const down = await runSync(local);
        assert.equal(down.error?.kind, 'REMOTE_ERROR');
        assert.equal(down.error?.step, 'history');
        assert.equal(down.attempts, 3);
        assert.match(down.error!.message, /Server Error\. Http call failed with status code: 500/);
        assert.match(down.error!.message, /Database is down/);

        proxy.mode = 'pass';
        const ok = await syncOk(local);
        assert.deepEqual(
          ok.versions.map((v) => v.name),
          ['Version_2'],
        );
        await assertSameVersions(central, local);
      } finally {
        await proxy.stop();
        await c.dispose();
      }
    });

    it(
      'syncs from a fake DHIS2 central answering with the contract’s examples',
      { skip: fixturesAvailable() ? false : '../shared/research/fixtures/versioning is missing' },
      async () => {
        await resetServer(local);
        const versions = dhis2Versions();
        const fake = await startFakeDhis2Central({
          username: 'admin',
          password: 'district',
          versions,
          published: ['Version_1', 'Version_2', 'Version_3'],
          firstHistory: fixture('metadata_version_history.json'),
        });
        try {
          await connect(local, fake.url, 'admin', 'district');
          // The snapshots that carry `system` say 2.41.0, as this local; Version_5 has none.
          await postSettings(local, { keyStopMetadataSync: true });

          // History without a baseline: the fixture, served newest first; applied oldest first.
          const first = await syncOk(local);
          assert.deepEqual(
            first.versions.map((v) => [v.name, v.status]),
            [
              ['Version_1', 'SUCCESS'],
              ['Version_2', 'SUCCESS'],
              ['Version_3', 'SUCCESS'],
            ],
          );
          const gets = fake.requests.filter((r) => r.includes('/data.gz'));
          assert.deepEqual(
            gets,
            [1, 2, 3].map((n) => `GET /api/metadata/version/Version_${n}/data.gz`),
          );
          assert.ok(
            fake.requests.includes('GET /api/metadata/version/history'),
            fake.requests.join('\n'),
          );
          const anc1 = (await objects(local, 'dataElements', 'id,name')).find((d) => d.id === ANC1);
          assert.equal(anc1?.name, 'ANC 1st visit (3)');

          const recorded = await listVersions(local);
          const expected = versions.slice(0, 3).map((v) => v.entity);
          assert.deepEqual(
            recorded.map((v) => [v.name, v.id, v.type, v.hashCode, v.created]),
            expected.map((e) => [
              e.name,
              e.id,
              e.type,
              fake.hashOf(String(e.name)),
              String(e.created).replace('+0000', ''),
            ]),
          );

          // Baseline Version_3: [Version_5, Version_4] newest first, offset-less dates, importdate.
          fake.publish('Version_4', 'Version_5');
          const second = await syncOk(local);
          assert.deepEqual(
            second.versions.map((v) => [v.name, v.status]),
            [
              ['Version_4', 'SUCCESS'],
              ['Version_5', 'SUCCESS'],
            ],
          );
          assert.ok(fake.requests.includes('GET /api/metadata/version/history?baseline=Version_3'));
          assert.ok(fake.requests.includes('GET /api/metadata/version?versionName=Version_3'));
          const fifth = (await objects(local, 'dataElements', 'id,name,categoryCombo[id]')).find(
            (d) => d.id === 'sCuZKDsix7Y',
          );
          assert.deepEqual(fifth?.categoryCombo, { id: COMBO });
          assert.deepEqual(
            (await listVersions(local)).map((v) => [v.name, v.created]),
            [
              ['Version_1', '2016-06-30T05:54:41.139'],
              ['Version_2', '2016-06-30T05:59:33.238'],
              ['Version_3', '2016-06-30T06:01:23.680'],
              ['Version_4', '2016-06-30T06:01:28.684'],
              ['Version_5', '2016-06-30T06:10:23.120'],
            ],
          );

          // Nothing newer: DHIS2 answers 200 with an empty body.
          const third = await syncOk(local);
          assert.equal(
            step(third, 'history').message,
            'Your instance is already using the latest version: Version_5',
          );

          // The central answers 500 "No metadata version with name …" for a name it lacks.
          const noSuch = await fetchJson<Json>(local, '/api/metadata/sync/rebaseline', {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ to: 'Version_9', reason: 'Central never had it' }),
          });
          assert.equal(noSuch.status, 404, noSuch.text);
          assert.ok(fake.requests.includes('GET /api/metadata/version?versionName=Version_9'));

          const again = await fetchJson<Json>(local, '/api/metadata/sync?versionName=Version_5');
          assert.equal(again.status, 409);
          const unknown = await fetchJson<Json>(local, '/api/metadata/sync?versionName=Version_9');
          assert.equal(unknown.status, 404, unknown.text);
          assert.equal(
            unknown.body.message,
            'The MetadataVersion could not be fetched from the remote server for the versionName: Version_9',
          );

          await connect(local, fake.url, 'admin', 'not-district');
          const denied = await runSync(local);
          assert.equal(denied.error?.kind, 'REMOTE_AUTH');
          assert.equal(denied.attempts, 1);
        } finally {
          await fake.stop();
        }
      },
    );
  });
}
