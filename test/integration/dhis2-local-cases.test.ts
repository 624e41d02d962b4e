/**
 * Release-specific cases of an emulated DHIS2 local against a real metasync central (issue 16
 * §1, §2, §3, §11, §12): new 2.39.10–2.43 period types, a 2.41 tracked-entity push, a wrong
 * password, 4xx answers to pushes that a local can read, conflict codes a 2.43 local knows, and
 * a refused registration push that stops the metadata pull. Read from DHIS2's source and kept by
 * the emulator: a refused data-value, event or tracked-entity page does not stop the run (the
 * pages run in a SKIP_ITEM stage), a refused registration push does.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { IDS, exportValues } from '../support/data.ts';
import { RELEASES, type Exchange } from '../support/dhis2-local/index.ts';
import {
  SYNC_USERS,
  centralJson,
  createSyncUsers,
  dataValue,
  localFor,
  prepareCentral,
  queueData,
  registration,
  uidFor,
} from '../support/dhis2-local/scenario.ts';
import { useServer, type TestServer } from '../support/server.ts';
import { centralBackend } from '../support/sync.ts';
import { enableVersioning } from '../support/versions.ts';

type Json = Record<string, unknown>;

const posts = (central: TestServer, exchanges: Exchange[], route: string) =>
  exchanges.filter((x) => x.method === 'POST' && x.url.startsWith(`${central.url}${route}`));

describe(`DHIS2 locals' release-specific cases against a metasync central`, () => {
  const central = useServer(centralBackend());
  before(async () => {
    await enableVersioning(central);
    await prepareCentral(central);
    await createSyncUsers(central);
  });

  it('2.43: values of the periods new in 2.39.10–2.43 (2000FriW2, 2000Aug, 2000Feb, 2000NovQ1) are stored', async () => {
    const local = localFor(central, RELEASES['2.43']);
    const periods = ['2000FriW2', '2000Aug', '2000Feb', '2000NovQ1'];
    local.queues.dataValues.push(...periods.map((p, i) => dataValue(p, String(40 + i))));
    const run = await local.runMetadataSync();
    assert.equal(run.status, 'SUCCESS', run.failure ?? '');
    const [push] = posts(central, run.exchanges, '/api/dataValueSets');
    assert.equal(push?.outcome, 'ImportSummary SUCCESS', push?.responseBody);
    const stored = await exportValues(
      central,
      `dataElement=${IDS.deNumber}&orgUnit=${IDS.ouRoot}&${periods.map((p) => `period=${p}`).join('&')}`,
    );
    assert.deepEqual(stored.map((v) => v.period).sort(), [...periods].sort());
  });

  it("2.41: a tracked entity's push is stored, answered with ImportSummaries, and the same push again changes nothing", async () => {
    const rel = RELEASES['2.41'];
    const local = localFor(central, rel);
    queueData(local);
    const tei = local.queues.trackedEntities[0]!;
    const first = await local.runMetadataSync();
    const [push] = posts(central, first.exchanges, '/api/trackedEntityInstances');
    assert.equal(push?.outcome, 'ImportSummaries SUCCESS', `${push?.status} ${push?.responseBody}`);
    assert.equal(
      local.queues.trackedEntities.length,
      0,
      'a successful page marks its entities synchronised',
    );
    const path = `/api/trackedEntityInstances/${uidFor(rel, 'T', 1)}`;
    const stored = await centralJson<Json>(central, path);
    assert.deepEqual(
      (stored.attributes as Json[]).map((a) => a.value),
      [`Person ${rel.line}`],
    );
    assert.deepEqual(
      (stored.enrollments as Json[]).map((e) => e.enrollment),
      [uidFor(rel, 'N', 1)],
    );

    local.queues.trackedEntities.push(tei);
    const second = await local.runMetadataSync();
    const [again] = posts(central, second.exchanges, '/api/trackedEntityInstances');
    assert.equal(again?.outcome, 'ImportSummaries SUCCESS', again?.responseBody);
    assert.deepEqual(await centralJson<Json>(central, path), stored);
  });

  for (const rel of [RELEASES['2.39'], RELEASES['2.43']])
    it(`${rel.build}: a wrong password fails the run after its pings, with DHIS2's failure e-mail and no other request`, async () => {
      const local = localFor(central, rel, 'Not-The-Password-1!', SYNC_USERS.manage.username);
      queueData(local);
      const run = await local.runMetadataSync();
      assert.equal(run.status, 'FAILURE');
      assert.deepEqual(
        run.exchanges.map((x) => `${x.url.slice(central.url.length)} ${x.status} ${x.outcome}`),
        Array(3).fill('/api/system/ping 401 Authentication failed'),
      );
      assert.equal(
        run.failure,
        'Following Exceptions were encountered while the scheduler run for metadata sync \n\n' +
          'ERROR_CATEGORY : dataPushSummary\n ERROR_VALUE : DataValueSynchronization failed. Remote server is unavailable.\n\n' +
          'null',
      );
      // The first failure aborted the job's progress: later attempts stop before any request.
      assert.equal(run.attempts, rel.retriesEveryException ? 3 : 2);
      assert.equal(local.state.versions.length, 0);
    });

  for (const rel of [RELEASES['2.39'], RELEASES['2.43']])
    it(`${rel.build}: 4xx answers to pushes carry a response the local can read (no NullPointerException)`, async () => {
      const local = localFor(central, rel, SYNC_USERS.none.password, SYNC_USERS.none.username);
      local.queues.dataValues.push(dataValue('2024W1', '1'));
      local.queues.registrations.push(registration('202401'));
      const run = await local.runMetadataSync();
      const refused = run.exchanges.filter((x) => x.method === 'POST' && (x.status ?? 0) >= 400);
      assert.ok(refused.length > 0, 'a user without authority is refused somewhere');
      for (const x of refused)
        assert.match(x.outcome ?? '', /^ImportSummary /, `${x.url} ${x.status}: ${x.responseBody}`);
      // An unknown push route under /api/ answers the same way.
      const unknown = await local.push(
        { path: '/api/trackedEntityInstancesX?strategy=SYNC', klass: 'ImportSummaries' },
        '{}',
      );
      assert.equal(unknown, false);
      assert.match(local.wire.exchanges.at(-1)?.outcome ?? '', /^ImportSummaries ERROR/);
    });

  for (const rel of [RELEASES['2.39'], RELEASES['2.43']])
    it(`${rel.build}: conflicts answered to a data push carry only error codes the local's release knows`, async () => {
      const local = localFor(central, rel);
      local.queues.dataValues.push(
        dataValue('202001', '5'),
        dataValue('202002', '6', { dataElement: 'RelNoSuchDE' }), // E7610 before 2.43
        dataValue('202003', 'not a number'), // E7619 before 2.43
      );
      const run = await local.runMetadataSync();
      const [push] = posts(central, run.exchanges, '/api/dataValueSets');
      assert.equal(push?.outcome, 'ImportSummary WARNING (push failed)', push?.responseBody);
      const conflicts = (JSON.parse(push!.responseBody!) as { response: { conflicts: Json[] } })
        .response.conflicts;
      assert.equal(conflicts.length, 2);
      for (const c of conflicts)
        assert.ok(
          c.errorCode === undefined || RELEASES['2.43'].errorCodes.has(String(c.errorCode)),
          String(c.errorCode),
        );
      // DHIS2 skips the refused page, moves its watermark and pulls metadata all the same.
      assert.equal(run.status, 'SUCCESS', run.failure ?? '');
      assert.equal(local.queues.dataValues.length, 0);
    });

  it('2.42: a registration push the central refuses stops the run before the metadata pull', async () => {
    const local = localFor(central, RELEASES['2.42']);
    local.queues.registrations.push({ ...registration('202401'), dataSet: 'RelNoSuchDS' });
    const run = await local.runMetadataSync();
    assert.equal(run.status, 'FAILURE');
    assert.match(
      run.failure ?? '',
      /ERROR_CATEGORY : dataPushSummary\n ERROR_VALUE : Complete data set registration synchronization failed\.\n\n/,
    );
    const [push] = posts(central, run.exchanges, '/api/completeDataSetRegistrations');
    assert.match(push?.outcome ?? '', /^ImportSummary ERROR/, push?.responseBody);
    assert.ok(
      !run.exchanges.some((x) => x.url.includes('/api/metadata/version')),
      'no metadata pulled',
    );
    assert.equal(local.queues.registrations.length, 1, 'the registration stays queued');
  });
});
