/**
 * The web UI's session (issue 9): login sets an HttpOnly cookie, the cookie authenticates with
 * the same authority checks as Basic, state-changing calls need the CSRF token, logout ends it,
 * and the UI's page is served for `/` and unknown non-/api paths (never for /api).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { centralBackend, start, type Started } from '../support/sync.ts';
import { ADMIN_PASSWORD } from '../support/server.ts';

describe('web UI session', () => {
  let s: Started;
  before(async () => {
    s = await start(await centralBackend());
  });
  after(() => s.dispose());

  const login = async (password = ADMIN_PASSWORD) =>
    s.server.request('/api/metasync/session', {
      auth: null,
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-requested-with': 'XMLHttpRequest' },
      body: JSON.stringify({ username: 'admin', password }),
    });

  it('refuses a wrong password without a Basic challenge for the UI', async () => {
    const res = await login('wrong');
    assert.equal(res.status, 401);
    assert.equal(res.headers.get('www-authenticate'), null);
    assert.equal(res.headers.get('set-cookie'), null);
  });

  it('logs in, authenticates by cookie, requires the CSRF token to change state, logs out', async () => {
    const res = await login();
    assert.equal(res.status, 200);
    const cookieHeader = res.headers.get('set-cookie') ?? '';
    assert.match(cookieHeader, /HttpOnly/);
    assert.match(cookieHeader, /SameSite=Strict/);
    const cookie = cookieHeader.split(';')[0]!;
    const { csrfToken, authorities } = (await res.json()) as {
      csrfToken: string;
      authorities: string[];
    };
    assert.ok(csrfToken.length >= 32);
    assert.ok(authorities.includes('ALL'));

    const me = await s.server.request('/api/me', { auth: null, headers: { cookie } });
    assert.equal(me.status, 200);

    const post = (headers: Record<string, string>) =>
      s.server.request('/api/systemSettings/applicationTitle', {
        auth: null,
        method: 'POST',
        headers: { cookie, 'content-type': 'text/plain', ...headers },
        body: 'Session test',
      });
    assert.equal((await post({})).status, 403);
    assert.equal((await post({ 'x-csrf-token': 'wrong' })).status, 403);
    assert.equal((await post({ 'x-csrf-token': csrfToken })).status, 200);

    const current = await s.server.request('/api/metasync/session', {
      auth: null,
      headers: { cookie },
    });
    assert.equal(((await current.json()) as { csrfToken: string }).csrfToken, csrfToken);

    const out = await s.server.request('/api/metasync/session', {
      auth: null,
      method: 'DELETE',
      headers: { cookie, 'x-csrf-token': csrfToken },
    });
    assert.equal(out.status, 200);
    assert.match(out.headers.get('set-cookie') ?? '', /Max-Age=0/);
    const after = await s.server.request('/api/me', { auth: null, headers: { cookie } });
    assert.equal(after.status, 401);
  });

  it('serves the UI for / and unknown pages, but not for unknown /api paths', async () => {
    const root = await s.server.request('/', { auth: null });
    assert.equal(root.status, 200);
    assert.match(root.headers.get('content-type') ?? '', /text\/html/);
    assert.match(await root.text(), /metasync/);
    const deep = await s.server.request('/settings/sync', { auth: null });
    assert.equal(deep.status, 200);
    const api = await s.server.request('/api/nothing-here');
    assert.equal(api.status, 404);
    assert.match(api.headers.get('content-type') ?? '', /json/);
  });
});
