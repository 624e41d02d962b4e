/**
 * References, deletes and identities in the metadata import over the in-memory stores (issue 4
 * §2, §4): references resolved in the payload and the store, org unit cycles, deletes blocked by
 * referrers or defaults, tombstones and change numbers, identifier=AUTO, unique names and codes
 * freed in the same payload. No server, no database.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SUPERUSER } from '../../src/domain/auth/users.ts';
import type { ImportReport } from '../../src/domain/metadata/import-report.ts';
import { DEFAULTS } from '../../src/domain/metadata/types.ts';
import { createImportWorld } from '../support/fakes/memory-import.ts';
import { generateMetadata, objectCount, payload, uidSource } from '../support/generate-metadata.ts';

const errorReports = (r: ImportReport) =>
  r.typeReports.flatMap((t) => t.objectReports.flatMap((o) => o.errorReports));
const errorCodes = (r: ImportReport) => [...new Set(errorReports(r).map((e) => e.errorCode))];
const newId = uidSource(4444);

describe('metadata import references, deletes and identities over the in-memory stores', () => {
  it('references resolve within the payload; a dangling one is E5002 with its property path', async () => {
    const w = await createImportWorld();
    const g = generateMetadata(7);
    const dataSet = (dataElement: string) => ({
      id: newId(),
      name: `${g.prefix} DS ${dataElement}`,
      periodType: 'Monthly',
      dataSetElements: [{ dataElement: { id: dataElement } }],
    });
    const ok = await w.run({ ...payload(g), dataSets: [dataSet(g.dataElements[0]!.id as string)] });
    assert.equal(ok.status, 'OK');
    assert.equal(ok.stats.created, objectCount(g) + 1);
    const missing = newId();
    const r = await w.run({ dataSets: [dataSet(missing)] });
    assert.equal(r.status, 'ERROR');
    const [e] = errorReports(r);
    assert.equal(e!.errorCode, 'E5002');
    assert.equal(e!.errorProperty, 'dataSetElements[0].dataElement');
    assert.equal(e!.value, missing);
    assert.equal(e!.mainKlass, 'org.hisp.dhis.dataset.DataSet');
  });

  it('a reference to the stored default category combo resolves', async () => {
    const w = await createImportWorld();
    const g = generateMetadata(71, { optionSets: 0 });
    for (const de of g.dataElements) de.categoryCombo = { id: DEFAULTS.categoryCombo };
    const r = await w.run({ dataElements: g.dataElements });
    assert.equal(r.status, 'OK', JSON.stringify(errorReports(r)));
    assert.deepEqual(
      await w.store.referencing(DEFAULTS.categoryCombo).then((x) => x.length),
      5 + 1,
    );
  });

  it('an org unit parent cycle is E4062, in the payload and through stored parents', async () => {
    const w = await createImportWorld();
    const g = generateMetadata(8, { orgUnitFanout: 1 });
    const [a, b] = g.organisationUnits;
    a!.parent = { id: b!.id };
    const r = await w.run({ organisationUnits: [a, b] });
    assert.equal(r.status, 'ERROR');
    assert.ok(errorCodes(r).includes('E4062'), JSON.stringify(errorReports(r)));

    const h = generateMetadata(80, { orgUnitFanout: 1 });
    await w.run(payload(h));
    const [root, , grandchild] = h.organisationUnits;
    const loop = await w.run({ organisationUnits: [{ ...root, parent: { id: grandchild!.id } }] });
    assert.equal(loop.status, 'ERROR', 'a cycle through stored parents was accepted');
    assert.deepEqual(errorCodes(loop), ['E4062']);
    const up = await w.run({ organisationUnits: [{ ...grandchild, parent: { id: root!.id } }] });
    assert.equal(up.status, 'OK');
    const { parent: _p, ...noParent } = h.organisationUnits[1]!;
    assert.equal((await w.run({ organisationUnits: [noParent] })).status, 'OK');
    assert.equal(
      (await w.store.get('organisationUnits', noParent.id as string))?.parent,
      undefined,
    );
  });

  it('deleting a referenced object is E4030; deleting the default category combo is E4063', async () => {
    const w = await createImportWorld();
    const g = generateMetadata(9);
    await w.run(payload(g));
    const combo = g.categoryCombos[0]!.id as string;
    const referenced = await w.run(
      { categoryCombos: [{ id: combo }] },
      { importStrategy: 'DELETE' },
    );
    assert.equal(referenced.status, 'ERROR');
    assert.deepEqual(errorCodes(referenced), ['E4030']);
    assert.ok(await w.store.get('categoryCombos', combo));
    const byDefault = await w.run(
      { categoryCombos: [{ id: DEFAULTS.categoryCombo }] },
      {
        importStrategy: 'DELETE',
      },
    );
    assert.equal(byDefault.status, 'ERROR');
    assert.deepEqual(errorCodes(byDefault), ['E4063']);
    const together = await w.run(
      { categoryCombos: [{ id: combo }], dataElements: g.dataElements.map((d) => ({ id: d.id })) },
      { importStrategy: 'DELETE' },
    );
    assert.equal(together.status, 'OK');
    assert.equal(together.stats.deleted, g.dataElements.length + 1);
    assert.equal(await w.store.get('categoryCombos', combo), null);
  });

  it('DELETE of an object that does not exist is ignored with a report, and writes nothing', async () => {
    const w = await createImportWorld();
    const seq = await w.store.changeSeq();
    const r = await w.run({ dataElements: [{ id: newId() }] }, { importStrategy: 'DELETE' });
    assert.equal(r.stats.deleted, 0);
    assert.equal(r.stats.ignored, 1);
    assert.equal(await w.store.changeSeq(), seq);
  });

  it('moves the change sequence by the number of writes; a delete leaves a tombstone', async () => {
    const w = await createImportWorld();
    const g = generateMetadata(12);
    const s0 = await w.store.changeSeq();
    await w.run(payload(g));
    const s1 = await w.store.changeSeq();
    assert.equal(s1 - s0, objectCount(g));
    g.dataElements[0]!.name = `${g.prefix} changed`;
    await w.run(payload(g));
    assert.equal(await w.store.changeSeq(), s1 + 1, 'only the changed object is written');
    const de = g.dataElements[1]!;
    const del = await w.run({ dataElements: [{ id: de.id }] }, { importStrategy: 'DELETE' });
    assert.equal(del.stats.deleted, 1);
    assert.equal(await w.store.changeSeq(), s1 + 2);
    const tombstone = w.store.tombstones().find((t) => t.id === de.id);
    assert.equal(tombstone?.type, 'dataElements');
    assert.equal(tombstone.code, de.code);
    assert.equal(tombstone.seq, s1 + 2);
    assert.equal(tombstone.deletedBy, SUPERUSER.userId);
  });

  it('identifier=AUTO matches by id when there is one, by code otherwise', async () => {
    const w = await createImportWorld();
    const g = generateMetadata(90, { optionSets: 0 });
    await w.run(payload(g));
    const [a, b] = g.dataElements;
    const { id: _id, ...noId } = b!;
    const r = await w.run(
      {
        dataElements: [
          { ...a, name: `${g.prefix} by id` },
          { ...noId, name: `${g.prefix} by code` },
        ],
      },
      { identifier: 'AUTO' },
    );
    assert.equal(r.status, 'OK', JSON.stringify(errorReports(r)));
    assert.deepEqual([r.stats.created, r.stats.updated], [0, 2]);
    assert.equal((await w.store.get('dataElements', a!.id as string))?.name, `${g.prefix} by id`);
    assert.equal((await w.store.get('dataElements', b!.id as string))?.name, `${g.prefix} by code`);
  });

  it('a name unique per type is E5003 when a stored or an earlier object holds it', async () => {
    const w = await createImportWorld();
    const g = generateMetadata(91, { optionSets: 0 });
    await w.run(payload(g));
    const [a, b] = g.dataElements;
    const stored = await w.run({ dataElements: [{ ...b, name: a!.name }] });
    assert.equal(stored.status, 'ERROR');
    assert.deepEqual(
      errorReports(stored).map((e) => [e.errorCode, e.errorProperty, e.value]),
      [['E5003', 'name', a!.name]],
    );
    const twins = [newId(), newId()].map((id) => ({
      ...g.dataElements[2],
      id,
      code: id,
      name: 'twin',
    }));
    const inPayload = await w.run({ dataElements: twins });
    assert.deepEqual(errorCodes(inPayload), ['E5003']);
    assert.equal(errorReports(inPayload).length, 1, 'the second twin only');
  });

  it('a code freed earlier in the same payload may be taken by a later object', async () => {
    const w = await createImportWorld();
    const g = generateMetadata(92, { optionSets: 0 });
    await w.run(payload(g));
    const [a] = g.dataElements;
    const fresh = {
      ...g.dataElements[1],
      id: newId(),
      name: `${g.prefix} new`,
      shortName: 'new',
      code: a!.code,
    };
    const moved = { ...a, code: `${String(a!.code)}_OLD` };
    const wrongOrder = await w.run({ dataElements: [fresh, moved] });
    assert.deepEqual(errorCodes(wrongOrder), ['E5003'], 'the holder comes later: a clash');
    const r = await w.run({ dataElements: [moved, fresh] });
    assert.equal(r.status, 'OK', JSON.stringify(errorReports(r)));
    assert.deepEqual([r.stats.created, r.stats.updated], [1, 1]);
    assert.equal((await w.store.get('dataElements', fresh.id))?.code, a!.code);
  });

  it('an object without an id gets a new uid under CREATE_AND_UPDATE', async () => {
    const w = await createImportWorld();
    const r = await w.run({ constants: [{ name: 'conf constant', shortName: 'cc', value: 1 }] });
    assert.equal(r.status, 'OK', JSON.stringify(errorReports(r)));
    const [c] = await w.store.list('constants');
    assert.match(String(c?.id), /^[a-zA-Z][a-zA-Z0-9]{10}$/);
    assert.equal(r.stats.created, 1);
  });

  it('a VALIDATE delete reports what it would delete and deletes nothing', async () => {
    const w = await createImportWorld();
    const g = generateMetadata(93, { optionSets: 0 });
    await w.run(payload(g));
    const seq = await w.store.changeSeq();
    const r = await w.run(
      { dataElements: g.dataElements.map((d) => ({ id: d.id })) },
      { importStrategy: 'DELETE', importMode: 'VALIDATE' },
    );
    assert.equal(r.stats.deleted, g.dataElements.length);
    assert.equal(await w.store.changeSeq(), seq);
    assert.ok(await w.store.get('dataElements', g.dataElements[0]!.id as string));
    assert.equal(w.store.tombstones().length, 0);
  });
});
