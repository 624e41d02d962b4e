/**
 * Release tests (issue 16 §12): an emulated DHIS2 local of each release 2.39, 2.41, 2.42 and
 * 2.43 (test/support/dhis2-local) runs its META_DATA_SYNC job over real HTTP against a real
 * metasync central: it pushes its data values and registrations (≤2.41 also anonymous events
 * and tracked entities), pulls two versions and ends with the central's version names, ids and
 * hashes; every answer it parses must read as DHIS2 reads it. Then the release-specific cases:
 * a 2.43 WeeklyFriday value, a 2.41 tracked-entity push, a wrong password, 4xx answers a local
 * can read, conflict codes a 2.43 local knows, and a refused registration that stops the pull.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backends } from '../support/databases.ts';
import { IDS, exportValues } from '../support/data.ts';
import { RELEASES, type Exchange } from '../support/dhis2-local/index.ts';
import type { Release } from '../support/dhis2-local/releases.ts';
import {
  TRACKER,
  centralJson,
  localFor,
  prepareCentral,
  queueData,
  twoVersions,
  uidFor,
  yearOf,
} from '../support/dhis2-local/scenario.ts';
import { useServer, type TestServer } from '../support/server.ts';
import { enableVersioning } from '../support/versions.ts';

type Json = Record<string, unknown>;

const path = (central: TestServer, x: Exchange) => `${x.method} ${x.url.slice(central.url.length)}`;

/** The requests of a run whose pings all succeed, as DHIS2 `rel` sends them. */
function expectedSequence(rel: Release, versions: string[]): string[] {
  const ping = 'GET /api/system/ping';
  return [
    ping,
    'POST /api/dataValueSets',
    ...(rel.trackerPush ? [ping, 'POST /api/events?strategy=SYNC'] : []),
    ping,
    'POST /api/completeDataSetRegistrations',
    ...(rel.trackerPush ? [ping, 'POST /api/trackedEntityInstances?strategy=SYNC'] : []),
    ping,
    'GET /api/metadata/version/history',
    ...versions.flatMap((v) => [ping, `GET /api/metadata/version/${v}/data.gz`]),
  ];
}

/** Every push of a run was read as a summary that succeeded. */
function assertPushesSucceeded(central: TestServer, exchanges: Exchange[]): void {
  for (const x of exchanges.filter((e) => e.method === 'POST'))
    assert.match(
      x.outcome ?? '',
      /^ImportSummar(y|ies) SUCCESS$/,
      `${path(central, x)}: ${x.outcome} ${x.responseBody}`,
    );
}

async function assertDataOnCentral(central: TestServer, rel: Release): Promise<void> {
  const y = yearOf(rel);
  const values = await exportValues(
    central,
    `dataElement=${IDS.deNumber}&orgUnit=${IDS.ouRoot}&period=${y}01&period=${y}02&period=${y}03`,
  );
  assert.deepEqual(values.map((v) => [v.period, v.value]).sort(), [
    [`${y}01`, '11'],
    [`${y}02`, '12'],
    [`${y}03`, '13'],
  ]);
  const cdsr = await centralJson<{ completeDataSetRegistrations: Json[] }>(
    central,
    `/api/completeDataSetRegistrations?dataSet=${IDS.dataSet}&period=${y}01&orgUnit=${IDS.ouRoot}`,
  );
  assert.equal(cdsr.completeDataSetRegistrations.length, 1);
  if (!rel.trackerPush) return;
  const events = await centralJson<{ events: Json[] }>(
    central,
    `/api/events?program=${IDS.program}&paging=false`,
  );
  const ids = new Set(events.events.map((e) => e.event));
  for (const n of [1, 2]) assert.ok(ids.has(uidFor(rel, 'E', n)), `event ${n} of ${rel.line}`);
  const tei = await centralJson<Json>(
    central,
    `/api/trackedEntityInstances/${uidFor(rel, 'T', 1)}`,
  );
  const attributes = (tei.attributes as Json[]).map((a) => [a.attribute, a.value]);
  assert.deepEqual(attributes, [[TRACKER.attribute, `Person ${rel.line}`]]);
}

for (const backend of await backends()) {
  const lines =
    backend === 'pglite'
      ? (['2.39', '2.41', '2.42', '2.43'] as const)
      : (['2.39', '2.43'] as const);
  describe(`DHIS2 locals of every release against a metasync central on ${backend}`, () => {
    const central = useServer(backend);

    for (const line of lines) {
      const rel = RELEASES[line];
      it(`${rel.build}: pushes its data, pulls two versions and ends with the central's versions`, async () => {
        await enableVersioning(central);
        await prepareCentral(central);
        const versions = await twoVersions(central);
        const local = localFor(central, rel);
        queueData(local);
        const run = await local.runMetadataSync();
        assert.equal(run.status, 'SUCCESS', run.failure ?? '');
        assert.deepEqual(
          run.exchanges.map((x) => path(central, x)),
          expectedSequence(rel, ['Version_1', 'Version_2']),
        );
        assert.deepEqual(
          local.state.versions.map(({ name, id, hashCode, type }) => ({
            name,
            id,
            hashCode,
            type,
          })),
          versions.map(({ name, id, hashCode, type }) => ({ name, id, hashCode, type })),
        );
        assert.deepEqual(run.accepted, ['Version_1', 'Version_2']);
        assertPushesSucceeded(central, run.exchanges);
        await assertDataOnCentral(central, rel);

        // The next run has nothing to push and nothing to pull: an empty history is "latest".
        const again = await local.runMetadataSync();
        assert.equal(again.status, 'SUCCESS', again.failure ?? '');
        const gets = again.exchanges.filter((x) => !x.url.endsWith('/api/system/ping'));
        assert.deepEqual(
          gets.map((x) => path(central, x)),
          ['GET /api/metadata/version/history?baseline=Version_2'],
        );
        assert.equal(local.state.versions.length, 2);
      });
    }
  });
}
