/**
 * HTTP-level defences (issue 10 §4), on both backends (the lockout lives in the database): login
 * throttling shared by Basic and the UI login, and request size limits on every route that takes
 * a body (413 WebMessage, gzip bombs, huge headers). Complements http-auth.test.ts (Basic
 * lockout), http-errors.test.ts and metadata-bad-input.test.ts (413 and gzip bomb on one route);
 * CSRF, Origin and headers are in security-csrf.test.ts.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { backends } from '../support/databases.ts';
import { databaseFingerprint, fillPath, registeredRoutes } from '../support/security-routes.ts';
import { ADMIN_PASSWORD, uiLogin, useServer } from '../support/server.ts';
import { setSetting } from '../support/versions.ts';

const LIMIT = 64 * 1024;
const json = { 'content-type': 'application/json' };

type Json = Record<string, unknown>;

for (const backend of await backends()) {
  describe(`HTTP defences on ${backend}`, () => {
    const server = useServer(backend, { maxRequestBytes: LIMIT });
    describe('login throttling (keyLockMultipleFailedLogins on)', () => {
      before(() => setSetting(server, 'keyLockMultipleFailedLogins', true));
      after(() => setSetting(server, 'keyLockMultipleFailedLogins', false));

      it('counts failures from Basic and the UI login together, and locks both ways', async () => {
        const password = 'Throttle-me-1!';
        await server.instance.services.users.create({
          username: 'throttled',
          password,
          authorities: ['F_METADATA_EXPORT'],
        });
        for (let i = 0; i < 2; i++)
          assert.equal(
            (await server.request('/api/me', { auth: ['throttled', `wrong-${i}`] })).status,
            401,
          );
        for (let i = 0; i < 2; i++)
          assert.equal((await uiLogin(server, 'throttled', `bad-${i}`)).status, 401);
        // Four failures in the window: the right password is refused both ways now.
        const ui = await uiLogin(server, 'throttled', password);
        assert.equal(ui.status, 401);
        assert.equal(ui.headers.get('set-cookie'), null, 'no session for a locked account');
        assert.match(((await ui.json()) as Json).message as string, /locked/);
        const viaBasic = await server.request('/api/me', { auth: ['throttled', password] });
        assert.equal(viaBasic.status, 401);
        assert.match(((await viaBasic.json()) as Json).message as string, /locked/);
        // Only that username: the admin still logs in both ways.
        assert.equal((await uiLogin(server, 'admin', ADMIN_PASSWORD)).status, 200);
        assert.equal((await server.request('/api/me')).status, 200);
      });

      it('answers an unknown user exactly like a wrong password, and throttles it the same', async () => {
        const unknown = await server.request('/api/me', { auth: ['no-such-user-x', 'pw'] });
        const wrong = await server.request('/api/me', { auth: ['admin', 'not-the-password'] });
        assert.equal(unknown.status, wrong.status);
        assert.deepEqual(await unknown.json(), await wrong.json());
        for (let i = 0; i < 3; i++) await uiLogin(server, 'no-such-user-x', `pw-${i}`);
        const locked = await uiLogin(server, 'no-such-user-x', 'pw');
        assert.match(((await locked.json()) as Json).message as string, /locked/);
      });
    });

    it('answers odd credentials with 401, never 500 (NUL, empty, huge, not UTF-8, other schemes)', async () => {
      const b64 = (s: string | Buffer) => `Basic ${Buffer.from(s).toString('base64')}`;
      const wrong: string[] = [];
      for (const authorization of [
        b64('ad\u0000min:pw'),
        b64('admin:p\u0000w'),
        b64(':'),
        b64(`${'x'.repeat(10_000)}:y`),
        b64(Buffer.from([0xff, 0xfe, 0x3a, 0x41])),
        b64('\ud800:x'),
        'Bearer abc',
        'Basic',
        'Basic ====',
      ])
        for (const path of ['/api/me', '/api/nothing']) {
          const res = await server.request(path, { auth: null, headers: { authorization } });
          if (res.status !== 401)
            wrong.push(`${path} ${authorization.slice(0, 24)}: ${res.status}`);
        }
      for (const username of ['ad\u0000min', '\ud800x', 'x'.repeat(255)]) {
        const res = await uiLogin(server, username, 'pw');
        if (res.status !== 401)
          wrong.push(`UI login ${JSON.stringify(username.slice(0, 9))}: ${res.status}`);
      }
      assert.deepEqual(wrong, []);
    });

    describe('request size limits', () => {
      it('answers 413 WebMessage on every route that takes a body, before any write', async () => {
        // A successful login clears the admin's earlier failures: do it before the fingerprint.
        assert.equal((await server.request('/api/me')).status, 200);
        const before = await databaseFingerprint(server);
        const big = JSON.stringify({ padding: 'x'.repeat(LIMIT) });
        const routes = [...registeredRoutes(server.instance.app)].filter((r) =>
          ['POST', 'PUT'].includes(r.split(' ')[0]!),
        );
        assert.ok(routes.length > 100, `only ${routes.length} routes with a body`);
        const wrong: string[] = [];
        for (const route of routes) {
          const [method, url] = route.split(' ') as [string, string];
          const res = await server.request(fillPath(url), { method, headers: json, body: big });
          const body = (await res.json()) as Json;
          if (res.status !== 413 || body.httpStatusCode !== 413)
            wrong.push(`${route}: ${res.status} ${JSON.stringify(body).slice(0, 120)}`);
        }
        assert.deepEqual(wrong, []);
        assert.deepEqual(await databaseFingerprint(server), before);
      });

      it('refuses a body over the limit without credentials too: 413 on the public login, 401 elsewhere', async () => {
        const big = 'x'.repeat(LIMIT * 4);
        const login = await server.request('/api/metasync/session', {
          auth: null,
          method: 'POST',
          headers: json,
          body: big,
        });
        assert.equal(login.status, 413);
        const anon = await server.request('/api/metadata', {
          auth: null,
          method: 'POST',
          headers: json,
          body: big,
        });
        assert.equal(anon.status, 401);
      });

      it('refuses gzip bombs with 413 on every route that accepts gzip bodies, and keeps answering', async () => {
        const bomb = gzipSync(Buffer.alloc(20 * 1024 * 1024, 0x20)); // ~20 KB on the wire
        assert.ok(bomb.length < LIMIT);
        for (const path of [
          '/api/metadata',
          '/api/dataValueSets',
          '/api/completeDataSetRegistrations',
          '/api/events',
          '/api/trackedEntityInstances',
        ]) {
          const res = await server.request(path, {
            method: 'POST',
            headers: { ...json, 'content-encoding': 'gzip' },
            body: bomb,
          });
          assert.equal(res.status, 413, path);
          assert.equal(((await res.json()) as Json).httpStatusCode, 413);
        }
        // Elsewhere a gzip body is not decoded: refused as a bad body, never a 500.
        const other = await server.request('/api/systemSettings', {
          method: 'POST',
          headers: { ...json, 'content-encoding': 'gzip' },
          body: bomb,
        });
        assert.ok(other.status >= 400 && other.status < 500, String(other.status));
        assert.equal((await server.request('/api/system/ping')).status, 200);
      });

      it('refuses a huge header or URL (431), and keeps answering', async () => {
        const res = await server.request('/api/me', {
          headers: { 'x-filler': 'y'.repeat(100_000) },
        });
        assert.equal(res.status, 431);
        const url = await server.request(`/api/dataElements?filter=${'z'.repeat(100_000)}`);
        assert.equal(url.status, 431);
        assert.equal((await server.request('/api/system/ping')).status, 200);
      });
    });
  });
}
