/**
 * The bootstrap superuser and its role stay out of a central's snapshots (issue 16 §7): they
 * share DHIS2's fixed ids, so a DHIS2 local importing them would replace its own administrator.
 * Checked the way a DHIS2 local reads a snapshot (Basic auth, no metasync headers, `data.gz`),
 * through a real metasync local syncing Version_1 and a later version, through the "nothing
 * changed" check and the preview, and with keyVersionIncludeBootstrapAdmin switched on.
 */
import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import { beforeEach, describe, it } from 'node:test';
import { SUPERUSER } from '../../src/domain/auth/users.ts';
import { backends } from '../support/databases.ts';
import { getObject, send } from '../support/metadata.ts';
import { ADMIN_PASSWORD, basic, type TestServer } from '../support/server.ts';
import {
  connect,
  createVersion,
  importMetadata,
  newDataElement,
  resetServer,
  syncOk,
  useCentralAndLocal,
} from '../support/sync.ts';
import {
  createVersionRequest,
  enableVersioning,
  fetchJson,
  idsOf,
  okJson,
  setSetting,
  uid,
  type Snapshot,
} from '../support/versions.ts';

type Json = Record<string, unknown>;

/** `data.gz` as a DHIS2 local fetches it: Basic auth, no metasync headers, gunzipped. */
async function dhis2LocalSnapshot(central: TestServer, name: string): Promise<Snapshot> {
  const res = await fetch(`${central.url}/api/metadata/version/${name}/data.gz`, {
    headers: { authorization: basic('admin', ADMIN_PASSWORD) },
  });
  const body = Buffer.from(await res.arrayBuffer());
  assert.equal(res.status, 200, body.toString('utf8', 0, 300));
  assert.match(res.headers.get('content-type') ?? '', /application\/gzip/);
  return JSON.parse(gunzipSync(body).toString('utf8')) as Snapshot;
}

/** Replaces the admin user with its stored object changed by `patch` (PUT /api/users/{id}). */
async function updateAdmin(server: TestServer, patch: Json): Promise<void> {
  const admin = await getObject(server, 'users', SUPERUSER.userId);
  assert.ok(admin);
  const r = await send(server, 'PUT', `/api/users/${SUPERUSER.userId}`, { ...admin, ...patch });
  assert.equal(r.status, 200, r.text);
}

const orgUnit = (label: string): Json => {
  const id = uid();
  return { id, name: `${label} ${id}`, shortName: `${label} ${id}`, openingDate: '2000-01-01' };
};

/** A user holding the Superuser role by id, as DHIS2 exports users. */
const clerk = (ou: Json): Json => {
  const id = uid();
  return {
    id,
    username: `clerk${id.toLowerCase()}`,
    firstName: 'Clerk',
    surname: id,
    userRoles: [{ id: SUPERUSER.roleId }],
    organisationUnits: [{ id: ou.id }],
  };
};

