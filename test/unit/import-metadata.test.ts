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
