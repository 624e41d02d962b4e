/**
 * A sync run's report as it goes, over in-memory fakes: what each save holds (each step RUNNING,
 * then settled; the report RUNNING, then SUCCESS or FAILED), the events emitted, a failure
 * part-way after some versions, and the failure settings set and cleared. The outcomes
 * test/integration/sync-basic and sync-failures assert over HTTP.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { remote, snapshotBytes } from '../support/fakes/fake-central-client.ts';
import { dataElement, steps, withVersions } from '../support/fakes/sync-run-harness.ts';

describe('runSync: the report as it goes', () => {
  it('saves each step as it settles; a RUNNING step is emitted but not saved', async () => {
    const h = await withVersions(2);
    const report = await h.run();
    // What each save held: the run's status and its steps.
    assert.deepEqual(
      h.saved.map((r) => `${r.status} ${steps(r).join(' ')} to=${r.toVersion}`),
      [
        'RUNNING setUp:SUCCESS ping:NOT_EXECUTED dataPush:NOT_EXECUTED history:NOT_EXECUTED versions:NOT_EXECUTED to=null',
        'RUNNING setUp:SUCCESS ping:SUCCESS dataPush:NOT_EXECUTED history:NOT_EXECUTED versions:NOT_EXECUTED to=null',
        'RUNNING setUp:SUCCESS ping:SUCCESS dataPush:SKIPPED history:NOT_EXECUTED versions:NOT_EXECUTED to=null',
        'RUNNING setUp:SUCCESS ping:SUCCESS dataPush:SKIPPED history:SUCCESS versions:NOT_EXECUTED to=null',
        'RUNNING setUp:SUCCESS ping:SUCCESS dataPush:SKIPPED history:SUCCESS versions:RUNNING to=Version_1',
        'RUNNING setUp:SUCCESS ping:SUCCESS dataPush:SKIPPED history:SUCCESS versions:RUNNING to=Version_2',
        'RUNNING setUp:SUCCESS ping:SUCCESS dataPush:SKIPPED history:SUCCESS versions:SUCCESS to=Version_2',
        'SUCCESS setUp:SUCCESS ping:SUCCESS dataPush:SKIPPED history:SUCCESS versions:SUCCESS to=Version_2',
      ],
    );
    assert.equal(h.saved.at(-1)!.endTime, report.endTime);
    assert.ok(h.saved.slice(0, -1).every((r) => r.endTime === null));
  });

  it('emits each step RUNNING then settled, the number of versions, and each version', async () => {
    const h = await withVersions(2);
    await h.run();
    assert.deepEqual(
      h.events.map((e) =>
        e.kind === 'step'
          ? `${e.step}:${e.status}`
          : e.kind === 'version'
            ? `${e.name} ${e.index + 1}/${e.total} ${e.status} ${typeof e.seconds}`
            : e.kind === 'versions'
              ? `versions ${e.total}`
              : e.kind,
      ),
      [
        'setUp:SUCCESS',
        'ping:RUNNING',
        'ping:SUCCESS',
        'dataPush:RUNNING',
        'dataPush:SKIPPED',
        'history:RUNNING',
        'history:SUCCESS',
        'versions:RUNNING',
        'versions 2',
        'Version_1 1/2 SUCCESS number',
        'Version_2 2/2 SUCCESS number',
        'versions:SUCCESS',
      ],
    );
  });

  it('a failure part-way keeps the versions imported before it, and stops at the first that fails', async () => {
    const h = await withVersions(4);
    const bad = snapshotBytes({ objects: { dataElements: [dataElement(3)] } });
    bad[bad.length - 3]! ^= 0x01;
    h.central.tamper('Version_3', bad);
    const report = await h.run();
    assert.equal(report.status, 'FAILED');
    assert.deepEqual(
      report.versions.map((v) => [v.name, v.status]),
      [
        ['Version_1', 'SUCCESS'],
        ['Version_2', 'SUCCESS'],
        ['Version_3', 'FAILED'],
      ],
    );
    assert.deepEqual(
      [report.fromVersion, report.toVersion, report.error?.version],
      [null, 'Version_2', 'Version_3'],
    );
    assert.deepEqual(
      (await h.versions.list()).map((v) => v.name),
      ['Version_1', 'Version_2'],
    );
    assert.equal(h.central.count('snapshot'), 3, 'Version_4 is never fetched');
    assert.equal(h.settings.values.get('keyMetadataFailedVersion'), 'Version_3');
  });

  it('a failure before any version on an empty local records no failed version name', async () => {
    const h = await withVersions(1);
    h.central.fail('ping', remote.auth());
    const report = await h.run();
    assert.equal(report.error?.version, null);
    assert.equal(h.settings.values.get('keyMetadataFailedVersion'), '');
    assert.equal(h.settings.values.get('keyMetadataLastFailedTime'), report.endTime);
  });

  it('the run after a failure clears it: error gone, failure settings reset', async () => {
    const h = await withVersions(1);
    h.central.fail('ping', remote.auth());
    assert.equal((await h.run()).status, 'FAILED');
    const report = await h.run();
    assert.equal(report.status, 'SUCCESS');
    assert.equal(report.error, null);
    assert.equal(h.settings.values.get('keyMetadataFailedVersion'), '');
    assert.equal(h.settings.values.get('keyMetadataLastFailedTime'), null);
  });
});
