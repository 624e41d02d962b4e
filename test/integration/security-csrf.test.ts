/**
 * CSRF and browser-facing defences (issue 10 §4): the UI session's CSRF token on every
 * state-changing route (generated from the route table), cross-origin requests refused by their
 * Origin header (session or browser-remembered Basic), no CORS, the session cookie's flags, and
 * the security headers on API, error, snapshot and UI answers. Complements http-session.test.ts.
 * One backend: none of this touches the store beyond the unchanged-database check.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  databaseFingerprint,
  declaredRoutes,
  fillPath,
  registeredRoutes,
} from '../support/security-routes.ts';
import { ADMIN_PASSWORD, uiLogin, useServer } from '../support/server.ts';
import { centralBackend } from '../support/sync.ts';

const json = { 'content-type': 'application/json' };
const UNSAFE = ['POST', 'PUT', 'DELETE', 'PATCH'];

type Json = Record<string, unknown>;

{
  const backend = await centralBackend();
  describe(`CSRF, Origin and security headers on ${backend}`, () => {
    const server = useServer(backend);
    const session = async () => {
      const res = await uiLogin(server, 'admin', ADMIN_PASSWORD);
      assert.equal(res.status, 200);
      const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
      const { csrfToken } = (await res.json()) as { csrfToken: string };
      return { cookie, csrfToken };
    };
    /** The state-changing routes that need a login (the UI session's CSRF applies to them). */
    const unsafeRoutes = () => {
      const declared = declaredRoutes();
      return [...registeredRoutes(server.instance.app)]
        .filter((r) => UNSAFE.includes(r.split(' ')[0]!))
        .filter((r) => !['public', 'session'].includes(declared.get(r) as string))
        .sort();
    };

    describe('CSRF and cross-origin requests', () => {
      it('refuses every state-changing route with the session cookie but without, or with another session’s, CSRF token', async () => {
        const mine = await session();
        const other = await session();
        const before = await databaseFingerprint(server);
        const routes = unsafeRoutes();
        assert.ok(routes.length > 150, `only ${routes.length} state-changing routes`);
        const wrong: string[] = [];
        for (const route of routes) {
          const [method, url] = route.split(' ') as [string, string];
          for (const token of [null, other.csrfToken, '']) {
            const res = await server.request(fillPath(url), {
              auth: null,
              method,
              headers: {
                cookie: mine.cookie,
                ...json,
                ...(token === null ? {} : { 'x-csrf-token': token }),
              },
              body: method === 'DELETE' ? undefined : '{}',
            });
            const body = (await res.json()) as Json;
            if (res.status !== 403 || body.message !== 'Missing or invalid CSRF token')
              wrong.push(`${route} token=${token}: ${res.status} ${String(body.message)}`);
          }
        }
        assert.deepEqual(wrong, []);
        assert.deepEqual(await databaseFingerprint(server), before);
        // The same cookie still reads, and writes with its token.
        assert.equal(
          (await server.request('/api/me', { auth: null, headers: { cookie: mine.cookie } }))
            .status,
          200,
        );
        const write = await server.request('/api/systemSettings/applicationTitle', {
          auth: null,
          method: 'POST',
          headers: {
            cookie: mine.cookie,
            'content-type': 'text/plain',
            'x-csrf-token': mine.csrfToken,
          },
          body: 'CSRF test',
        });
        assert.equal(write.status, 200);
      });

      it('refuses state-changing requests from another origin, with a valid token or Basic credentials', async () => {
        const { cookie, csrfToken } = await session();
        const post = (origin: string | null, auth: 'session' | 'basic') =>
          server.request('/api/systemSettings/applicationTitle', {
            ...(auth === 'session' ? { auth: null } : {}),
            method: 'POST',
            headers: {
              'content-type': 'text/plain',
              ...(auth === 'session' ? { cookie, 'x-csrf-token': csrfToken } : {}),
              ...(origin === null ? {} : { origin }),
            },
            body: `title from ${origin}`,
          });
        for (const auth of ['session', 'basic'] as const) {
          for (const origin of ['https://evil.example', 'null', 'http://127.0.0.1.evil.example']) {
            const res = await post(origin, auth);
            assert.equal(res.status, 403, `${auth} from ${origin}`);
            assert.equal(((await res.json()) as Json).httpStatusCode, 403);
          }
          assert.equal((await post(new URL(server.url).origin, auth)).status, 200, auth);
          assert.equal((await post(null, auth)).status, 200, `${auth} without Origin`);
        }
        // A cross-site login (login CSRF) is refused too; reads from anywhere still work.
        assert.equal(
          (await uiLogin(server, 'admin', ADMIN_PASSWORD, { origin: 'https://evil.example' }))
            .status,
          403,
        );
        const read = await server.request('/api/me', {
          headers: { origin: 'https://evil.example' },
        });
        assert.equal(read.status, 200);
        assert.equal(read.headers.get('access-control-allow-origin'), null, 'no CORS');
      });

      it('answers the versioned API paths DHIS2 apps use (/api/41/…) as the same routes, with the same CSRF guard', async () => {
        const plain = await server.request('/api/system/info');
        const versioned = await server.request('/api/41/system/info');
        assert.equal(versioned.status, 200);
        const a = (await plain.json()) as Json;
        const b = (await versioned.json()) as Json;
        assert.equal(b.version, a.version);
        assert.equal(b.systemId, a.systemId);
        // Not a version DHIS2 ever had, and not a prefix of a longer segment: no rewrite.
        assert.equal((await server.request('/api/12/system/info')).status, 404);
        assert.equal((await server.request('/api/410/system/info')).status, 404);
        const mine = await session();
        const unguarded = await server.request('/api/44/systemSettings', {
          auth: null,
          method: 'POST',
          headers: { cookie: mine.cookie, ...json },
          body: JSON.stringify({ keyEmailPort: 2525 }),
        });
        assert.equal(unguarded.status, 403);
        const guarded = await server.request('/api/44/systemSettings', {
          auth: null,
          method: 'POST',
          headers: { cookie: mine.cookie, 'x-csrf-token': mine.csrfToken, ...json },
          body: JSON.stringify({ keyEmailPort: 2525 }),
        });
        assert.equal(guarded.status, 200);
      });

      it('grants no CORS, and no login through a form-style body', async () => {
        const preflight = await server.request('/api/systemSettings', {
          auth: null,
          method: 'OPTIONS',
          headers: {
            origin: 'https://evil.example',
            'access-control-request-method': 'POST',
            'access-control-request-headers': 'x-csrf-token, content-type',
          },
        });
        assert.equal(preflight.headers.get('access-control-allow-origin'), null);
        assert.equal(preflight.headers.get('access-control-allow-credentials'), null);
        // A cross-site <form> can only send text/plain or urlencoded bodies: not a login.
        const form = await server.request('/api/metasync/session', {
          auth: null,
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: `username=admin&password=${encodeURIComponent(ADMIN_PASSWORD)}`,
        });
        assert.equal(form.status, 415);
        assert.equal(form.headers.get('set-cookie'), null);
      });

      it('sets the session cookie HttpOnly, SameSite=Strict, for the whole site only', async () => {
        const res = await uiLogin(server, 'admin', ADMIN_PASSWORD);
        const cookie = res.headers.get('set-cookie') ?? '';
        assert.match(
          cookie,
          /^metasync_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict$/,
        );
        // Logging out needs the token too (a forced logout is a CSRF as well).
        const sid = cookie.split(';')[0]!;
        const out = await server.request('/api/metasync/session', {
          auth: null,
          method: 'DELETE',
          headers: { cookie: sid },
        });
        assert.equal(out.status, 400);
        assert.equal(
          (await server.request('/api/me', { auth: null, headers: { cookie: sid } })).status,
          200,
        );
      });
    });

    it('treats a malformed session cookie as no session on every route: 401, never 500', async () => {
      const declared = declaredRoutes();
      const wrong: string[] = [];
      for (const route of [...registeredRoutes(server.instance.app)].sort()) {
        const [method, url] = route.split(' ') as [string, string];
        for (const cookie of ['metasync_session=%E0%A4%A', 'metasync_session=%']) {
          const res = await server.request(fillPath(url), {
            auth: null,
            method,
            headers: { cookie },
          });
          const access = declared.get(route);
          if (res.status >= 500 || (access !== 'public' && res.status !== 401))
            wrong.push(`${route} (${cookie}): ${res.status}`);
        }
      }
      assert.deepEqual(wrong, []);
    });

    describe('security headers', () => {
      const check = (res: Response, where: string, csp = "default-src 'none'") => {
        assert.equal(res.headers.get('x-content-type-options'), 'nosniff', where);
        assert.equal(res.headers.get('x-frame-options'), 'DENY', where);
        assert.ok(res.headers.get('referrer-policy'), where);
        assert.ok((res.headers.get('content-security-policy') ?? '').startsWith(csp), where);
      };

      it('sets them on API answers and errors, with no-store on JSON', async () => {
        const cases: [string, RequestInit & { auth?: null }, number][] = [
          ['/api/me', {}, 200],
          ['/api/me', { auth: null }, 401],
          ['/api/metasync/secretSettings', {}, 200],
          ['/api/nothing-here', {}, 404],
          ['/api/me', { method: 'DELETE' }, 405],
          ['/api/metadata', { method: 'POST', headers: json, body: '{' }, 400],
          ['/api/health', { auth: null }, 200],
          ['/metrics', {}, 200],
        ];
        for (const [path, init, status] of cases) {
          const res = await server.request(path, init);
          assert.equal(res.status, status, path);
          check(res, `${init.method ?? 'GET'} ${path}`);
          assert.equal(res.headers.get('referrer-policy'), 'no-referrer');
          assert.equal(res.headers.get('cache-control'), 'no-store', path);
        }
      });

      it('keeps the immutable Cache-Control of snapshots, and the web UI’s own CSP', async () => {
        await server.request('/api/systemSettings/keyVersionEnabled?value=true', {
          method: 'POST',
        });
        const created = await server.request(
          '/api/metadata/version/create?type=BEST_EFFORT&force=true',
          {
            method: 'POST',
          },
        );
        assert.equal(created.status, 200);
        const { name } = (await created.json()) as { name: string };
        for (const file of ['data', 'data.gz']) {
          const res = await server.request(`/api/metadata/version/${name}/${file}`);
          assert.equal(res.status, 200);
          check(res, file);
          assert.match(res.headers.get('cache-control') ?? '', /immutable/);
          assert.doesNotMatch(res.headers.get('cache-control') ?? '', /no-store/);
        }
        const ui = await server.request('/', { auth: null });
        check(ui, '/', "default-src 'self'");
        assert.equal(ui.headers.get('referrer-policy'), 'same-origin');
        assert.equal(ui.headers.get('cache-control'), 'no-cache');
      });
    });
  });

  describe(`the session cookie behind a TLS proxy on ${backend}`, () => {
    // metasync sees http from the proxy; server.base.url says what the browser sees.
    const server = useServer(backend, { serverBaseUrl: 'https://metasync.example.org' });
    it('is Secure when server.base.url is https, on login and on logout', async () => {
      const login = await uiLogin(server, 'admin', ADMIN_PASSWORD);
      assert.equal(login.status, 200);
      const cookie = login.headers.get('set-cookie') ?? '';
      assert.match(cookie, /; HttpOnly; SameSite=Strict; Secure$/);
      const { csrfToken } = (await login.json()) as { csrfToken: string };
      const out = await server.request('/api/metasync/session', {
        auth: null,
        method: 'DELETE',
        headers: { cookie: cookie.split(';')[0]!, 'x-csrf-token': csrfToken },
      });
      assert.equal(out.status, 200, await out.clone().text());
      assert.match(out.headers.get('set-cookie') ?? '', /Max-Age=0; Secure$/);
    });
  });
}
