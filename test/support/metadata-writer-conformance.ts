/**
 * The MetadataWriter half of the MetadataStore port (src/domain/ports.ts): the look-ups the
 * import planner reads, the users/userRoles projection into the auth tables, and versions
 * recorded with their import. Run with ./metadata-store-conformance.ts on PGlite, PostgreSQL and
 * the fake. Tests share one store: each uses its own ids.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { PlannedDelete, PlannedWrite } from '../../src/domain/metadata/plan-import.ts';
import { codeKey, idKey, nameKey, uniqueKey } from '../../src/domain/metadata/prepare-entries.ts';
import type { MetadataVersion } from '../../src/domain/versioning/version.ts';
import { newUid } from '../../src/security/random.ts';
import type { MetadataStoreUnderTest } from './metadata-store-conformance.ts';
import { del, meta, noKeys, T, write } from './metadata-rows.ts';
import type { Get } from './store-conformance.ts';

export function registerMetadataWriterTests(get: Get<MetadataStoreUnderTest>) {
  const store = () => get().metadata;
  const apply = (writes: PlannedWrite[], deletes: PlannedDelete[] = [], m = meta) =>
    store().write((w) => w.apply({ writes, deletes }, m));

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

  it('numbers the changes of several applies in one write one after another', async () => {
    // The type-by-type import applies once per slice in one transaction (issue 18 §1); each
    // apply used to number from the transaction's start again, reusing change numbers.
    const [a, b, c] = [newUid(), newUid(), newUid()];
    const before = await store().changeSeq();
    await store().write(async (w) => {
      await w.apply({ writes: [write('constants', a), write('constants', b)], deletes: [] }, meta);
      await w.apply({ writes: [write('constants', c)], deletes: [] }, meta);
      await w.apply({ writes: [], deletes: [del('constants', a)] }, meta);
    });
    assert.equal(await store().changeSeq(), before + 4);
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
