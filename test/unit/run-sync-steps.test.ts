/**
 * A sync run that succeeds, or fails part-way, over in-memory fakes: the report's and each step's
 * status as the run goes (RUNNING → SUCCESS / WARNING / SKIPPED / FAILED), what each step says,
 * the versions pulled in order, `upTo`, the settings the run keeps in step, and the events it
 * emits. The outcomes test/integration/sync-basic, sync-failures and sync-dhis2-releases assert
 * over HTTP.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  dataElement,
  steps,
  syncHarness,
  withVersions,
} from '../support/fakes/sync-run-harness.ts';

const ALL_OK = [
  'setUp:SUCCESS',
  'ping:SUCCESS',
  'dataPush:SKIPPED',
  'history:SUCCESS',
  'versions:SUCCESS',
];

describe('runSync: a successful run', () => {
  it('pulls Version_1 into an empty local: every step SUCCESS, the version recorded as the central’s', async () => {
    const h = await withVersions(1);
    const report = await h.run();
    assert.equal(report.status, 'SUCCESS');
    assert.equal(report.attempts, 1);
    assert.equal(report.error, null);
    assert.deepEqual(steps(report), ALL_OK);
    assert.deepEqual(
      report.versions.map((v) => [v.name, v.type, v.status, v.stats?.created]),
      [['Version_1', 'ATOMIC', 'SUCCESS', 1]],
    );
    assert.deepEqual(
      [report.fromVersion, report.toVersion, report.remoteVersion],
      [null, 'Version_1', 'Version_1'],
    );
    assert.ok(report.endTime! >= report.startTime);
    const theirs = (await h.central.version('Version_1'))!;
    const ours = (await h.versions.byName('Version_1'))!;
    assert.deepEqual(
      { ...ours, importDate: null, bytes: 0, gzipBytes: 0, objects: 0, deletions: 0, types: {} },
      {
        ...theirs,
        number: 1,
        type: 'ATOMIC',
        importDate: null,
        bytes: 0,
        gzipBytes: 0,
        objects: 0,
        deletions: 0,
        types: {},
      },
    );
    assert.equal(ours.importDate?.toISOString(), h.clock.now().toISOString());
    const stored = await h.store.get('dataElements', dataElement(1).id);
    assert.equal(stored?.name, 'Unit element 1', 'the object is imported');
  });

  it('keeps the settings a DHIS2 local keeps: versioning on, last success, no failure, the central’s newest', async () => {
    const h = await withVersions(1, {
      settings: { keyMetadataFailedVersion: 'Version_9', keyMetadataLastFailedTime: 'x' },
    });
    const report = await h.run();
    assert.deepEqual(Object.fromEntries(h.settings.values), {
      keyVersionEnabled: true,
      keyRemoteMetadataVersion: 'Version_1',
      keyMetadataFailedVersion: '',
      keyMetadataLastFailedTime: null,
      keyLastMetaDataSyncSuccess: report.endTime,
    });
    // Versioning is switched on first, before anything can fail (DHIS2's job does the same).
    assert.deepEqual(h.settings.updates[0], { keyVersionEnabled: true });
  });

  it('with nothing new: history says so, nothing imported, from = to', async () => {
    const h = await withVersions(1);
    await h.run();
    const report = await h.run();
    assert.deepEqual(steps(report), ALL_OK);
    assert.equal(
      report.steps[3]!.message,
      'Your instance is already using the latest version: Version_1',
    );
    assert.equal(report.steps[4]!.message, 'Nothing to import');
    assert.deepEqual(report.versions, []);
    assert.deepEqual(
      [report.fromVersion, report.toVersion, report.remoteVersion],
      ['Version_1', 'Version_1', 'Version_1'],
    );
    assert.equal(h.central.count('snapshot'), 1, 'the second run downloads nothing');
  });

  it('from a central without versions: SUCCESS, nothing to import, no remote version recorded', async () => {
    const h = await withVersions(0);
    const report = await h.run();
    assert.deepEqual(steps(report), ALL_OK);
    assert.equal(
      report.steps[3]!.message,
      'There are no metadata versions created in the remote instance',
    );
    assert.equal(report.remoteVersion, null);
    assert.equal(report.toVersion, null);
    assert.equal(h.settings.values.has('keyRemoteMetadataVersion'), false);
  });

  it('pulls ten versions in one run, oldest first, whatever order the central lists them in', async () => {
    const h = await withVersions(1);
    await h.run();
    for (let i = 2; i <= 11; i++)
      h.central.publish(
        { objects: { dataElements: [dataElement(i)] } },
        {
          type: i % 2 ? 'BEST_EFFORT' : 'ATOMIC',
        },
      );
    const report = await h.run();
    assert.deepEqual(
      report.versions.map((v) => [v.name, v.status]),
      Array.from({ length: 10 }, (_, i) => [`Version_${i + 2}`, 'SUCCESS']),
    );
    assert.equal(report.versions[1]!.type, 'BEST_EFFORT');
    assert.equal(report.steps[3]!.message, '10 newer version(s): Version_2 … Version_11');
    assert.equal(report.steps[4]!.message, 'Imported 10 version(s); now at Version_11');
    assert.deepEqual([report.fromVersion, report.toVersion], ['Version_1', 'Version_11']);
    assert.deepEqual(
      h.central.calls.filter((c) => c.startsWith('snapshot')),
      ['snapshot Version_1', ...Array.from({ length: 10 }, (_, i) => `snapshot Version_${i + 2}`)],
    );
    assert.equal((await h.versions.list()).length, 11);
    assert.equal((await h.store.countByType()).get('dataElements'), 11);
  });

  it('applies a version’s deletions and records the version with its counts', async () => {
    const h = await withVersions(2);
    await h.run();
    h.central.publish({
      objects: { dataElements: [dataElement(3)] },
      deletions: [{ type: 'dataElements', uid: dataElement(1).id, code: dataElement(1).code }],
    });
    const report = await h.run();
    assert.deepEqual(report.versions[0]!.deletions, { applied: 1, skipped: 0 });
    assert.equal(report.versions[0]!.status, 'SUCCESS');
    assert.equal(await h.store.get('dataElements', dataElement(1).id), null);
    const v3 = (await h.versions.byName('Version_3'))!;
    assert.deepEqual([v3.objects, v3.deletions, v3.types], [1, 1, { dataElements: 1 }]);
  });
});

describe('runSync: a DHIS2 central', () => {
  it('versions without parentHashCode, listed newest first: pulled oldest first, chained here', async () => {
    const h = await syncHarness({ central: { dhis2: true } });
    for (let i = 1; i <= 3; i++)
      h.central.publish({ objects: { dataElements: [dataElement(i)] } }, { type: null });
    const report = await h.run();
    assert.equal(report.status, 'SUCCESS');
    assert.deepEqual(
      report.versions.map((v) => [v.name, v.type]),
      [
        ['Version_1', 'ATOMIC'],
        ['Version_2', 'ATOMIC'],
        ['Version_3', 'ATOMIC'],
      ],
    );
    const [v1, v2, v3] = await h.versions.list();
    assert.deepEqual(
      [v1!.parentHashCode, v2!.parentHashCode, v3!.parentHashCode],
      [null, v1!.hashCode, v2!.hashCode],
    );
  });

  it('versions created at the same instant go by their number (Version_9 before Version_10)', async () => {
    const h = await syncHarness({ central: { dhis2: true } });
    const same = new Date('2026-01-01T00:00:00.000Z');
    for (let i = 1; i <= 10; i++) {
      const v = h.central.publish({ objects: { dataElements: [dataElement(i)] } });
      h.central.alter(v.name, { created: same });
    }
    const report = await h.run();
    assert.deepEqual(
      report.versions.map((v) => v.name),
      Array.from({ length: 10 }, (_, i) => `Version_${i + 1}`),
    );
  });
});

describe('runSync: upTo (a manual sync of one version)', () => {
  it('imports every version up to the one named, no further; the central’s newest is still recorded', async () => {
    const h = await withVersions(4);
    const report = await h.run({ upTo: 'Version_3', trigger: 'MANUAL_VERSION' });
    assert.equal(report.status, 'SUCCESS');
    assert.deepEqual(
      report.versions.map((v) => v.name),
      ['Version_1', 'Version_2', 'Version_3'],
    );
    assert.equal(report.toVersion, 'Version_3');
    assert.equal(report.remoteVersion, 'Version_4');
    assert.equal(h.settings.values.get('keyRemoteMetadataVersion'), 'Version_4');
    assert.equal(report.steps[3]!.message, '3 newer version(s): Version_1 … Version_3');

    const rest = await h.run();
    assert.deepEqual(
      rest.versions.map((v) => v.name),
      ['Version_4'],
    );
  });

  it('a name that is not among the newer versions imports nothing', async () => {
    const h = await withVersions(2);
    const report = await h.run({ upTo: 'Version_7' });
    assert.equal(report.status, 'SUCCESS');
    assert.deepEqual(report.versions, []);
    assert.equal(report.remoteVersion, 'Version_2');
    assert.deepEqual(await h.versions.list(), []);
  });
});

describe('runSync: the data push step', () => {
  for (const [status, message] of [
    ['SKIPPED', 'Nothing to push'],
    ['SUCCESS', 'data values: 2; registrations: 0; events: 1'],
    ['WARNING', 'events not pushed: the central has no /api/tracker (HTTP 404); they stay queued'],
  ] as const)
    it(`a push that answers ${status}: the step says so and the pull goes on`, async () => {
      const h = await withVersions(1);
      h.onDataPush(() => ({ status, message }));
      const report = await h.run();
      assert.equal(report.status, 'SUCCESS');
      assert.deepEqual(report.steps[2], { name: 'dataPush', status, message });
      assert.deepEqual(
        report.versions.map((v) => v.name),
        ['Version_1'],
      );
    });

  it('is told the central’s release as read in the ping step (issue 16 §4)', async () => {
    const h = await syncHarness({ central: { dhis2: true, release: '2.43.0' } });
    const report = await h.run();
    assert.deepEqual(h.pushedTo, [{ version: '2.43.0', revision: 'a1b2c3d', metasync: false }]);
    assert.deepEqual(report.central, h.pushedTo[0]);
    assert.equal(
      report.steps[1]!.message,
      'Authentication was successful; the central runs DHIS2 2.43.0; events go to /api/tracker',
    );
  });

  it('a central that does not tell its release: the ping step says how its data goes', async () => {
    const h = await syncHarness({ central: { dhis2: true } });
    h.central.info = { version: null, revision: null, metasync: false, unavailable: 'HTTP 404' };
    const report = await h.run();
    assert.match(
      report.steps[1]!.message!,
      /^Authentication was successful; the central did not tell its release \(\/api\/system\/info: HTTP 404\); its data is pushed as to DHIS2 2\.41 and earlier$/,
    );
  });
});
