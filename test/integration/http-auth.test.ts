/** Authentication and authorities over real HTTP, on both backends (issue 3 §4). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backends } from '../support/databases.ts';
import { ADMIN_PASSWORD, useServer } from '../support/server.ts';
import { setSetting } from '../support/versions.ts';

for (const backend of await backends()) {
  describe(`authentication on ${backend}`, () => {
    // One server per backend for the file: a PGlite instance costs ~2 s (stack.md §2).
    const server = useServer(backend);

    it('answers 401 with a WebMessage and a Basic challenge when no credentials are sent', async () => {
      const res = await server.request('/api/system/ping', { auth: null });
      assert.equal(res.status, 401);
      assert.match(res.headers.get('www-authenticate') ?? '', /^Basic/);
      const body = (await res.json()) as Record<string, unknown>;
      assert.equal(body.httpStatusCode, 401);
      assert.equal(body.status, 'ERROR');
      assert.equal(body.httpStatus, 'Unauthorized');
    });

    it('serves ping and info to admin, and /api/me lists ALL', async () => {
      const ping = await server.request('/api/system/ping');
      assert.equal(ping.status, 200);
      assert.equal(await ping.text(), 'pong');
      assert.equal(ping.headers.get('cache-control'), 'no-store');
      const info = (await (await server.request('/api/system/info')).json()) as Record<
        string,
        unknown
      >;
      assert.equal(info.version, '2.41.0');
      assert.equal(typeof info.systemId, 'string');
      assert.equal(info.databaseBackend, backend);
      const me = (await (await server.request('/api/me')).json()) as Record<string, unknown>;
      assert.equal(me.id, 'M5zQapPyTZI');
      assert.equal(me.username, 'admin');
      assert.deepEqual(me.authorities, ['ALL']);
      assert.deepEqual(me.userRoles, [{ id: 'yrB6vc5Ip3r' }]);
    });

    it('refuses a wrong password, an unknown user and a malformed Authorization header with 401', async () => {
      assert.equal((await server.request('/api/me', { auth: ['viewer2', 'nope'] })).status, 401);
      assert.equal((await server.request('/api/me', { auth: ['nobody', 'nope'] })).status, 401);
      const res = await server.request('/api/me', {
        auth: null,
        headers: { authorization: 'Basic !!!' },
      });
      assert.equal(res.status, 401);
    });

    it('locks a username after 4 failures when keyLockMultipleFailedLogins is on, even for the right password, and logs it', async () => {
      await server.instance.services.users.create({
        username: 'lockme',
        password: 'Lock-me-123!',
        authorities: ['F_METADATA_EXPORT'],
      });
      await setSetting(server, 'keyLockMultipleFailedLogins', true);
      try {
        assert.equal(
          (await server.request('/api/me', { auth: ['lockme', 'Lock-me-123!'] })).status,
          200,
        );
        for (let i = 0; i < 4; i++)
          assert.equal(
            (await server.request('/api/me', { auth: ['lockme', `wrong${i}`] })).status,
            401,
          );
        const locked = await server.request('/api/me', { auth: ['lockme', 'Lock-me-123!'] });
        assert.equal(locked.status, 401);
        assert.match(((await locked.json()) as { message: string }).message, /locked/);
        const lockLines = server.logs.lines.filter(
          (l) => l.msg === 'user account locked after repeated failed logins',
        );
        assert.equal(lockLines.length, 1);
        assert.equal(lockLines[0]!.username, 'lockme');
        // Other usernames are not affected.
        assert.equal((await server.request('/api/me')).status, 200);
      } finally {
        await setSetting(server, 'keyLockMultipleFailedLogins', false);
      }
      // Off again (DHIS2's default): the lock is not consulted any more.
      assert.equal(
        (await server.request('/api/me', { auth: ['lockme', 'Lock-me-123!'] })).status,
        200,
      );
    });

    it('checks authorities: 403 with the DHIS2 message when a route needs one the user lacks', async () => {
      await server.instance.services.users.create({
        username: 'viewer',
        password: 'Viewer-123!',
        authorities: ['F_METADATA_EXPORT'],
      });
      const auth: [string, string] = ['viewer', 'Viewer-123!'];
      assert.equal((await server.request('/api/systemSettings', { auth })).status, 200);
      const res = await server.request('/api/systemSettings/keyVersionEnabled', {
        auth,
        method: 'POST',
        body: 'true',
        headers: { 'content-type': 'text/plain' },
      });
      assert.equal(res.status, 403);
      const body = (await res.json()) as Record<string, unknown>;
      assert.equal(
        body.message,
        'Access is denied, requires one Authority from [F_SYSTEM_SETTING]',
      );
      assert.equal(body.errorCode, 'E1006');
    });

    it('never logs the Authorization header', async () => {
      await server.request('/api/me');
      const all = server.logs.raw.join('\n');
      assert.ok(!all.includes(Buffer.from(`admin:${ADMIN_PASSWORD}`).toString('base64')));
      assert.ok(!all.includes(ADMIN_PASSWORD));
    });
  });
}
