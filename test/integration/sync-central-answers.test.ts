/**
 * The smaller differences of a local against a DHIS2 central (issue 16 §11): a version listed
 * without `type` is ATOMIC (DHIS2 imports best effort only for BEST_EFFORT); the availability
 * check pings `syncMaxRemoteServerAvailabilityCheckAttempts` times; a 3xx names where the central
 * redirected to; a keyStopMetadataSync stop names the build strings, and the sync status shows
 * the central's. Each against fake-dhis2.ts, the local reset between tests.
 */
import assert from 'node:assert/strict';
import { after, beforeEach, describe, it } from 'node:test';
import { backends } from '../support/databases.ts';
import {
  startFakeDhis2Central,
  type FakeCentral,
  type FakeCentralShape,
} from '../support/fake-dhis2.ts';
import { useServer } from '../support/server.ts';
import {
  connect,
  listVersions,
  newDataElement,
  objects,
  postSettings,
  resetServer,
  runSync,
  step,
  syncOk,
  syncStatus,
} from '../support/sync.ts';
import { uid } from '../support/versions.ts';

type Json = Record<string, unknown>;

const system = (version: string) => ({ id: 'fake', rev: 'a1b2c3d', version, date: '2016-07-01' });

for (const backend of await backends()) {
  describe(`a ${backend} local and what a DHIS2 central answers`, () => {
    const local = useServer(backend, { syncRetry: 3, syncRetryFrequencyMs: 10 });
    const fakes: FakeCentral[] = [];
    beforeEach(() => resetServer(local));
    after(async () => {
      for (const f of fakes) await f.stop();
    });

    /** A central with one version (entity `entity`, snapshot `snapshot`), connected. */
    async function central(
      entity: Json,
      snapshot: Json,
      shape: FakeCentralShape = {},
      password = 'district',
    ): Promise<FakeCentral> {
      const version = { name: 'Version_1', created: '2016-07-01T00:00:00.000+0000', id: uid() };
      const fake = await startFakeDhis2Central({
        username: 'admin',
        password: 'district',
        versions: [{ entity: { ...version, ...entity }, snapshot }],
        published: ['Version_1'],
        firstHistory: { metadataversions: [{ ...version, ...entity }] },
        ...shape,
      });
      fakes.push(fake);
      await connect(local, fake.url, 'admin', password);
      return fake;
    }
    const pings = (fake: FakeCentral) =>
      fake.requests.filter((r) => r === 'GET /api/system/ping').length;

    it('a version listed without type is ATOMIC: recorded so, and imported all or nothing', async () => {
      const good = newDataElement('Untyped');
      await central({}, { system: system('2.41.0'), dataElements: [good] });
      const report = await syncOk(local);
      assert.deepEqual(
        report.versions.map((v) => [v.name, v.type]),
        [['Version_1', 'ATOMIC']],
      );
      assert.deepEqual(
        (await listVersions(local)).map((v) => [v.name, v.type]),
        [['Version_1', 'ATOMIC']],
      );

      // One bad object: an ATOMIC import takes nothing (BEST_EFFORT would take the good one).
      await resetServer(local);
      const fine = newDataElement('Untyped fine');
      const broken = newDataElement('Untyped broken', { categoryCombo: { id: 'NoSuchCombo' } });
      await central({}, { system: system('2.41.0'), dataElements: [fine, broken] });
      const failed = await runSync(local);
      assert.equal(failed.status, 'FAILED');
      assert.equal(failed.error?.kind, 'IMPORT_FAILED', JSON.stringify(failed.error));
      assert.ok(
        !(await objects(local, 'dataElements', 'id')).some((d) => d.id === fine.id),
        'nothing of an ATOMIC version with errors is imported',
      );
    });

    it('pings syncMaxRemoteServerAvailabilityCheckAttempts times, syncDelayBetween… apart', async () => {
      const fake = await central(
        { type: 'BEST_EFFORT' },
        { dataElements: [newDataElement('Pinged')] },
        { pingFailures: 2 },
      );
      await postSettings(local, {
        syncMaxRemoteServerAvailabilityCheckAttempts: 3,
        syncDelayBetweenRemoteServerAvailabilityCheckAttempts: 10,
      });
      const report = await syncOk(local);
      assert.equal(report.attempts, 1, 'the third ping of the first attempt answered');
      assert.equal(pings(fake), 3);
      assert.match(
        step(report, 'ping').message ?? '',
        /^Authentication was successful at availability check 3;/,
      );

      // Two checks per attempt: five failing pings take the run to its third attempt.
      await resetServer(local);
      const slow = await central(
        { type: 'BEST_EFFORT' },
        { dataElements: [newDataElement('Pinged slowly')] },
        { pingFailures: 5 },
      );
      await postSettings(local, {
        syncMaxRemoteServerAvailabilityCheckAttempts: 2,
        syncDelayBetweenRemoteServerAvailabilityCheckAttempts: 0,
      });
      const third = await syncOk(local);
      assert.equal(third.attempts, 3);
      assert.equal(pings(slow), 6);

      // A wrong password is not pinged again: the same answer would come, and each failed
      // login counts towards the central's lockout (issue 16 §6).
      await resetServer(local);
      await postSettings(local, { syncMaxRemoteServerAvailabilityCheckAttempts: 3 });
      const denied = await central({ type: 'BEST_EFFORT' }, { dataElements: [] }, {}, 'wrong');
      const refused = await runSync(local);
      assert.equal(refused.error?.kind, 'REMOTE_AUTH');
      assert.equal(refused.attempts, 1);
      assert.equal(pings(denied), 1);
    });

    it('a 3xx is reported as the redirect it is, with its target, and not retried', async () => {
      const away = 'https://central.example.org/dhis/api/system/ping';
      const fake = await central(
        { type: 'BEST_EFFORT' },
        { dataElements: [] },
        { redirectTo: away },
      );
      const report = await runSync(local);
      assert.equal(report.status, 'FAILED');
      assert.equal(report.error?.kind, 'REMOTE_REDIRECT');
      assert.equal(report.error?.step, 'ping');
      assert.equal(report.attempts, 1);
      assert.match(
        report.error!.message,
        /^The central redirected to https:\/\/central\.example\.org\/dhis\/api\/system\/ping \(HTTP 302 for http:\/\/127\.0\.0\.1:\d+\/api\/system\/ping\)/,
      );
      assert.doesNotMatch(report.error!.message, /No authentication was provided/);
      assert.equal(pings(fake), 1);

      // A relative Location is resolved against the address asked for.
      await resetServer(local);
      const login = await central(
        { type: 'BEST_EFFORT' },
        { dataElements: [] },
        {
          redirectTo: '/dhis-web-login/',
        },
      );
      const relative = await runSync(local);
      assert.ok(
        relative.error!.message.startsWith(
          `The central redirected to ${login.url}/dhis-web-login/ `,
        ),
        relative.error!.message,
      );
    });

    it('a keyStopMetadataSync stop names both build strings; the status shows the central’s', async () => {
      await central(
        { type: 'BEST_EFFORT' },
        { system: system('2.40.0'), dataElements: [newDataElement('Older')] },
        { release: '2.43.0' },
      );
      await postSettings(local, { keyStopMetadataSync: true });
      const report = await runSync(local);
      assert.equal(report.error?.kind, 'VERSION_MISMATCH');
      const message = report.error!.message;
      assert.match(message, /this instance follows DHIS2 2\.41\.0 \(its system\.version\)/);
      assert.match(
        message,
        /Version_1 was made by DHIS2 2\.40\.0; the central runs DHIS2 2\.43\.0 now/,
      );
      assert.match(message, /Set system\.version in this instance's config file/);

      const status = await syncStatus(local);
      assert.equal(status.state, 'FAILED');
      assert.equal(status.systemVersion, '2.41.0');
      assert.equal(status.centralSystemVersion, '2.43.0');
    });
  });
}