for (const backend of await backends()) {
  describe(`the bootstrap admin and snapshots, local on ${backend}`, () => {
    const { central, local } = useCentralAndLocal(backend);
    beforeEach(async () => {
      await resetServer(central);
      await resetServer(local);
      await setSetting(central, 'keyVersionIncludeBootstrapAdmin', false);
      await enableVersioning(central);
      await connect(local, central.url);
    });

    it('a DHIS2 local reading data.gz finds no bootstrap admin or Superuser role in Version_1 or later; users holding the role by id are there', async () => {
      const ou = orgUnit('Central OU');
      const user = clerk(ou);
      await importMetadata(central, { organisationUnits: [ou], users: [user] });
      await updateAdmin(central, { firstName: 'Central', organisationUnits: [{ id: ou.id }] });
      const v1 = await createVersion(central, 'ATOMIC');
      const s1 = await dhis2LocalSnapshot(central, v1.name);
      assert.ok(!idsOf(s1, 'users').includes(SUPERUSER.userId), 'no bootstrap admin');
      assert.ok(!idsOf(s1, 'userRoles').includes(SUPERUSER.roleId), 'no Superuser role');
      const shipped = (s1.users as Json[]).find((u) => u.id === user.id);
      assert.deepEqual(shipped?.userRoles, [{ id: SUPERUSER.roleId }]);
      assert.ok(idsOf(s1, 'organisationUnits').includes(ou.id as string));

      // The admin alone changed: nothing a snapshot would hold, so no version and an empty preview.
      await updateAdmin(central, { firstName: 'Central again', surname: 'Renamed' });
      const preview = await okJson(central, '/api/metadata/version/preview');
      assert.deepEqual([preview.objects, preview.types, preview.deletions], [0, {}, 0]);
      const refused = await createVersionRequest(central, 'ATOMIC');
      assert.equal(refused.status, 409, refused.text);
      assert.equal(refused.body.errorCode, 'E1004');

      // With another change the version is made, and still without the admin.
      const de = newDataElement('Beside admin');
      await importMetadata(central, { dataElements: [de] });
      await updateAdmin(central, { firstName: 'Central third' });
      const after = await okJson(central, '/api/metadata/version/preview');
      assert.deepEqual(after.types, { dataElements: 1 });
      const v2 = await createVersion(central, 'ATOMIC');
      const s2 = await dhis2LocalSnapshot(central, v2.name);
      assert.deepEqual(idsOf(s2, 'dataElements'), [de.id]);
      assert.deepEqual([idsOf(s2, 'users'), idsOf(s2, 'userRoles')], [[], []]);
    });

    it('a metasync local syncing Version_1 and a later version keeps its own admin: name, org units and password', async () => {
      const localOu = orgUnit('Local OU');
      await importMetadata(local, { organisationUnits: [localOu] });
      await updateAdmin(local, { firstName: 'Local', organisationUnits: [{ id: localOu.id }] });

      const ou = orgUnit('Central OU');
      const user = clerk(ou);
      await importMetadata(central, { organisationUnits: [ou], users: [user] });
      await updateAdmin(central, {
        firstName: 'Central',
        surname: 'Admin',
        organisationUnits: [{ id: ou.id }],
      });
      await createVersion(central, 'ATOMIC');
      await syncOk(local);
      await updateAdmin(central, { firstName: 'Central again' });
      await importMetadata(central, { dataElements: [newDataElement('Later')] });
      await createVersion(central, 'BEST_EFFORT');
      const report = await syncOk(local);
      assert.deepEqual(
        report.versions.map((v) => [v.name, v.status]),
        [['Version_2', 'SUCCESS']],
      );

      const admin = await getObject(local, 'users', SUPERUSER.userId);
      assert.equal(admin?.firstName, 'Local');
      assert.deepEqual(admin?.organisationUnits, [{ id: localOu.id }]);
      const me = await fetchJson<Json>(local, '/api/me', { auth: ['admin', ADMIN_PASSWORD] });
      assert.equal(me.status, 200, 'the local admin still logs in with its own password');
      // The central's other user arrived, holding the local's Superuser role.
      const synced = await getObject(local, 'users', user.id as string);
      assert.deepEqual(synced?.userRoles, [{ id: SUPERUSER.roleId }]);
      const role = await getObject(local, 'userRoles', SUPERUSER.roleId);
      assert.equal(role?.name, SUPERUSER.roleName);
    });

    it('with keyVersionIncludeBootstrapAdmin on, the snapshots carry them and a change to the admin alone makes a version', async () => {
      await setSetting(central, 'keyVersionIncludeBootstrapAdmin', true);
      const ou = orgUnit('Central OU');
      await importMetadata(central, { organisationUnits: [ou] });
      await updateAdmin(central, { firstName: 'Central', organisationUnits: [{ id: ou.id }] });
      const v1 = await createVersion(central, 'ATOMIC');
      const s1 = await dhis2LocalSnapshot(central, v1.name);
      assert.ok(idsOf(s1, 'users').includes(SUPERUSER.userId));
      assert.ok(idsOf(s1, 'userRoles').includes(SUPERUSER.roleId));

      await updateAdmin(central, { firstName: 'Central again' });
      const preview = await okJson(central, '/api/metadata/version/preview');
      assert.deepEqual(preview.types, { users: 1 });
      const v2 = await createVersion(central, 'ATOMIC');
      assert.deepEqual(idsOf(await dhis2LocalSnapshot(central, v2.name), 'users'), [
        SUPERUSER.userId,
      ]);

      // A metasync local then takes the central's admin (its password is never in a snapshot).
      await syncOk(local);
      const admin = await getObject(local, 'users', SUPERUSER.userId);
      assert.equal(admin?.firstName, 'Central again');
      assert.deepEqual(admin?.organisationUnits, [{ id: ou.id }]);
      const me = await fetchJson<Json>(local, '/api/me', { auth: ['admin', ADMIN_PASSWORD] });
      assert.equal(me.status, 200);
    });
  });
}
