/**
 * Divergence and recovery over in-memory fakes, the story test/integration/sync-divergence tells
 * over HTTP (issue 6 §6): a local that made its own version stops DIVERGED (the central has no
 * such version, then one of that name with other bytes), and after a rebaseline to the last
 * common version the next run pulls the central's versions after it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RemoteVersion } from '../../src/domain/sync/central-client.ts';
import type { MetadataVersion } from '../../src/domain/versioning/version.ts';
import { dataElement, withVersions } from '../support/fakes/sync-run-harness.ts';

/** What the sync service's rebaseline records: the central's version, not imported. */
const recordOf = (v: RemoteVersion, now: Date): MetadataVersion => ({
  id: v.id,
  name: v.name,
  number: Number(v.name.split('_')[1]),
  type: v.type === 'BEST_EFFORT' ? 'BEST_EFFORT' : 'ATOMIC',
  hashCode: v.hashCode,
  parentHashCode: v.parentHashCode,
  created: v.created,
  importDate: now,
  bytes: 0,
  gzipBytes: 0,
  objects: 0,
  deletions: 0,
  types: {},
});

describe('runSync: divergence, then rebaseline', () => {
  it('own version → DIVERGED (none on the central, then other bytes) → rebaseline → pulls the rest', async () => {
    const h = await withVersions(2);
    assert.equal((await h.run()).status, 'SUCCESS');
    // The local makes its own Version_3 (versions made here carry no importDate).
    const v2 = (await h.versions.byName('Version_2'))!;
    h.versions.insert(
      {
        ...v2,
        id: 'verLocal003',
        name: 'Version_3',
        number: 3,
        hashCode: 'c'.repeat(32),
        parentHashCode: v2.hashCode,
        importDate: null,
      },
      null,
    );

    const missing = await h.run();
    assert.equal(missing.error?.kind, 'DIVERGED');
    assert.equal(missing.error?.step, 'history');
    assert.equal(missing.attempts, 1, 'divergence is not retried');
    assert.match(missing.error!.message, /The central has no Version_3/);

    // The central makes its own Version_3 and Version_4.
    const theirs3 = h.central.publish({ objects: { dataElements: [dataElement(3)] } });
    h.central.publish({ objects: { dataElements: [dataElement(4)] } });
    const differs = await h.run();
    assert.equal(differs.error?.kind, 'DIVERGED');
    assert.match(differs.error!.message, /^Version_3 differs/);
    assert.ok(differs.error!.message.includes(theirs3.hashCode), differs.error!.message);
    assert.equal(await h.store.get('dataElements', dataElement(3).id), null);

    const removed = await h.versions.rebaseline(
      recordOf((await h.central.version('Version_2'))!, h.clock.now()),
    );
    assert.deepEqual(removed, ['Version_2', 'Version_3']);
    const after = await h.run();
    assert.equal(after.status, 'SUCCESS', JSON.stringify(after.error));
    assert.deepEqual(
      after.versions.map((v) => [v.name, v.status]),
      [
        ['Version_3', 'SUCCESS'],
        ['Version_4', 'SUCCESS'],
      ],
    );
    assert.deepEqual(
      (await h.versions.list()).map((v) => [v.name, v.hashCode]),
      await Promise.all(
        ['Version_1', 'Version_2', 'Version_3', 'Version_4'].map(async (n) => [
          n,
          (await h.central.version(n))!.hashCode,
        ]),
      ),
    );
  });

  it('a recorded hashCode that differs from the central’s: DIVERGED; rebaseline to it recovers', async () => {
    const h = await withVersions(2);
    await h.run();
    const central2 = (await h.central.version('Version_2'))!;
    await h.versions.rebaseline({
      ...recordOf(central2, h.clock.now()),
      hashCode: '0'.repeat(32),
    });
    h.central.publish({ objects: { dataElements: [dataElement(3)] } });
    const report = await h.run();
    assert.equal(report.error?.kind, 'DIVERGED');
    assert.match(report.error!.message, /^Version_2 differs: hashCode 0{32} here/);
    assert.deepEqual(report.versions, []);

    await h.versions.rebaseline(recordOf(central2, h.clock.now()));
    const fixed = await h.run();
    assert.deepEqual(
      fixed.versions.map((v) => v.name),
      ['Version_3'],
    );
  });
});
