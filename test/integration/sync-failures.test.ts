/**
 * Sync runs that fail, and the run after the cause is gone (issue 6 §2–§3): an ATOMIC version
 * the local cannot import, a BEST_EFFORT version with warnings, a DHIS2 version mismatch with
 * keyStopMetadataSync on and off, an unreachable central (retries, failure settings) and a wrong
 * password. The local follows DHIS2 2.40.0, the central 2.41.0.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { before, describe, it } from 'node:test';
import { backends } from '../support/databases.ts';
import type { TestServer } from '../support/server.ts';
import {
  assertSameObjects,
  assertSameVersions,
  connect,
  count,
  createVersion,
  importMetadata,
  listVersions,
  newDataElement,
  postSettings,
  runSync,
  setting,
  syncOk,
  syncStatus,
  useCentralAndLocal,
} from '../support/sync.ts';
import { fetchJson } from '../support/versions.ts';

type Json = Record<string, unknown>;
const SYNC_USER = 'syncer';
const SYNC_PASSWORD = 'Sync-User-1!';

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as { port: number };
  await new Promise((r) => s.close(r));
  return port;
}

const names = async (server: TestServer) => (await listVersions(server)).map((v) => v.name);

for (const backend of await backends()) {
  describe(`failed syncs, local on ${backend}`, () => {
    const { central, local } = useCentralAndLocal(backend, {
      syncRetry: 3,
      syncRetryFrequencyMs: 20,
      systemVersion: '2.40.0',
    });
    before(async () => {
      // The local signs in as a central user with F_METADATA_MANAGE only, not as a superuser.
      await central.instance.services.users.create({
        username: SYNC_USER,
        password: SYNC_PASSWORD,
        authorities: ['F_METADATA_MANAGE'],
      });
      await connect(local, central.url, SYNC_USER, SYNC_PASSWORD);
      await importMetadata(central, { dataElements: [newDataElement('Base')] });
      await createVersion(central, 'ATOMIC');
      await syncOk(local);
    });

    it('an ATOMIC version that fails to import: nothing imported, run failed, later versions wait', async () => {
      // The local already has a category combo with the code the central's new one uses.
      const mine = { id: 'ccLocal0001', name: 'Local combo', code: 'CC_CLASH' };
      await importMetadata(local, {
        categoryCombos: [{ ...mine, dataDimensionType: 'DISAGGREGATION' }],
      });
      const theirs = { id: 'ccCentral01', name: 'Central combo', code: 'CC_CLASH' };
      await importMetadata(central, {
        categoryCombos: [{ ...theirs, dataDimensionType: 'DISAGGREGATION' }],
        dataElements: [newDataElement('Clash', { categoryCombo: { id: theirs.id } })],
      });
      await createVersion(central, 'ATOMIC'); // Version_2
      await importMetadata(central, { dataElements: [newDataElement('After')] });
      await createVersion(central, 'ATOMIC'); // Version_3
      const before = {
        dataElements: await count(local, 'dataElements'),
        categoryCombos: await count(local, 'categoryCombos'),
      };

      const failed = await runSync(local);
      assert.equal(failed.status, 'FAILED');
      assert.equal(failed.attempts, 1, 'an import failure is not retried');
      assert.equal(failed.error?.kind, 'IMPORT_FAILED');
      assert.equal(failed.error?.version, 'Version_2');
      assert.equal(failed.error?.step, 'versions');
      assert.match(failed.error!.message, /Import of metadata objects was unsuccessful/);
      assert.deepEqual(
        failed.versions.map((v) => [v.name, v.status]),
        [['Version_2', 'FAILED']],
      );
      const codes = failed.versions[0]!.errors.map((e) => e.errorCode);
      assert.ok(codes.includes('E5003'), JSON.stringify(failed.versions[0]!.errors));
      assert.deepEqual(await names(local), ['Version_1']);
      assert.deepEqual(
        {
          dataElements: await count(local, 'dataElements'),
          categoryCombos: await count(local, 'categoryCombos'),
        },
        before,
      );
      assert.equal(await setting(local, 'keyMetadataFailedVersion'), 'Version_2');
      assert.match(String(await setting(local, 'keyMetadataLastFailedTime')), /^\d{4}-/);
      const status = await syncStatus(local);
      assert.equal(status.state, 'FAILED');
      assert.match(status.message, /Version_2/);

      // Manual sync of the same version: DHIS2's 409 with the MetadataSyncSummary (contract §6.7).
      const manual = await fetchJson<Json>(local, '/api/metadata/sync?versionName=Version_3');
      assert.equal(manual.status, 409, manual.text);
      assert.equal(manual.body.status, 'ERROR');
      const summary = manual.body.response as Json;
      assert.equal(summary.responseType, 'MetadataSyncSummary');
      assert.equal((summary.importReport as Json).status, 'ERROR');
      assert.deepEqual(await names(local), ['Version_1']);

      // The fix: the local's clashing object goes; the next run applies Version_2, then 3.
      const del = await fetchJson(local, `/api/categoryCombos/${mine.id}`, { method: 'DELETE' });
      assert.equal(del.status, 200, del.text);
      const fixed = await syncOk(local);
      assert.deepEqual(
        fixed.versions.map((v) => [v.name, v.status]),
        [
          ['Version_2', 'SUCCESS'],
          ['Version_3', 'SUCCESS'],
        ],
      );
      assert.equal(await setting(local, 'keyMetadataFailedVersion'), '');
      assert.equal(await setting(local, 'keyMetadataLastFailedTime'), null);
      await assertSameObjects(central, local);
      await assertSameVersions(central, local);
    });

    it('a BEST_EFFORT version with a bad object: WARNING, recorded, the good objects imported', async () => {
      const mine = newDataElement('Mine', { code: 'DE_CLASH' });
      await importMetadata(local, { dataElements: [mine] });
      const bad = newDataElement('Bad', { code: 'DE_CLASH' });
      const good = [newDataElement('Good'), newDataElement('Good')];
      await importMetadata(central, { dataElements: [...good, bad] });
      await createVersion(central, 'BEST_EFFORT'); // Version_4

      const report = await syncOk(local);
      assert.deepEqual(
        report.versions.map((v) => [v.name, v.type, v.status]),
        [['Version_4', 'BEST_EFFORT', 'WARNING']],
      );
      const v4 = report.versions[0]!;
      assert.equal(v4.stats?.created, 2);
      assert.equal(v4.stats?.ignored, 1);
      assert.ok(
        v4.errors.some((e) => e.errorCode === 'E5003'),
        JSON.stringify(v4.errors),
      );
      assert.deepEqual(await names(local), ['Version_1', 'Version_2', 'Version_3', 'Version_4']);
      const local_ = await fetchJson<{ dataElements: { id: string }[] }>(
        local,
        '/api/dataElements?paging=false&fields=id',
      );
      const ids = local_.body.dataElements.map((d) => d.id);
      for (const g of good) assert.ok(ids.includes(g.id as string));
      assert.ok(!ids.includes(bad.id as string));
      assert.ok(ids.includes(mine.id as string));
    });

    it('keyStopMetadataSync: a snapshot of another DHIS2 version stops the run; off, it syncs', async () => {
      await importMetadata(central, { dataElements: [newDataElement('Mismatch')] });
      await createVersion(central, 'ATOMIC'); // Version_5, made by 2.41.0
      await postSettings(local, { keyStopMetadataSync: true });
      const deBefore = await count(local, 'dataElements');

      const stopped = await runSync(local);
      assert.equal(stopped.status, 'FAILED');
      assert.equal(stopped.error?.kind, 'VERSION_MISMATCH');
      assert.equal(stopped.attempts, 1);
      assert.equal(stopped.error?.version, 'Version_5');
      assert.match(
        stopped.error!.message,
        /Metadata sync failed because your version of DHIS does not match the master version/,
      );
      assert.match(stopped.error!.message, /2\.40\.0/);
      assert.match(stopped.error!.message, /2\.41\.0/);
      assert.equal(await count(local, 'dataElements'), deBefore);
      assert.ok(!(await names(local)).includes('Version_5'));
      // Manual sync answers DHIS2's 403 for the mismatch (contract §6.7).
      const manual = await fetchJson<Json>(local, '/api/metadata/sync?versionName=Version_5');
      assert.equal(manual.status, 403, manual.text);
      assert.match(
        String(manual.body.message),
        /^Exception occurred while doing metadata sync: Metadata sync failed because your version of DHIS does not match the master version/,
      );

      await postSettings(local, { keyStopMetadataSync: false });
      const report = await syncOk(local);
      assert.deepEqual(
        report.versions.map((v) => v.name),
        ['Version_5'],
      );
    });

    it('an unreachable central: retried syncRetry times, failure settings set, cleared once it is back', async () => {
      await connect(local, `http://127.0.0.1:${await closedPort()}`, SYNC_USER, SYNC_PASSWORD);
      const down = await runSync(local);
      assert.equal(down.status, 'FAILED');
      assert.equal(down.error?.kind, 'REMOTE_UNREACHABLE');
      assert.equal(down.error?.step, 'ping');
      assert.equal(down.attempts, 3);
      assert.match(down.error!.message, /Network is unreachable/);
      // DHIS2 records the local's current version when the run failed before any version.
      assert.equal(await setting(local, 'keyMetadataFailedVersion'), 'Version_5');
      const failedAt = String(await setting(local, 'keyMetadataLastFailedTime'));
      assert.ok(Date.parse(failedAt) >= Date.parse(down.startTime), failedAt);
      assert.equal((await syncStatus(local)).state, 'FAILED');

      await connect(local, central.url, SYNC_USER, SYNC_PASSWORD);
      await importMetadata(central, { dataElements: [newDataElement('Back')] });
      await createVersion(central, 'ATOMIC'); // Version_6
      const back = await syncOk(local);
      assert.equal(back.attempts, 1);
      assert.deepEqual(
        back.versions.map((v) => v.name),
        ['Version_6'],
      );
      assert.equal(await setting(local, 'keyMetadataFailedVersion'), '');
      assert.equal(await setting(local, 'keyMetadataLastFailedTime'), null);
      assert.equal((await syncStatus(local)).state, 'UP_TO_DATE');
      await assertSameVersions(central, local);
    });

    it('a wrong password: REMOTE_AUTH at once, not retried', async () => {
      await connect(local, central.url, SYNC_USER, 'wrong-password');
      const report = await runSync(local);
      assert.equal(report.status, 'FAILED');
      assert.equal(report.error?.kind, 'REMOTE_AUTH');
      assert.equal(report.error?.step, 'ping');
      assert.equal(report.attempts, 1);
      assert.equal(report.error?.message, 'Authentication failed');
      assert.equal((await syncStatus(local)).state, 'FAILED');
      await connect(local, central.url, SYNC_USER, SYNC_PASSWORD);
      await syncOk(local);
    });
  });
}
