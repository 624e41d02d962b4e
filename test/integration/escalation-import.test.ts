/**
 * The escalation rule lives in the metadata import use case, in its transaction (issue 17 §3):
 * a caller that is not HTTP (a CLI command, a job, a later feature) is refused like the API is.
 * Before, only the HTTP routes checked it, so `importMetadata` itself wrote a role with ALL for a
 * user holding F_METADATA_IMPORT alone. Both backends; no server, no HTTP.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { buildServices } from '../../src/compose/build-services.ts';
import { loadConfig } from '../../src/config.ts';
import { ensureSuperuser } from '../../src/domain/auth/user-admin.ts';
import { SUPERUSER, SUPERUSER_ACTOR } from '../../src/domain/auth/users.ts';
import { isAppError } from '../../src/domain/errors.ts';
import { importMetadata, type ImportDeps } from '../../src/domain/metadata/import-metadata.ts';
import {
  DEFAULT_IMPORT_PARAMS,
  type ImportParams,
} from '../../src/domain/metadata/import-params.ts';
import { createLogger } from '../../src/logger.ts';
import { openPorts, systemClock } from '../../src/main.ts';
import { newUid } from '../../src/security/random.ts';
import { createScryptHasher, isBcryptHash } from '../../src/security/scrypt-hasher.ts';
import type { OpenDatabase } from '../../src/store/db.ts';
import { createStores, type Stores } from '../../src/store/stores.ts';
import { backends, createTestDatabase, type TestDatabase } from '../support/databases.ts';

const importer = { id: newUid(), authorities: new Set(['F_METADATA_IMPORT']) };
const superRole = () => ({ id: newUid(), name: `Admins ${newUid()}`, authorities: ['ALL'] });

/** Asserts the promise rejects with the FORBIDDEN AppError that names an escalation. */
async function refused(p: Promise<unknown>, what: string): Promise<void> {
  await assert.rejects(
    p,
    (e: unknown) =>
      isAppError(e) &&
      e.code === 'FORBIDDEN' &&
      /cannot grant or change authorities you do not hold/.test(e.message),
    `${what}: expected a FORBIDDEN escalation refusal`,
  );
}

for (const backend of await backends()) {
  describe(`the metadata import use case refuses escalation on ${backend}`, () => {
    let database: TestDatabase;
    let open: OpenDatabase;
    let stores: Stores;
    let deps: ImportDeps;
    const run = (body: unknown, actor: typeof importer, params: Partial<ImportParams> = {}) =>
      importMetadata(deps, body, { ...DEFAULT_IMPORT_PARAMS, ...params }, actor);

    before(async () => {
      database = await createTestDatabase(backend);
      open = await database.open();
      stores = createStores(open.db);
      deps = {
        store: stores.metadata,
        hasher: createScryptHasher({ N: 1024, r: 8, p: 1 }),
        clock: systemClock,
        newUid,
        isPasswordHash: isBcryptHash,
      };
      // The instance's own import (start-up) is the superuser's and passes.
      const made = await ensureSuperuser(
        { users: stores.users, newUid, importMetadata: (b, p, a) => importMetadata(deps, b, p, a) },
        'Admin-Pass-1!',
      );
      assert.equal(made.created, true, 'the superuser is created through the import');
    });
    after(async () => {
      await open.close();
      await database.dispose();
    });

    it('refuses a role granting ALL to an F_METADATA_IMPORT actor, and writes nothing', async () => {
      const role = superRole();
      const seq = await stores.metadata.changeSeq();
      await refused(run({ userRoles: [role] }, importer), 'role with ALL');
      assert.equal(await stores.metadata.get('userRoles', role.id), null, 'the role was written');
      assert.equal(await stores.metadata.changeSeq(), seq, 'the change counter moved');
    });

    it('refuses a dry run of the same import', async () => {
      await refused(
        run({ userRoles: [superRole()] }, importer, { importMode: 'VALIDATE' }),
        'dry run',
      );
    });

    it("refuses a new password on the superuser, named by username, and keeps the old one's hash", async () => {
      const before = await stores.users.findCredentials(SUPERUSER.username);
      await refused(
        run(
          {
            users: [
              {
                username: SUPERUSER.username,
                firstName: 'x',
                surname: 'y',
                password: 'Taken-Over-1!',
                userRoles: [{ id: SUPERUSER.roleId }],
              },
            ],
          },
          importer,
          { importStrategy: 'UPDATE', identifier: 'CODE' },
        ),
        "admin's password",
      );
      const after = await stores.users.findCredentials(SUPERUSER.username);
      assert.equal(after?.passwordHash, before?.passwordHash, 'the password changed');
    });

    it('imports what the actor holds, and anything for an actor with ALL', async () => {
      const own = {
        id: newUid(),
        name: `Importers ${newUid()}`,
        authorities: ['F_METADATA_IMPORT'],
      };
      assert.equal((await run({ userRoles: [own] }, importer)).status, 'OK');
      const role = superRole();
      assert.equal((await run({ userRoles: [role] }, SUPERUSER_ACTOR)).status, 'OK');
      assert.notEqual(await stores.metadata.get('userRoles', role.id), null, 'ALL may grant ALL');
    });

    it('the services record built by buildServices carries the rule (users.create by a non-superuser)', async () => {
      const config = loadConfig({}, {});
      const ports = await openPorts(config, open, systemClock, createLogger('silent'));
      const { services } = await buildServices(ports, config);
      await refused(
        services.users.create(
          { username: 'escalated', password: 'Escal-ated-1!', authorities: ['ALL'] },
          importer,
        ),
        'users.create with ALL',
      );
      assert.equal(await stores.users.findCredentials('escalated'), null, 'the user was created');
    });
  });
}
