/**
 * The sync status (`syncStatus`, issue 6 §6) after real runs over in-memory fakes, as
 * test/integration/sync-basic, sync-failures, sync-divergence, sync-central-answers and
 * sync-dhis2-releases read it from `GET /api/metadata/sync/status`.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SyncReport } from '../../src/domain/sync/sync-report.ts';
import { syncStatus } from '../../src/domain/sync/sync-status.ts';
import { centralSystem } from '../support/fakes/fake-central-client.ts';
import { dataElement, syncHarness } from '../support/fakes/sync-run-harness.ts';

describe('syncStatus after runs over the fakes', () => {
  async function statusAfter(h: Awaited<ReturnType<typeof syncHarness>>, last: SyncReport) {
    return syncStatus({
      configured: true,
      running: null,
      last,
      lastSuccess: last.status === 'SUCCESS' ? last : null,
      current: await h.versions.latest(),
      remoteVersion: (h.settings.values.get('keyRemoteMetadataVersion') as string) ?? null,
      systemVersion: h.deps.localSystemVersion,
    });
  }

  it('after a successful run: UP_TO_DATE, behind by 0, its start and end', async () => {
    const h = await syncHarness();
    h.central.publish({ objects: { dataElements: [dataElement(1)] } });
    const r = await h.run();
    const s = await statusAfter(h, r);
    assert.deepEqual(
      [s.state, s.currentVersion, s.behindBy, s.lastAttempt, s.lastSuccess],
      ['UP_TO_DATE', 'Version_1', 0, r.startTime, r.endTime],
    );
  });

  it('after a manual sync up to a version: BEHIND by the rest', async () => {
    const h = await syncHarness();
    for (let i = 1; i <= 3; i++) h.central.publish({ objects: { dataElements: [dataElement(i)] } });
    const s = await statusAfter(h, await h.run({ upTo: 'Version_2' }));
    assert.deepEqual(
      [s.state, s.currentVersion, s.remoteVersion, s.behindBy],
      ['BEHIND', 'Version_2', 'Version_3', 1],
    );
  });

  it('after an ATOMIC import failure: FAILED, naming the version', async () => {
    const h = await syncHarness();
    h.central.publish({
      objects: { dataElements: [dataElement(1, { categoryCombo: { id: 'NoSuchCombo' } })] },
    });
    const s = await statusAfter(h, await h.run());
    assert.equal(s.state, 'FAILED');
    assert.match(s.message, /^Failed at Version_1 \(versions\): Import of metadata objects/);
  });

  it('after a divergence: DIVERGED', async () => {
    const h = await syncHarness();
    h.central.publish({ objects: { dataElements: [dataElement(1)] } });
    await h.run();
    h.central.remove('Version_1');
    const s = await statusAfter(h, await h.run());
    assert.equal(s.state, 'DIVERGED');
    assert.match(s.message, /Version_1/);
  });

  it('after a keyStopMetadataSync stop: FAILED, with both release strings', async () => {
    const h = await syncHarness({
      central: { dhis2: true, release: '2.43.0' },
      settings: { keyStopMetadataSync: true },
    });
    h.central.publish({ system: centralSystem('2.40.0'), objects: {} });
    const s = await statusAfter(h, await h.run());
    assert.deepEqual(
      [s.state, s.systemVersion, s.centralSystemVersion],
      ['FAILED', '2.41.0', '2.43.0'],
    );
  });

  it('after a run whose data push left events queued: UP_TO_DATE, saying so', async () => {
    const h = await syncHarness();
    h.central.publish({ objects: { dataElements: [dataElement(1)] } });
    h.onDataPush(() => ({
      status: 'WARNING',
      message: 'events not pushed: the central has no /api/tracker (HTTP 404); they stay queued',
    }));
    const s = await statusAfter(h, await h.run());
    assert.equal(s.state, 'UP_TO_DATE');
    assert.match(s.message, /Data push: .*events not pushed/);
  });
});
