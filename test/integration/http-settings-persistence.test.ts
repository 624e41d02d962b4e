/**
 * Settings and users live in the database, not in the process: a second server on the same
 * database sees a change at once, and a restart keeps everything (issue 3 §5), on both backends.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eventually } from '../support/eventually.ts';
import { backends, createTestDatabase, type TestDatabase } from '../support/databases.ts';
import { startServer, type TestServer } from '../support/server.ts';

const SUPERUSER_CREATED = 'created the superuser "admin" (role Superuser, authority ALL)';
const plain = { 'content-type': 'text/plain' };
const json = { 'content-type': 'application/json' };

async function getJson(server: TestServer, path: string, auth?: [string, string]) {
  const res = await server.request(path, auth ? { auth } : {});
  assert.equal(res.status, 200, `GET ${path}`);
  return (await res.json()) as Record<string, unknown>;
}

async function send(server: TestServer, path: string, init: RequestInit) {
  const res = await server.request(path, init);
  assert.equal(res.status, 200, `${init.method} ${path}: ${await res.clone().text()}`);
  await res.arrayBuffer();
}

const createdAdmin = (server: TestServer) =>
  server.logs.lines.filter((l) => l.msg === SUPERUSER_CREATED).length;

for (const backend of await backends()) {
  describe(`settings persistence on ${backend}`, () => {
    // One database per describe; the tests below start more servers on it on purpose.
    let database: TestDatabase;
    let server: TestServer;
    before(async () => {
      database = await createTestDatabase(backend);
      server = await startServer(database);
    });
    after(async () => {
      await server.stop();
      await database.dispose();
    });

    it(
      'shows a change made through one server to another on the same database within a second',
      {
        // PGlite is an in-process database: a data dir is open in one process only, so two
        // servers on one database is a PostgreSQL deployment.
        skip: backend === 'pglite' ? 'PGlite data dirs cannot be shared between processes' : false,
      },
      async () => {
        const other = await startServer(database);
        try {
          assert.equal(createdAdmin(other), 0, 'the second server found the admin');
          const [a, b] = await Promise.all([
            getJson(server, '/api/system/info'),
            getJson(other, '/api/system/info'),
          ]);
          assert.equal(b.systemId, a.systemId);

          await send(server, '/api/systemSettings/applicationTitle', {
            method: 'POST',
            headers: plain,
            body: 'Set through A',
          });
          await eventually(async () =>
            assert.deepEqual(await getJson(other, '/api/systemSettings/applicationTitle'), {
              applicationTitle: 'Set through A',
            }),
          );

          await send(other, '/api/systemSettings', {
            method: 'POST',
            headers: json,
            body: JSON.stringify({ keyVersionEnabled: true, keyEmailPort: 2525 }),
          });
          await eventually(async () =>
            assert.deepEqual(
              await getJson(server, '/api/systemSettings?key=keyVersionEnabled&key=keyEmailPort'),
              { keyVersionEnabled: true, keyEmailPort: 2525 },
            ),
          );
          assert.equal((await getJson(server, '/api/system/info')).isMetadataVersionEnabled, true);

          // A secret sealed by A is opened by B: the key material is in the database.
          await send(server, '/api/systemSettings/keyRemoteInstancePassword', {
            method: 'POST',
            headers: plain,
            body: 'Shared-S3cret-1',
          });
          await eventually(async () =>
            assert.equal(
              await other.instance.services.settings.value('keyRemoteInstancePassword'),
              'Shared-S3cret-1',
            ),
          );

          for (const key of ['applicationTitle', 'keyVersionEnabled', 'keyEmailPort'])
            await send(other, `/api/systemSettings/${key}`, { method: 'DELETE' });
          await eventually(async () =>
            assert.deepEqual(
              await getJson(server, '/api/systemSettings?key=applicationTitle&key=keyEmailPort'),
              { applicationTitle: 'metasync', keyEmailPort: 587 },
            ),
          );

          // A user created through A logs in on B.
          await server.instance.services.users.create({
            username: 'shared.user',
            password: 'Xx-12345!',
            authorities: ['F_METADATA_EXPORT'],
          });
          const me = await getJson(other, '/api/me', ['shared.user', 'Xx-12345!']);
          assert.deepEqual(me.authorities, ['F_METADATA_EXPORT']);
        } finally {
          await other.stop();
        }
        // A keeps working after B closed its own connections.
        assert.equal((await server.request('/api/system/ping')).status, 200);
      },
    );

    it('keeps settings, users and the admin across a restart', async () => {
      assert.equal(createdAdmin(server), 1, 'the first start created the admin');
      const infoBefore = await getJson(server, '/api/system/info');
      const adminBefore = await getJson(server, '/api/me');
      await send(server, '/api/systemSettings', {
        method: 'POST',
        headers: json,
        body: JSON.stringify({
          applicationTitle: 'Survives restarts',
          keyEmailPort: 2600,
          keyVersionEnabled: true,
          keyLastMetaDataSyncSuccess: '2024-06-01T00:00:00Z',
          keyEmailPassword: 'Restart-S3cret-2',
        }),
      });
      const settingsBefore = await getJson(server, '/api/systemSettings');
      const secretsBefore = await getJson(server, '/api/metasync/secretSettings');
      assert.equal(secretsBefore.keyEmailPassword, true);
      assert.equal(settingsBefore.applicationTitle, 'Survives restarts');
      await server.instance.services.users.create({
        username: 'restart.user',
        password: 'Xx-12345!',
        authorities: ['F_SYSTEM_SETTING'],
      });
      const userBefore = await getJson(server, '/api/me', ['restart.user', 'Xx-12345!']);

      await server.stop();
      // On PGlite this reopens the same data dir; on PostgreSQL it opens a new pool.
      server = await startServer(database);

      assert.equal(createdAdmin(server), 0, 'the admin was not created again');
      const infoAfter = await getJson(server, '/api/system/info');
      assert.equal(infoAfter.systemId, infoBefore.systemId);
      assert.equal(infoAfter.systemName, 'Survives restarts');
      assert.equal(infoAfter.isMetadataVersionEnabled, true);
      assert.deepEqual(await getJson(server, '/api/me'), adminBefore);
      assert.deepEqual(await getJson(server, '/api/systemSettings'), settingsBefore);
      assert.deepEqual(await getJson(server, '/api/metasync/secretSettings'), secretsBefore);
      // The secret sealed before the restart still opens: salt and key survived too.
      assert.equal(
        await server.instance.services.settings.value('keyEmailPassword'),
        'Restart-S3cret-2',
      );
      assert.deepEqual(await getJson(server, '/api/me', ['restart.user', 'Xx-12345!']), userBefore);
      // The restored user keeps their authority: they may write settings.
      const res = await server.request('/api/systemSettings/keyEmailPort?value=2601', {
        method: 'POST',
        auth: ['restart.user', 'Xx-12345!'],
      });
      assert.equal(res.status, 200);
      assert.deepEqual(await getJson(server, '/api/systemSettings/keyEmailPort'), {
        keyEmailPort: 2601,
      });
    });
  });
}
