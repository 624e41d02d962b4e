/**
 * What the DataStore reads of the metadata in its database (src/domain/data/data-store.ts):
 * `resolve` by UID or code, and org unit trees for data value and tracked entity queries. Run
 * with ./data-store-conformance.ts on PGlite, PostgreSQL and the fake. Each test uses its own
 * ids; the tests share one store.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { newUid } from '../../src/security/random.ts';
import { all, dv, T, type DataStoreUnderTest } from './data-store-conformance.ts';
import { write } from './metadata-rows.ts';
import type { Get } from './store-conformance.ts';

export function registerDataStoreMetadataTests(get: Get<DataStoreUnderTest>) {
  const store = () => get().data;

  it('resolves metadata by UID or code; option combos also by UID; org unit children by parent', async () => {
    const [de, coc, root, child, grandchild] = [newUid(), newUid(), newUid(), newUid(), newUid()];
    const code = `CONF_DS_${de}`;
    await get().metadata.write((w) =>
      w.apply(
        {
          writes: [
            write('dataElements', de, { code, payload: { code } }),
            write('categoryOptionCombos', coc),
            write('organisationUnits', root, { payload: { id: root } }),
            write('organisationUnits', child, { payload: { id: child, parent: { id: root } } }),
            write('organisationUnits', grandchild, {
              payload: { id: grandchild, parent: { id: child } },
            }),
          ],
          deletes: [],
        },
        { actorId: 'M5zQapPyTZI', now: new Date(T), passwordHashes: new Map() },
      ),
    );
    const byUid = await store().resolve('dataElements', [de, 'noSuchDe001'], 'UID');
    assert.deepEqual([...byUid.keys()], [de]);
    assert.equal(byUid.get(de)?.code, code);
    assert.deepEqual([...(await store().resolve('dataElements', [code], 'CODE')).keys()], [code]);
    assert.deepEqual([...(await store().resolve('dataElements', [de], 'CODE')).keys()], []);
    assert.deepEqual(
      [...(await store().resolve('categoryOptionCombos', [coc], 'CODE')).keys()],
      [coc],
    );

    const rows = [root, child, grandchild].map((orgUnit) => dv({ dataElement: de, orgUnit }));
    await store().writeDataValues(rows, all(rows), false);
    const units = async (children: boolean, orgUnits: string[]) =>
      (await store().queryDataValues({ dataElements: [de], orgUnits, children }))
        .map((v) => v.orgUnit)
        .sort();
    assert.deepEqual(await units(false, [child]), [child]);
    assert.deepEqual(await units(true, [child]), [child, grandchild].sort());
    assert.deepEqual(await units(true, [root]), [root, child, grandchild].sort());
  });

  it('queries tracked entities under an org unit: SELECTED, CHILDREN, DESCENDANTS, ALL', async () => {
    const [root, child, grandchild, type] = [newUid(), newUid(), newUid(), newUid()];
    await get().metadata.write((w) =>
      w.apply(
        {
          writes: [
            write('organisationUnits', root, { payload: { id: root } }),
            write('organisationUnits', child, { payload: { id: child, parent: { id: root } } }),
            write('organisationUnits', grandchild, {
              payload: { id: grandchild, parent: { id: child } },
            }),
          ],
          deletes: [],
        },
        { actorId: 'M5zQapPyTZI', now: new Date(T), passwordHashes: new Map() },
      ),
    );
    const tei = (orgUnit: string) => ({
      uid: newUid(),
      trackedEntityType: type,
      orgUnit,
      payload: { orgUnit },
      deleted: false,
      created: T,
      lastUpdated: T,
    });
    const rows = [tei(root), tei(child), tei(grandchild)];
    await store().writeTracker(
      { trackedEntities: [], enrollments: [], events: [] },
      () => ({ writes: { trackedEntities: rows, enrollments: [], events: [] } }),
      false,
    );
    const units = async (ouMode: 'SELECTED' | 'CHILDREN' | 'DESCENDANTS' | 'ALL') =>
      (
        await store().queryTrackedEntities({
          trackedEntityType: type,
          orgUnits: [root],
          ouMode,
          includeDeleted: false,
          offset: 0,
          limit: null,
        })
      ).trees
        .map((t) => t.trackedEntity.orgUnit)
        .sort();
    assert.deepEqual(await units('SELECTED'), [root]);
    assert.deepEqual(await units('CHILDREN'), [root, child].sort());
    assert.deepEqual(await units('DESCENDANTS'), [root, child, grandchild].sort());
    assert.deepEqual(await units('ALL'), [root, child, grandchild].sort());
  });
}
