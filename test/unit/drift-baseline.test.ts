/**
 * The drift baseline (issue 23 §2) as version imports keep it, against the fold of the same
 * snapshots (baseline-fold.ts, the upgrade path): the same hashes, whatever became of the
 * objects here; an ATOMIC version that rolls back leaves none; a carried deletion drops one.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { snapshotMembers } from '../../src/central/snapshot-reader.ts';
import { foldBaseline } from '../../src/domain/drift/baseline-fold.ts';
import { apply } from '../support/fakes/apply-version-harness.ts';
import { snapshotBytes, type SnapshotInput } from '../support/fakes/fake-central-client.ts';
import { dataElement } from '../support/fakes/sync-run-harness.ts';
import { memoryLocal } from '../support/fakes/sync-import-fakes.ts';

const V1: SnapshotInput = {
  objects: { dataElements: [dataElement(1), dataElement(2), dataElement(3)] },
};
const V2: SnapshotInput = {
  objects: { dataElements: [dataElement(1, { name: 'Renamed by the central' }), dataElement(4)] },
  deletions: [{ type: 'dataElements', uid: dataElement(3).id }],
};

const stored = (versions: Record<string, Buffer>) => ({
  async members(name: string) {
    const bytes = versions[name];
    return bytes
      ? snapshotMembers(
          (async function* () {
            yield bytes;
          })(),
        )
      : null;
  },
});

const plain = (m: ReadonlyMap<string, { hash: string; version: string }>) =>
  Object.fromEntries([...m].map(([k, v]) => [k.replace('\u0000', '/'), v]));

describe('drift baseline', () => {
  it('each version import records what it says every object is; the fold of its snapshots gives the same', async () => {
    const local = await memoryLocal();
    assert.equal((await apply(local, V1)).ok, true);
    assert.equal(
      (await apply(local, V2, { name: 'Version_2', id: 'verC0000002', parentHashCode: null })).ok,
      true,
    );
    const kept = plain(local.store.baseline);
    assert.deepEqual(Object.keys(kept).sort(), [
      `dataElements/${dataElement(1).id}`,
      `dataElements/${dataElement(2).id}`,
      `dataElements/${dataElement(4).id}`,
    ]);
    assert.equal(kept[`dataElements/${dataElement(1).id}`]!.version, 'Version_2');
    assert.equal(kept[`dataElements/${dataElement(2).id}`]!.version, 'Version_1');

    const fresh = await memoryLocal();
    const folded = await foldBaseline(
      {
        snapshots: stored({ Version_1: snapshotBytes(V1), Version_2: snapshotBytes(V2) }),
        metadata: fresh.store,
      },
      ['Version_1', 'Version_2', 'Version_3'],
    );
    assert.equal(folded, 2, 'a version without a stored snapshot is skipped');
    assert.deepEqual(plain(fresh.store.baseline), kept);
  });

  it('a BEST_EFFORT version records a failed object as the version gives it; a rolled-back ATOMIC one records nothing', async () => {
    const local = await memoryLocal();
    // Two objects with one code: the second fails (E5003), the first imports.
    const clash: SnapshotInput = {
      objects: {
        dataElements: [dataElement(1), dataElement(2, { code: dataElement(1).code })],
      },
    };
    const best = await apply(local, clash, { type: 'BEST_EFFORT' });
    assert.equal(best.ok, true);
    assert.equal(best.report.status, 'WARNING');
    assert.equal(local.store.baseline.size, 2, 'the failed object has its implied hash too');

    const other = await memoryLocal();
    const atomic = await apply(other, clash, { type: 'ATOMIC' });
    assert.equal(atomic.ok, false);
    assert.equal(other.store.baseline.size, 0);
  });
});
