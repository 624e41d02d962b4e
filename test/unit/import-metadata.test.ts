/**
 * The metadata import use case and its planner (issue 4 §2) over the in-memory stores: every
 * strategy, ATOMIC (ALL) and BEST_EFFORT (NONE), validate-only imports, identifiers, reference
 * errors, code and name clashes, deletes and the report's counts. No server, no database: the
 * fakes pass the store conformance suites, and test/integration/metadata-import.test.ts keeps the
 * same behaviours through HTTP on both databases.
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
const newId = uidSource(4242);

/** The objects of a type whose name starts with the generated set's prefix. */
const prefixed = async (
  world: Awaited<ReturnType<typeof createImportWorld>>,
  type: string,
  prefix: string,
) => (await world.store.list(type)).filter((o) => String(o.name).startsWith(`${prefix} `));

describe('metadata import over the in-memory stores', () => {
  it('creates a set, then updates it: created kept, lastUpdated and lastUpdatedBy move', async () => {
    const w = await createImportWorld();
    const g = generateMetadata(1);
    const created = await w.run(payload(g));
    assert.equal(created.status, 'OK');
    assert.equal(created.stats.created, objectCount(g));
    assert.equal(created.stats.ignored, 0);
    const de = g.dataElements[0]!;
    const first = (await w.store.get('dataElements', de.id as string))!;
    assert.deepEqual(first.createdBy, { id: SUPERUSER.userId });
    assert.deepEqual(first.lastUpdatedBy, { id: SUPERUSER.userId });
    assert.equal(first.created, first.lastUpdated);

    de.name = `${g.prefix} DE renamed`;
    const updated = await w.run(payload(g), {}, 'ImporterId1');
    assert.equal(updated.status, 'OK');
    assert.equal(updated.stats.updated, objectCount(g));
    assert.equal(updated.stats.unchanged, objectCount(g) - 1);
    const second = (await w.store.get('dataElements', de.id as string))!;
    assert.equal(second.name, `${g.prefix} DE renamed`);
    assert.equal(second.created, first.created);
    assert.ok(String(second.lastUpdated) > String(first.lastUpdated));
    assert.deepEqual(second.createdBy, { id: SUPERUSER.userId });
    assert.deepEqual(second.lastUpdatedBy, { id: 'ImporterId1' });
  });

  it('an identical import writes nothing and takes no change number', async () => {
    const w = await createImportWorld();
    const g = generateMetadata(13);
    await w.run(payload(g));
    const seq = await w.store.changeSeq();
    const again = await w.run(payload(g));
    assert.equal(again.status, 'OK');
    assert.equal(again.stats.created, 0);
    assert.equal(again.stats.unchanged, objectCount(g));
    assert.equal(await w.store.changeSeq(), seq);
  });

  it('importStrategy CREATE on an existing object is E5000, UPDATE on a missing one E5001', async () => {
    const w = await createImportWorld();
    const g = generateMetadata(2);
    await w.run(payload(g));
    const create = await w.run(payload(g), { importStrategy: 'CREATE' });
    assert.equal(create.status, 'ERROR');
    assert.deepEqual(errorCodes(create), ['E5000']);
    assert.equal(create.stats.ignored, objectCount(g));
    const fresh = generateMetadata(20);
    const update = await w.run(payload(fresh), { importStrategy: 'UPDATE' });
    assert.equal(update.status, 'ERROR');
    assert.ok(errorCodes(update).includes('E5001'));
    assert.deepEqual(await prefixed(w, 'dataElements', fresh.prefix), []);
  });

  it('CREATE imports new objects; UPDATE changes stored ones and creates none', async () => {
    const w = await createImportWorld();
    const g = generateMetadata(21);
    const created = await w.run(payload(g), { importStrategy: 'CREATE' });
    assert.equal(created.status, 'OK');
    assert.equal(created.stats.created, objectCount(g));
    g.dataElements[1]!.name = `${g.prefix} DE one renamed`;
    const updated = await w.run({ dataElements: g.dataElements }, { importStrategy: 'UPDATE' });
    assert.equal(updated.status, 'OK');
    assert.equal(updated.stats.created, 0);
    assert.equal(updated.stats.updated, g.dataElements.length);
    assert.equal(
      (await w.store.get('dataElements', g.dataElements[1]!.id as string))?.name,
      `${g.prefix} DE one renamed`,
    );
  });

  it('atomicMode ALL with one bad object writes nothing; NONE writes the others and reports it', async () => {
    const w = await createImportWorld();
    const g = generateMetadata(3);
    delete g.dataElements[2]!.valueType;
    const seq = await w.store.changeSeq();
    const all = await w.run(payload(g));
    assert.equal(all.status, 'ERROR');
    assert.deepEqual(errorCodes(all), ['E4000']);
    assert.equal(all.stats.created, 0);
    assert.deepEqual(await prefixed(w, 'dataElements', g.prefix), []);
    assert.equal(await w.store.changeSeq(), seq);

    const none = await w.run(payload(g), { atomicMode: 'NONE' });
    assert.equal(none.status, 'WARNING');
    assert.equal(none.stats.created, objectCount(g) - 1);
    assert.equal(none.stats.ignored, 1);
    const [bad] = none.typeReports.flatMap((t) => t.objectReports);
    assert.equal(bad!.index, 2);
    assert.equal(bad!.uid, g.dataElements[2]!.id);
    assert.equal(bad!.errorReports[0]!.errorProperty, 'valueType');
    assert.equal((await prefixed(w, 'dataElements', g.prefix)).length, g.dataElements.length - 1);
    assert.equal(await w.store.changeSeq(), seq + objectCount(g) - 1);
  });

  it('atomicMode NONE also skips objects whose references only pointed at invalid ones', async () => {
    const w = await createImportWorld();
    const g = generateMetadata(31);
    delete g.categoryCombos[0]!.name;
    const none = await w.run(payload(g), { atomicMode: 'NONE' });
    assert.equal(none.status, 'WARNING');
    assert.ok(errorCodes(none).includes('E4000'), JSON.stringify(errorCodes(none)));
    assert.ok(errorCodes(none).includes('E5002'), 'the data elements lost their category combo');
    assert.deepEqual(await prefixed(w, 'dataElements', g.prefix), []);
    assert.equal(
      (await prefixed(w, 'organisationUnits', g.prefix)).length,
      g.organisationUnits.length,
    );
  });

  for (const params of [{ importMode: 'VALIDATE' as const }])
    it(`${JSON.stringify(params)} reports what would happen and writes nothing`, async () => {
      const w = await createImportWorld();
      const g = generateMetadata(40);
      const seq = await w.store.changeSeq();
      const r = await w.run(payload(g), params);
      assert.equal(r.status, 'OK');
      assert.equal(r.stats.created, objectCount(g));
      assert.equal(await w.store.changeSeq(), seq);
      assert.equal(await w.store.get('dataElements', g.dataElements[0]!.id as string), null);
      delete g.dataElements[0]!.name;
      const bad = await w.run(payload(g), params);
      assert.equal(bad.status, 'ERROR');
      assert.deepEqual(errorCodes(bad), ['E4000']);
    });

  it('identifier=CODE matches stored objects by code', async () => {
    const w = await createImportWorld();
    const g = generateMetadata(5);
    await w.run(payload(g));
    const { id, ...byCode } = g.dataElements[1]!;
    const r = await w.run(
      { dataElements: [{ ...byCode, name: `${g.prefix} by code` }] },
      {
        identifier: 'CODE',
      },
    );
    assert.equal(r.status, 'OK');
    assert.equal(r.stats.updated, 1);
    assert.equal(r.stats.created, 0);
    assert.equal((await w.store.get('dataElements', id as string))?.name, `${g.prefix} by code`);
  });

  it('option codes may repeat across option sets, not within one (E5003)', async () => {
    const w = await createImportWorld();
    const g = generateMetadata(6, { optionSets: 2, optionsPerSet: 3 });
    const r = await w.run(payload(g));
    assert.equal(r.stats.created, objectCount(g));
    const set = g.optionSets[0]!;
    const clash = { id: newId(), name: 'clash', code: 'OPT_1', optionSet: { id: set.id } };
    const stored = await w.run({ options: [clash] });
    assert.equal(stored.status, 'ERROR');
    const [e] = errorReports(stored);
    assert.equal(e!.errorCode, 'E5003');
    assert.equal(e!.errorProperty, 'code');
    assert.equal(e!.value, 'OPT_1');
    const other = generateMetadata(60, { optionSets: 1, optionsPerSet: 2 });
    other.options[1]!.code = 'OPT_0';
    const inPayload = await w.run(payload(other));
    assert.equal(inPayload.status, 'ERROR');
    const clashes = errorReports(inPayload).filter((x) => x.errorCode === 'E5003');
    assert.deepEqual(
      clashes.map((x) => [x.errorProperty, x.value]),
      [['code', 'OPT_0']],
    );
  });

  it('a data element code taken by a stored one is E5003; its own code is no clash', async () => {
    const w = await createImportWorld();
    const g = generateMetadata(61);
    await w.run(payload(g));
    const taken = g.dataElements[0]!.code;
    const r = await w.run({ dataElements: [{ ...g.dataElements[1], code: taken }] });
    assert.equal(r.status, 'ERROR');
    assert.deepEqual(errorCodes(r), ['E5003']);
    assert.equal(errorReports(r)[0]!.value, taken);
    const same = await w.run({ dataElements: [g.dataElements[0]] });
    assert.equal(same.status, 'OK');
  });

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

  it('reports wrong JSON types (name as a number) and non-objects as E4061, writing nothing', async () => {
    const w = await createImportWorld();
    const g = generateMetadata(14);
    const seq = await w.store.changeSeq();
    const r = await w.run({ dataElements: [{ ...g.dataElements[0], name: 42 }] });
    assert.equal(r.status, 'ERROR');
    assert.deepEqual(errorCodes(r), ['E4061']);
    assert.match(errorReports(r)[0]!.message, /name/);
    const notObject = await w.run({ dataElements: [g.dataElements[1], 'x', 7, null] });
    assert.equal(notObject.status, 'ERROR');
    assert.equal(errorReports(notObject).filter((e) => e.errorCode === 'E4061').length, 3);
    assert.equal(await w.store.changeSeq(), seq);
  });

  it('rejects duplicate ids (E5004) and an invalid uid (E4014), writing nothing', async () => {
    const w = await createImportWorld();
    const seq = await w.store.changeSeq();
    const g = generateMetadata(15, { optionSets: 0 });
    const de = { ...g.dataElements[0], categoryCombo: { id: DEFAULTS.categoryCombo } };
    const dup = await w.run({ dataElements: [de, { ...de, name: 'other', shortName: 'other' }] });
    assert.equal(dup.status, 'ERROR');
    assert.deepEqual(errorCodes(dup), ['E5004']);
    const bad = await w.run({ dataElements: [{ ...de, id: '123' }] });
    assert.equal(bad.status, 'ERROR');
    const [e] = errorReports(bad);
    assert.equal(e!.errorCode, 'E4014');
    assert.equal(e!.errorProperty, 'id');
    assert.equal(e!.value, '123');
    assert.equal(await w.store.changeSeq(), seq);
    assert.equal((await w.run({ dataElements: [de] })).status, 'OK');
  });

  it("refuses names, codes and usernames past DHIS2's lengths with E4001", async () => {
    const w = await createImportWorld();
    const g = generateMetadata(16, { optionSets: 0 });
    const de = (extra: Record<string, unknown>) => ({
      ...g.dataElements[0],
      categoryCombo: { id: DEFAULTS.categoryCombo },
      ...extra,
    });
    const long = 'N'.repeat(3000);
    for (const [body, property, length] of [
      [{ dataElements: [de({ name: long })] }, 'name', 3000],
      [{ dataElements: [de({ code: 'C'.repeat(51) })] }, 'code', 51],
      [{ categoryOptions: [{ id: newId(), name: `é${long}`, shortName: 'long' }] }, 'name', 3001],
      [
        { users: [{ id: newId(), username: 'u'.repeat(3000), firstName: 'A', surname: 'B' }] },
        'username',
        3000,
      ],
    ] as const) {
      const r = await w.run(body);
      assert.equal(r.status, 'ERROR', property);
      const [e] = errorReports(r).filter((x) => x.errorCode === 'E4001');
      assert.equal(e?.errorProperty, property);
      assert.match(e.message, new RegExp(`is \\d+, but given length was ${length}$`));
    }
    const longest = await w.run({
      dataElements: [de({ name: 'n'.repeat(230), code: 'c'.repeat(50) })],
    });
    assert.equal(longest.status, 'OK');
  });

  it('an unknown type key is a WARNING (E4064); the known types are still imported', async () => {
    const w = await createImportWorld();
    const g = generateMetadata(10);
    const r = await w.run({ ...payload(g), dataElementz: [{ id: newId(), name: 'typo' }] });
    assert.equal(r.status, 'WARNING');
    assert.deepEqual(errorCodes(r), ['E4064']);
    assert.equal(r.stats.created, objectCount(g));
    assert.equal(r.stats.ignored, 1);
    assert.equal((await prefixed(w, 'dataElements', g.prefix)).length, g.dataElements.length);
  });

  it('ignores non-metadata top-level keys (system, date, package) silently', async () => {
    const w = await createImportWorld();
    const g = generateMetadata(11);
    const r = await w.run({
      system: { id: 'eb4f4a3c-7c1a', rev: 'abc', version: '2.41.0', date: '2024-01-01' },
      date: ['2', '0', '1', '6'],
      package: { code: 'X', name: 'pkg', version: '1.0.0' },
      ...payload(g),
    });
    assert.equal(r.status, 'OK');
    assert.equal(r.stats.created, objectCount(g));
    assert.equal(errorReports(r).length, 0);
    assert.equal(r.typeReports.length, Object.keys(payload(g)).length);
  });

  it('counts per type add up to the totals, and importParams echo the request', async () => {
    const w = await createImportWorld();
    const g = generateMetadata(17);
    await w.run(payload(g));
    g.dataElements[0]!.name = `${g.prefix} DE zero renamed`;
    const r = await w.run(
      { ...payload(g), dataElements: [...g.dataElements, { id: newId() }] },
      { atomicMode: 'NONE' },
    );
    const sum = (k: 'created' | 'updated' | 'deleted' | 'ignored' | 'total') =>
      r.typeReports.reduce((s, t) => s + t.stats[k], 0);
    for (const k of ['created', 'updated', 'deleted', 'ignored', 'total'] as const)
      assert.equal(sum(k), r.stats[k], k);
    assert.equal(r.stats.total, objectCount(g) + 1);
    assert.equal(r.stats.ignored, 1);
    assert.equal(r.importParams?.atomicMode, 'NONE');
    assert.equal(r.importParams?.userOverrideMode, 'NONE');
  });

  it('imports users with hashed passwords and roles into the auth tables', async () => {
    const w = await createImportWorld();
    const [role, user] = [newId(), newId()];
    const r = await w.run({
      userRoles: [{ id: role, name: 'Clerks', authorities: ['F_DATAVALUE_ADD'] }],
      users: [
        {
          id: user,
          username: 'clerk',
          firstName: 'C',
          surname: 'L',
          password: 'Clerk-Pass-1!',
          userRoles: [{ id: role }],
        },
      ],
    });
    assert.equal(r.status, 'OK', JSON.stringify(errorReports(r)));
    const creds = await w.users.findCredentials('clerk');
    assert.equal(creds?.passwordHash, 'fake$Clerk-Pass-1!');
    assert.deepEqual(creds.authorities, ['F_DATAVALUE_ADD']);
    assert.equal((await w.store.get('users', user))?.password, undefined, 'no password stored');
  });
});
