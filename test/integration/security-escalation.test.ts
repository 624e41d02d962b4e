/**
 * No privilege escalation through metadata writes (issue 10 §4, src/domain/auth/escalation.ts).
 * Found by this suite: a user with only F_METADATA_IMPORT could import a role with ALL and a
 * user holding it, and one with only F_METADATA_MANAGE could PUT a new password on the admin.
 * Now every such write answers 403 and changes nothing; writes within one's own authorities, and
 * everything by a holder of ALL, still work.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SUPERUSER } from '../../src/domain/auth/users.ts';
import { createTestDatabase, type TestDatabase } from '../support/databases.ts';
import { databaseFingerprint } from '../support/security-routes.ts';
import { ADMIN_PASSWORD, startServer, type TestServer } from '../support/server.ts';
import { centralBackend } from '../support/sync.ts';
import { uid } from '../support/versions.ts';

const IMPORTER: [string, string] = ['importer', 'Import-er-123!'];
const MANAGER: [string, string] = ['manager', 'Manag-er-123!'];
const json = { 'content-type': 'application/json' };
const CODED_ROLE = uid();

{
  const backend = await centralBackend();
  describe(`no privilege escalation through metadata writes on ${backend}`, () => {
    let database: TestDatabase;
    let server: TestServer;
    let managerId = '';
    let managerRole = '';
    before(async () => {
      database = await createTestDatabase(backend);
      server = await startServer(database);
      const { users } = server.instance.services;
      await users.create({
        username: IMPORTER[0],
        password: IMPORTER[1],
        authorities: ['F_METADATA_IMPORT'],
      });
      const manager = await users.create({
        username: MANAGER[0],
        password: MANAGER[1],
        authorities: ['F_METADATA_MANAGE'],
      });
      managerId = manager.id;
      managerRole = manager.roleIds[0]!;
      // A privileged role and user that carry codes, as DHIS2 exports often do: under
      // identifier=CODE an import matches them by code, whatever id it sends.
      const setup = await server.request('/api/metadata', {
        method: 'POST',
        headers: json,
        body: JSON.stringify({
          userRoles: [
            { id: CODED_ROLE, name: 'Coded admins', code: 'CODED_ADMINS', authorities: ['ALL'] },
          ],
          users: [
            {
              id: uid(),
              code: 'BOSS',
              username: 'boss',
              firstName: 'B',
              surname: 'S',
              password: 'Boss-user-123!',
              userRoles: [{ id: CODED_ROLE }],
            },
          ],
        }),
      });
      assert.equal(setup.status, 200, await setup.clone().text());
    });
    after(async () => {
      await server.stop();
      await database.dispose();
    });

    const send = (auth: [string, string], path: string, method: string, body?: unknown) =>
      server.request(path, {
        auth,
        method,
        ...(body === undefined ? {} : { headers: json, body: JSON.stringify(body) }),
      });
    const admin = { id: SUPERUSER.userId, username: 'admin', firstName: 'a', surname: 'b' };
    const evilRole = { id: uid(), name: 'Evil', authorities: ['ALL'] };
    const evilUser = (roleId: string) => ({
      id: uid(),
      username: `evil-${roleId.slice(0, 5).toLowerCase()}`,
      firstName: 'E',
      surname: 'V',
      password: 'Evil-user-123!',
      userRoles: [{ id: roleId }],
    });

    it('refuses every attempt to grant or touch authorities the caller lacks, and writes nothing', async () => {
      assert.equal((await server.request('/api/me', { auth: IMPORTER })).status, 200);
      assert.equal((await server.request('/api/me', { auth: MANAGER })).status, 200);
      const before = await databaseFingerprint(server);
      const attempts: [string, [string, string], string, string, unknown][] = [
        [
          'import a role with ALL and a user holding it',
          IMPORTER,
          'POST',
          '/api/metadata',
          {
            userRoles: [evilRole],
            users: [evilUser(evilRole.id)],
          },
        ],
        [
          'the same as a dry run',
          IMPORTER,
          'POST',
          '/api/metadata?dryRun=true',
          { userRoles: [evilRole] },
        ],
        [
          'a user with the Superuser role',
          IMPORTER,
          'POST',
          '/api/metadata',
          {
            users: [evilUser(SUPERUSER.roleId)],
          },
        ],
        [
          'the admin’s password, matched by id',
          IMPORTER,
          'POST',
          '/api/metadata',
          {
            users: [
              { ...admin, password: 'Hijack-ed-123!', userRoles: [{ id: SUPERUSER.roleId }] },
            ],
          },
        ],
        [
          'the admin’s password, matched by username',
          IMPORTER,
          'POST',
          '/api/metadata',
          {
            users: [
              { username: 'admin', firstName: 'a', surname: 'b', password: 'Hijack-ed-123!' },
            ],
          },
        ],
        [
          'a privileged user’s password, matched by code',
          IMPORTER,
          'POST',
          '/api/metadata?identifier=CODE',
          {
            users: [
              {
                id: uid(),
                code: 'BOSS',
                username: 'boss-2',
                firstName: 'B',
                surname: 'S',
                password: 'Hijack-ed-123!',
              },
            ],
          },
        ],
        [
          'a privileged role emptied, matched by code',
          IMPORTER,
          'POST',
          '/api/metadata?identifier=CODE',
          {
            userRoles: [{ id: uid(), code: 'CODED_ADMINS', name: 'Coded admins', authorities: [] }],
          },
        ],
        [
          'a new user given a privileged role referenced by code',
          IMPORTER,
          'POST',
          '/api/metadata?identifier=CODE',
          { users: [{ ...evilUser(uid()), userRoles: [{ code: 'CODED_ADMINS' }] }] },
        ],
        [
          'the admin deleted by import',
          IMPORTER,
          'POST',
          '/api/metadata?importStrategy=DELETE',
          {
            users: [{ id: SUPERUSER.userId }],
          },
        ],
        [
          'the admin’s password by PUT',
          MANAGER,
          'PUT',
          `/api/users/${SUPERUSER.userId}`,
          {
            ...admin,
            password: 'Hijack-ed-123!',
            userRoles: [{ id: SUPERUSER.roleId }],
          },
        ],
        ['the admin deleted', MANAGER, 'DELETE', `/api/users/${SUPERUSER.userId}`, undefined],
        [
          'the Superuser role deleted',
          MANAGER,
          'DELETE',
          `/api/userRoles/${SUPERUSER.roleId}`,
          undefined,
        ],
        [
          'the Superuser role renamed',
          MANAGER,
          'PUT',
          `/api/userRoles/${SUPERUSER.roleId}`,
          {
            name: 'Renamed',
            authorities: ['F_METADATA_MANAGE'],
          },
        ],
        ['a new role with ALL', MANAGER, 'POST', '/api/userRoles', evilRole],
        [
          'a new user with the Superuser role',
          MANAGER,
          'POST',
          '/api/users',
          evilUser(SUPERUSER.roleId),
        ],
        [
          'ALL added to one’s own role',
          MANAGER,
          'PUT',
          `/api/userRoles/${managerRole}`,
          {
            name: 'Role of manager',
            authorities: ['F_METADATA_MANAGE', 'ALL'],
          },
        ],
        [
          'the Superuser role given to oneself',
          MANAGER,
          'PUT',
          `/api/users/${managerId}`,
          {
            username: MANAGER[0],
            firstName: 'm',
            surname: 'm',
            userRoles: [{ id: managerRole }, { id: SUPERUSER.roleId }],
          },
        ],
      ];
      const wrong: string[] = [];
      for (const [what, auth, method, path, body] of attempts) {
        const res = await send(auth, path, method, body);
        const answer = (await res.json()) as { httpStatusCode?: number; message?: string };
        if (res.status !== 403 || !/authorities you do not hold/.test(answer.message ?? ''))
          wrong.push(`${what}: ${res.status} ${String(answer.message).slice(0, 200)}`);
      }
      assert.deepEqual(wrong, []);
      assert.deepEqual(await databaseFingerprint(server), before);
      assert.equal(
        (await server.request('/api/me')).status,
        200,
        'the admin password is unchanged',
      );
    });

    it('still lets users write within their own authorities, and ALL write anything', async () => {
      const role = { id: uid(), name: 'Importers', authorities: ['F_METADATA_IMPORT'] };
      const res = await send(IMPORTER, '/api/metadata', 'POST', {
        userRoles: [role],
        users: [{ ...evilUser(role.id), username: 'second-importer' }],
      });
      assert.equal(res.status, 200, await res.text());
      assert.equal(
        (await server.request('/api/me', { auth: ['second-importer', 'Evil-user-123!'] })).status,
        200,
      );
      // One's own password, keeping one's roles.
      const own = await send(MANAGER, `/api/users/${managerId}`, 'PUT', {
        username: MANAGER[0],
        firstName: 'm',
        surname: 'm',
        password: 'Manag-er-456!',
        userRoles: [{ id: managerRole }],
      });
      assert.equal(own.status, 200, await own.text());
      assert.equal(
        (await server.request('/api/me', { auth: [MANAGER[0], 'Manag-er-456!'] })).status,
        200,
      );
      // The admin (ALL) may create a superuser.
      const byAdmin = await send(['admin', ADMIN_PASSWORD], '/api/metadata', 'POST', {
        userRoles: [evilRole],
        users: [evilUser(evilRole.id)],
      });
      assert.equal(byAdmin.status, 200, await byAdmin.text());
    });
  });
}
