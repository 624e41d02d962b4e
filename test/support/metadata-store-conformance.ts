/**
 * The MetadataStore port (issue 4, src/domain/ports.ts), run on PGlite and PostgreSQL by
 * test/integration/store-conformance.test.ts and on the fake by
 * test/unit/store-conformance-memory.test.ts: serialised, all-or-nothing writers; one change
 * number per write and per deletion; uniqueness of codes and names; references, look-ups and the
 * users/userRoles projection. Tests share one store: each uses its own ids and its own types.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { PlannedDelete, PlannedWrite } from '../../src/domain/metadata/plan-import.ts';
import { codeKey, idKey, nameKey, uniqueKey } from '../../src/domain/metadata/prepare-entries.ts';
import { metadataType } from '../../src/domain/metadata/types.ts';
import type { MetadataStore, UserStore } from '../../src/domain/ports.ts';
import type { MetadataVersion } from '../../src/domain/versioning/version.ts';
import { newUid } from '../../src/security/random.ts';
import type { Get } from './store-conformance.ts';

export interface MetadataStoreUnderTest {
  metadata: MetadataStore;
  /** The user store over the same auth tables the metadata store projects users into. */
  users: UserStore;
  /** The version recorded under this name (by `MetadataWriter.recordVersion`), or null. */
  recordedVersion(name: string): Promise<{ name: string; number: number; hashCode: string } | null>;
}

const T = '2024-05-01T10:00:00.000Z';
const meta = {
  actorId: 'M5zQapPyTZI',
  now: new Date(T),
  passwordHashes: new Map<string, string>(),
};

const type = (key: string) => {
  const t = metadataType(key);
  if (!t) throw new Error(`no metadata type ${key}`);
  return t;
};

export function write(
  key: string,
  id: string,
  over: Partial<Omit<PlannedWrite, 'type'>> = {},
): PlannedWrite {
  const name = over.name === undefined ? `conf ${id}` : over.name;
  return {
    op: 'create',
    type: type(key),
    id,
    code: null,
    name,
    scope: '',
    created: T,
    lastUpdated: T,
    createdBy: 'M5zQapPyTZI',
    contentHash: `hash-${id}`,
    refs: [],
    password: null,
    ...over,
    payload: { id, ...(name === null ? {} : { name }), ...over.payload },
  };
}

const del = (key: string, id: string, code: string | null = null): PlannedDelete => ({
  type: type(key),
  id,
  code,
});

const noKeys = () => ({
  ids: new Set<string>(),
  codes: [],
  names: [],
  uniques: [],
  refs: new Set<string>(),
});

