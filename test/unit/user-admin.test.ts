/**
 * User administration (src/domain/auth/user-admin.ts) over the in-memory stores: the first-start
 * superuser and `metasync user create`, through the metadata import as in production. No server,
 * no database; the concurrent-start race stays on PostgreSQL (store-conformance.test.ts).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  createUser,
  ensureSuperuser,
  type CreateUserInput,
  type UserAdminDeps,
} from '../../src/domain/auth/user-admin.ts';
import { SUPERUSER } from '../../src/domain/auth/users.ts';
import { ErrorCode, isAppError } from '../../src/domain/errors.ts';
import { importMetadata } from '../../src/domain/metadata/import-metadata.ts';
import { createImportWorld, fakeHasher } from '../support/fakes/memory-import.ts';
import { uidSource } from '../support/generate-metadata.ts';

const hasCode = (code: ErrorCode, message?: RegExp) => (e: unknown) =>
  isAppError(e) && e.code === code && (!message || message.test(e.message));

async function admin() {
  const w = await createImportWorld();
  const deps: UserAdminDeps = {
    users: w.users,
    importMetadata: (body, params, actorId) => importMetadata(w.deps, body, params, actorId),
    newUid: uidSource(99),
  };
  return { ...w, deps };
}

describe('user administration over the in-memory stores', () => {
  it('ensureSuperuser creates admin with the Superuser role once, under DHIS2 fixed ids', async () => {
    const w = await admin();
    assert.deepEqual(await ensureSuperuser(w.deps, 'Admin-Pass-1!'), { created: true });
    const creds = await w.users.findCredentials(SUPERUSER.username);
    assert.equal(creds?.user.id, SUPERUSER.userId);
    assert.deepEqual(creds.user.roleIds, [SUPERUSER.roleId]);
    assert.deepEqual(creds.authorities, ['ALL']);
    assert.ok(await fakeHasher.verify('Admin-Pass-1!', creds.passwordHash));
    assert.deepEqual((await w.store.get('userRoles', SUPERUSER.roleId))?.name, SUPERUSER.roleName);
    assert.deepEqual(await ensureSuperuser(w.deps, 'Other-Pass-2!'), { created: false });
    assert.equal(await w.users.countUsers(), 1);
    assert.ok(
      await fakeHasher.verify(
        'Admin-Pass-1!',
        (await w.users.findCredentials('admin'))!.passwordHash,
      ),
      'a second start keeps the first password',
    );
  });

  it('ensureSuperuser reuses a Superuser role that exists without users', async () => {
    const w = await admin();
    await w.users.upsertRole({
      id: SUPERUSER.roleId,
      name: SUPERUSER.roleName,
      code: SUPERUSER.roleCode,
      authorities: ['ALL'],
    });
    await w.run({
      userRoles: [{ id: SUPERUSER.roleId, name: SUPERUSER.roleName, authorities: ['ALL'] }],
    });
    assert.deepEqual(await ensureSuperuser(w.deps, 'Admin-Pass-1!'), { created: true });
    assert.deepEqual((await w.users.findCredentials('admin'))?.authorities, ['ALL']);
  });

  it('createUser gives a user exactly its authorities, through a role of its own', async () => {
    const w = await admin();
    const user = await createUser(w.deps, {
      username: 'importer',
      password: 'Importer-123!',
      authorities: [' F_METADATA_IMPORT ', 'F_METADATA_EXPORT', 'F_METADATA_IMPORT'],
      email: 'imp@example.org',
    });
    assert.equal(user.username, 'importer');
    assert.equal(user.email, 'imp@example.org');
    assert.equal(user.firstName, 'importer');
    const creds = await w.users.findCredentials('importer');
    assert.deepEqual(creds?.authorities, ['F_METADATA_EXPORT', 'F_METADATA_IMPORT']);
    const role = await w.users.findRole(user.roleIds[0]!);
    assert.equal(role?.name, 'Role of importer');
    assert.ok(await fakeHasher.verify('Importer-123!', creds.passwordHash));
    assert.ok(await w.store.get('users', user.id), 'the user is metadata too');
  });

  it('createUser maps ALL alone to the Superuser role, created once', async () => {
    const w = await admin();
    const a = await createUser(w.deps, {
      username: 'root1',
      password: 'Root-Pass-1!',
      authorities: ['ALL'],
    });
    const b = await createUser(w.deps, {
      username: 'root2',
      password: 'Root-Pass-2!',
      authorities: ['ALL'],
    });
    assert.deepEqual(a.roleIds, [SUPERUSER.roleId]);
    assert.deepEqual(b.roleIds, [SUPERUSER.roleId]);
    assert.deepEqual((await w.users.findCredentials('root2'))?.authorities, ['ALL']);
  });

  for (const [name, input, message] of [
    ['a short username', { username: 'abc' }, /Username/],
    ['a username with a space', { username: 'bad name' }, /Username/],
    [
      'a weak password',
      { password: 'password' },
      /upper-case letter, a digit, a special character/,
    ],
    ['a long password', { password: `Aa1!${'x'.repeat(253)}` }, /at most 256/],
    ['no authority', { authorities: [' ', ''] }, /At least one authority/],
    [
      'a bad authority name',
      { authorities: ['F_OK', 'not one'] },
      /Not an authority name: not one/,
    ],
    ['a bad e-mail', { email: 'nobody' }, /e-mail/],
  ] as [string, Partial<CreateUserInput>, RegExp][])
    it(`createUser refuses ${name} with VALIDATION_FAILED, creating nothing`, async () => {
      const valid = {
        username: 'valid.user',
        password: 'Valid-Pass-1!',
        authorities: ['F_METADATA_IMPORT'],
      };
      const w = await admin();
      await assert.rejects(
        createUser(w.deps, { ...valid, ...input }),
        hasCode(ErrorCode.VALIDATION_FAILED, message),
      );
      assert.equal(await w.users.countUsers(), 0);
    });

  it('createUser refuses a taken username with CONFLICT', async () => {
    const w = await admin();
    const input = {
      username: 'taken',
      password: 'Taken-Pass-1!',
      authorities: ['F_METADATA_IMPORT'],
    };
    await createUser(w.deps, input);
    await assert.rejects(createUser(w.deps, input), hasCode(ErrorCode.CONFLICT, /already taken/));
    assert.equal(await w.users.countUsers(), 1);
  });
});