export function registerMetadataStoreTests(get: Get<MetadataStoreUnderTest>) {
  const store = () => get().metadata;
  const apply = (writes: PlannedWrite[], deletes: PlannedDelete[] = [], m = meta) =>
    store().write((w) => w.apply({ writes, deletes }, m));

  it('get, list and listSince read what was written, ordered by name then id', async () => {
    const [a, b, c] = [newUid(), newUid(), newUid()];
    await apply([
      write('indicatorTypes', a, { name: 'conf-b' }),
      write('indicatorTypes', b, { name: 'conf-a' }),
      write('indicatorTypes', c, { name: 'conf-c', lastUpdated: '2024-06-01T00:00:00.000Z' }),
    ]);
    assert.deepEqual(await store().get('indicatorTypes', a), { id: a, name: 'conf-b' });
    assert.equal(await store().get('indicatorTypes', 'noSuchObj01'), null);
    assert.equal(await store().get('dataElements', a), null, 'ids are per type');
    const names = (rows: Record<string, unknown>[]) => rows.map((r) => r.name);
    assert.deepEqual(names(await store().list('indicatorTypes')), ['conf-a', 'conf-b', 'conf-c']);
    assert.deepEqual(
      names(await store().listSince('indicatorTypes', new Date('2024-05-15T00:00:00Z'))),
      ['conf-c'],
    );
    assert.deepEqual(names(await store().listSince('indicatorTypes', new Date(T))), [
      'conf-a',
      'conf-b',
      'conf-c',
    ]);
    assert.deepEqual(names(await store().listSince('indicatorTypes', null, [a, c])), [
      'conf-b',
      'conf-c',
    ]);
    assert.deepEqual(await store().listSince('indicatorTypes', null, []), []);
    assert.equal((await store().countByType()).get('indicatorTypes'), 3);
  });

  it('numbers each write and each deletion with the next change number', async () => {
    const before = await store().changeSeq();
    const [a, b] = [newUid(), newUid()];
    await apply([write('legendSets', a), write('legendSets', b)]);
    assert.equal(await store().changeSeq(), before + 2);
    await apply(
      [{ ...write('legendSets', a, { name: 'conf renamed' }), op: 'update' }],
      [del('legendSets', b)],
    );
    assert.equal(await store().changeSeq(), before + 4);
    assert.equal((await store().get('legendSets', a))?.name, 'conf renamed');
    assert.equal(await store().get('legendSets', b), null);
    await store().write(async () => 'nothing written');
    assert.equal(
      await store().changeSeq(),
      before + 4,
      'a write that changes nothing takes no number',
    );
  });

  it('rolls back every change of a write that throws', async () => {
    const before = await store().changeSeq();
    const id = newUid();
    await assert.rejects(
      store().write(async (w) => {
        await w.apply({ writes: [write('optionGroups', id)], deletes: [] }, meta);
        throw new Error('conf: abort');
      }),
      /conf: abort/,
    );
    assert.equal(await store().get('optionGroups', id), null);
    assert.equal(await store().changeSeq(), before);
  });

  it('refuses a code taken within its type and scope, and writes nothing', async () => {
    const [a, b, c, d] = [newUid(), newUid(), newUid(), newUid()];
    const code = `CONF_${a}`;
    await apply([write('categoryOptions', a, { code })]);
    const before = await store().changeSeq();
    await assert.rejects(
      apply([write('categoryOptions', c), write('categoryOptions', b, { code })]),
    );
    assert.equal(await store().get('categoryOptions', c), null);
    assert.equal(await store().changeSeq(), before);
    // The same code in another type, or in another scope of a scoped type, is no clash.
    await apply([write('categories', b, { code }), write('options', c, { code, scope: 'SetA' })]);
    await apply([write('options', d, { code, scope: 'SetB' })]);
    const found = await store().write((w) =>
      w.lookups(
        {
          ...noKeys(),
          codes: [
            { type: 'options', scope: 'SetA', code },
            { type: 'options', scope: 'SetC', code },
          ],
        },
        { referrers: false },
      ),
    );
    assert.deepEqual([...found.byCode.keys()], [codeKey('options', 'SetA', code)]);
    assert.equal(found.byCode.get(codeKey('options', 'SetA', code))?.id, c);
    await assert.rejects(apply([write('options', newUid(), { code, scope: 'SetA' })]));
  });

  it('refuses a name taken within a type whose names are unique', async () => {
    assert.ok(type('dataElements').uniqueName, 'dataElements names are unique');
    const name = `conf unique ${newUid()}`;
    await apply([write('dataElements', newUid(), { name })]);
    await assert.rejects(apply([write('dataElements', newUid(), { name })]));
    assert.equal((await store().list('dataElements')).filter((o) => o.name === name).length, 1);
    // Names of a type without the rule may repeat.
    assert.equal(type('dataElementGroups').uniqueName, false);
    await apply([
      write('dataElementGroups', newUid(), { name }),
      write('dataElementGroups', newUid(), { name }),
    ]);
  });

  it('keeps references in step: rebuilt on update, gone with a deleted source', async () => {
    const [target, other, src1, src2] = [newUid(), newUid(), newUid(), newUid()];
    await apply([
      write('categoryOptionCombos', target),
      write('categoryOptionCombos', other),
      write('categoryCombos', src1, { refs: [target] }),
      write('dataSets', src2, { refs: [target, other] }),
    ]);
    assert.deepEqual(await store().referencing(target), [
      { type: 'categoryCombos', id: src1 },
      { type: 'dataSets', id: src2 },
    ]);
    await apply([{ ...write('dataSets', src2, { refs: [other] }), op: 'update' }]);
    assert.deepEqual(await store().referencing(target), [{ type: 'categoryCombos', id: src1 }]);
    assert.deepEqual(await store().referencing(other), [{ type: 'dataSets', id: src2 }]);
    await apply([], [del('categoryCombos', src1)]);
    assert.deepEqual(await store().referencing(target), []);
    assert.deepEqual(await store().referencing('noSuchObj02'), []);
  });

  it('lookups find stored objects by id, code, unique name, reference and referrer', async () => {
    const [a, b, ref, leaf, parent, root] = [
      newUid(),
      newUid(),
      newUid(),
      newUid(),
      newUid(),
      newUid(),
    ];
    const code = `CONF_${a}`;
    const name = `conf lookup ${a}`;
    await apply([
      write('organisationUnits', root, { payload: { id: root } }),
      write('organisationUnits', parent, { payload: { id: parent, parent: { id: root } } }),
      write('organisationUnits', leaf, { payload: { id: leaf, parent: { id: parent } } }),
      write('dataElements', a, { code, name, refs: [ref] }),
      write('trackedEntityAttributes', ref),
    ]);
    const lookups = await store().write((w) =>
      w.lookups(
        {
          ids: new Set([idKey('dataElements', a), idKey('dataElements', b)]),
          codes: [{ type: 'dataElements', scope: '', code }],
          names: [{ type: 'dataElements', name }],
          uniques: [],
          refs: new Set([ref, leaf, 'noSuchObj03']),
        },
        { referrers: true },
      ),
    );
    const stored = lookups.byId.get(idKey('dataElements', a));
    assert.deepEqual(stored && { ...stored }, {
      type: 'dataElements',
      id: a,
      code,
      name,
      scope: '',
      contentHash: `hash-${a}`,
      created: T,
      createdBy: 'M5zQapPyTZI',
    });
    assert.equal(lookups.byId.has(idKey('dataElements', b)), false);
    assert.equal(lookups.byCode.get(codeKey('dataElements', '', code))?.id, a);
    assert.equal(lookups.byName.get(nameKey('dataElements', name))?.id, a);
    assert.deepEqual([...lookups.existing].sort(), [ref, leaf].sort());
    // The whole chain above a referenced org unit, for the planner's cycle check.
    assert.deepEqual(lookups.orgUnitParents?.get(leaf), parent);
    assert.deepEqual(lookups.orgUnitParents?.get(parent), root);
    assert.equal(lookups.orgUnitParents?.has(root), false, 'a root has no parent');
    // Referrers of the payload's own objects, asked for (a DELETE import) or not.
    const referrers = await store().write((w) =>
      w.lookups(
        { ...noKeys(), ids: new Set([idKey('trackedEntityAttributes', ref)]) },
        {
          referrers: true,
        },
      ),
    );
    assert.deepEqual(referrers.referencedBy.get(ref), [{ type: 'dataElements', id: a }]);
    const without = await store().write((w) =>
      w.lookups(
        { ...noKeys(), ids: new Set([idKey('trackedEntityAttributes', ref)]) },
        {
          referrers: false,
        },
      ),
    );
    assert.equal(without.referencedBy.size, 0);
  });

  it('an update keeps the creation columns; later writes wait for an open writer', async () => {
    const id = newUid();
    await apply([write('optionSets', id)]);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const first = store().write(async (w) => {
      await gate;
      await w.apply(
        {
          writes: [
            {
              ...write('optionSets', id, { name: 'conf first' }),
              op: 'update',
              created: '2030-01-01T00:00:00.000Z',
              createdBy: 'someoneElse',
            },
          ],
          deletes: [],
        },
        meta,
      );
    });
    const second = store().write(async (w) => {
      const l = await w.lookups(
        { ...noKeys(), ids: new Set([idKey('optionSets', id)]) },
        {
          referrers: false,
        },
      );
      return l.byId.get(idKey('optionSets', id))?.contentHash;
    });
    release();
    await first;
    assert.equal(await second, `hash-${id}`);
    const l = await store().write((w) =>
      w.lookups({ ...noKeys(), ids: new Set([idKey('optionSets', id)]) }, { referrers: false }),
    );
    const stored = l.byId.get(idKey('optionSets', id));
    assert.equal(stored?.created, T);
    assert.equal(stored?.createdBy, 'M5zQapPyTZI');
    assert.equal((await store().get('optionSets', id))?.name, 'conf first');
  });

  it('projects users and user roles into the auth tables, keeping a hash not re-sent', async () => {
    const users = () => get().users;
    const [roleId, userId] = [newUid(), newUid()];
    const username = `conf.proj.${userId}`;
    await apply(
      [
        write('userRoles', roleId, {
          name: `conf role ${roleId}`,
          payload: { authorities: ['F_B', 'F_A', 'F_A'] },
        }),
        write('users', userId, {
          name: null,
          password: 'plain-pw',
          payload: {
            username,
            firstName: 'Conf',
            surname: 'User',
            userRoles: [{ id: roleId }, { id: 'noSuchRole3' }],
          },
        }),
      ],
      [],
      { ...meta, passwordHashes: new Map([['plain-pw', 'hash$of$plain']]) },
    );
    const creds = await users().findCredentials(username);
    assert.equal(creds?.passwordHash, 'hash$of$plain');
    assert.deepEqual(creds.user.roleIds, [roleId], 'a membership of an unknown role is dropped');
    assert.deepEqual(creds.authorities, ['F_A', 'F_B']);
    assert.equal(creds.user.firstName, 'Conf');
    const l = await store().write((w) =>
      w.lookups(
        {
          ...noKeys(),
          ids: new Set([idKey('users', userId)]),
          uniques: [{ type: 'users', property: 'username', value: username }],
        },
        { referrers: false },
      ),
    );
    assert.equal(l.byId.get(idKey('users', userId))?.passwordHash, 'hash$of$plain');
    assert.equal(l.byUnique.get(uniqueKey('users', 'username', username))?.id, userId);

    // Re-imported without a password (as versions carry users): the hash stays.
    await apply([
      {
        ...write('users', userId, { name: null, payload: { username, surname: 'Renamed' } }),
        op: 'update',
      },
    ]);
    const again = await users().findCredentials(username);
    assert.equal(again?.passwordHash, 'hash$of$plain');
    assert.equal(again.user.surname, 'Renamed');
    assert.deepEqual(again.user.roleIds, []);

    await apply([], [del('users', userId), del('userRoles', roleId)]);
    assert.equal(await users().findCredentials(username), null);
    assert.equal(await users().findRole(roleId), null);
  });

  it('records a pulled version in the write that imports it, or not at all', async () => {
    const number = 1_000_000 + Math.floor(Math.random() * 1_000_000_000);
    const version = (n: number): MetadataVersion => ({
      id: newUid(),
      name: `Version_${n}`,
      number: n,
      type: 'BEST_EFFORT',
      hashCode: `conf-hash-${n}`,
      parentHashCode: null,
      created: new Date(T),
      importDate: new Date(T),
      bytes: 10,
      gzipBytes: 3,
      objects: 1,
      deletions: 0,
      types: { constants: 1 },
    });
    const id = newUid();
    await store().write(async (w) => {
      await w.apply({ writes: [write('constants', id)], deletes: [] }, meta);
      await w.recordVersion(version(number), Buffer.from([0x1f, 0x8b, 0]));
    });
    assert.deepEqual(await get().recordedVersion(`Version_${number}`), {
      name: `Version_${number}`,
      number,
      hashCode: `conf-hash-${number}`,
    });
    assert.ok(await store().get('constants', id));
    // A version name or number recorded twice is refused, and its import goes with it.
    const other = newUid();
    await assert.rejects(
      store().write(async (w) => {
        await w.apply({ writes: [write('constants', other)], deletes: [] }, meta);
        await w.recordVersion(version(number), Buffer.from([0x1f, 0x8b, 0]));
      }),
    );
    assert.equal(await store().get('constants', other), null);
    await assert.rejects(
      store().write(async (w) => {
        await w.recordVersion(version(number + 1), Buffer.from([0x1f, 0x8b, 0]));
        throw new Error('conf: import failed');
      }),
      /conf: import failed/,
    );
    assert.equal(await get().recordedVersion(`Version_${number + 1}`), null);
  });
}
