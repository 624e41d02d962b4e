/**
 * The failed-login lock over real HTTP (issue 16 §6), on both backends: off unless the system
 * setting `keyLockMultipleFailedLogins` is on (as DHIS2); when on, counted per username and
 * client address, so a local retrying a wrong password locks only itself. Clients are told apart
 * by their loopback source address (127.0.0.2, 127.0.0.3: all of 127/8 reaches the server), and
 * the central runs on a clock the test moves. Behind the shipped nginx config, the address is
 * the one nginx saw (server.trusted.proxies).
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { DEFAULT_THROTTLE } from '../../src/domain/auth/login-throttle.ts';
import type { Clock } from '../../src/domain/ports.ts';
import { backends, createTestDatabase, type TestDatabase } from '../support/databases.ts';
import { killAllNginx, nginxBinary, startNginx, type Nginx } from '../support/nginx.ts';
import { ADMIN_PASSWORD, basic, startServer, type TestServer } from '../support/server.ts';
import { centralBackend } from '../support/sync.ts';
import { setSetting } from '../support/versions.ts';

type Json = Record<string, unknown>;

const A = '127.0.0.2';
const B = '127.0.0.3';
const WRONG = 'District-1!';

/**
 * A clock that starts at the real time and then stands still, moving only when told: the lock's
 * edges (1 s before and at its end) are then exact, however slowly a loaded machine answers.
 */
function movableClock(): Clock & { advance(ms: number): void } {
  const start = Date.now();
  let offset = 0;
  return { now: () => new Date(start + offset), advance: (ms) => (offset += ms) };
}

/** One request sent from the loopback address `source` (node:http, as fetch cannot bind one). */
function send(
  source: string,
  base: string,
  path: string,
  init: { method?: string; auth?: [string, string]; headers?: Record<string, string> } & {
    json?: Json;
  } = {},
): Promise<{ status: number; body: Json }> {
  const url = new URL(path, base);
  const body = init.json ? JSON.stringify(init.json) : undefined;
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname + url.search,
        method: init.method ?? 'GET',
        localAddress: source,
        agent: false,
        headers: {
          ...(init.auth ? { authorization: basic(...init.auth) } : {}),
          ...(body ? { 'content-type': 'application/json' } : {}),
          ...init.headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: Json = {};
          try {
            parsed = JSON.parse(text) as Json;
          } catch {
            parsed = { text };
          }
          resolve({ status: res.statusCode ?? 0, body: parsed });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const ping = (source: string, base: string, password: string, username = 'admin') =>
  send(source, base, '/api/system/ping', { auth: [username, password] });
const uiLogin = (source: string, base: string, password: string, username = 'admin') =>
  send(source, base, '/api/metasync/session', {
    method: 'POST',
    headers: { 'x-requested-with': 'XMLHttpRequest' },
    json: { username, password },
  });
const isLocked = (r: { status: number; body: Json }) =>
  r.status === 401 && /locked/.test(String(r.body.message));

/**
 * A DHIS2 local whose keyRemoteInstancePassword is wrong, as its sync job meets the central
 * (notes/dhis2-local-client.md): 3 availability pings 500 ms apart per attempt, 3 attempts with a
 * doubling back-off from 30 s. Answers the statuses it got.
 */
async function dhis2LocalWithWrongPassword(
  clock: ReturnType<typeof movableClock>,
  source: string,
  base: string,
) {
  const statuses: string[] = [];
  for (let attempt = 0; attempt < 3; attempt++) {
    for (let p = 0; p < 3; p++) {
      const r = await ping(source, base, WRONG);
      statuses.push(isLocked(r) ? 'locked' : String(r.status));
      clock.advance(500);
    }
    clock.advance(30_000 * 2 ** attempt);
  }
  return statuses;
}

for (const backend of await backends()) {
  describe(`failed-login lock per client on ${backend}`, () => {
    let database: TestDatabase;
    let server: TestServer;
    const clock = movableClock();
    const lock = (on: boolean) => setSetting(server, 'keyLockMultipleFailedLogins', on);
    const failureRows = async () =>
      Number(
        (
          await sql<{ n: number }>`select count(*)::int as n from login_failure`.execute(
            server.instance.database.db,
          )
        ).rows[0]!.n,
      );

    before(async () => {
      database = await createTestDatabase(backend);
      server = await startServer(database, {}, { clock });
    });
    after(async () => {
      await server?.stop();
      await database?.dispose();
    });

    it('is off by default: no number of wrong passwords locks the account, none is recorded', async () => {
      for (let i = 0; i < 12; i++)
        assert.equal((await ping(A, server.url, `${WRONG}${i}`)).status, 401);
      for (let i = 0; i < 3; i++) assert.equal((await uiLogin(A, server.url, WRONG)).status, 401);
      assert.equal((await ping(A, server.url, ADMIN_PASSWORD)).status, 200);
      assert.equal((await uiLogin(A, server.url, ADMIN_PASSWORD)).status, 200);
      assert.equal(await failureRows(), 0);
      const settings = (await (await server.request('/api/systemSettings')).json()) as Json;
      assert.equal(settings.keyLockMultipleFailedLogins, false);
    });

    it('when on, failures from A lock A only: B logs in with the right password; A unlocks after the lock time', async () => {
      await lock(true);
      try {
        // Basic and the UI login count together: 4 failures (DHIS2's LOGIN_MAX_FAILED_ATTEMPTS).
        for (let i = 0; i < 2; i++) assert.equal((await ping(A, server.url, WRONG)).status, 401);
        for (let i = 0; i < 2; i++) assert.equal((await uiLogin(A, server.url, WRONG)).status, 401);
        assert.ok(isLocked(await ping(A, server.url, ADMIN_PASSWORD)), 'A is locked (Basic)');
        assert.ok(isLocked(await uiLogin(A, server.url, ADMIN_PASSWORD)), 'A is locked (UI login)');
        // Naming another address in X-Forwarded-For changes nothing: no proxy is trusted here.
        const spoofed = await send(A, server.url, '/api/system/ping', {
          auth: ['admin', ADMIN_PASSWORD],
          headers: { 'x-forwarded-for': B },
        });
        assert.ok(isLocked(spoofed), 'an X-Forwarded-For from A is still A');

        assert.equal((await ping(B, server.url, ADMIN_PASSWORD)).status, 200);
        assert.equal((await uiLogin(B, server.url, ADMIN_PASSWORD)).status, 200);
        const lockLine = server.logs.lines.find(
          (l) => l.msg === 'user account locked after repeated failed logins',
        );
        assert.equal(lockLine?.username, 'admin');
        assert.equal(lockLine?.client, A);

        clock.advance(DEFAULT_THROTTLE.lockMs - 1000);
        assert.ok(
          isLocked(await ping(A, server.url, ADMIN_PASSWORD)),
          'still locked 1 s before the lock ends',
        );
        clock.advance(1000);
        assert.equal((await ping(A, server.url, ADMIN_PASSWORD)).status, 200);
      } finally {
        await lock(false);
      }
    });

    it('a DHIS2 local retrying a wrong password (3 pings × 3 attempts) leaves the account usable', async () => {
      // Default (off): the right password works at once from the local's address.
      assert.deepEqual(
        await dhis2LocalWithWrongPassword(clock, A, server.url),
        Array(9).fill('401'),
      );
      assert.equal((await ping(A, server.url, ADMIN_PASSWORD)).status, 200);

      await lock(true);
      try {
        const statuses = await dhis2LocalWithWrongPassword(clock, A, server.url);
        assert.deepEqual(statuses, [...Array(4).fill('401'), ...Array(5).fill('locked')]);
        // The administrator at another address is not locked out by the local.
        assert.equal((await uiLogin(B, server.url, ADMIN_PASSWORD)).status, 200);
        // The password fixed on the local: usable once the lock time has passed.
        assert.ok(
          isLocked(await ping(A, server.url, ADMIN_PASSWORD)),
          "the local's address is locked",
        );
        clock.advance(DEFAULT_THROTTLE.lockMs);
        assert.equal((await ping(A, server.url, ADMIN_PASSWORD)).status, 200);
      } finally {
        await lock(false);
      }
    });
  });
}

const nginx = nginxBinary();
describe(
  'failed-login lock per client behind the shipped nginx config',
  { skip: !nginx && 'nginx is not installed' },
  () => {
    let database: TestDatabase;
    let server: TestServer;
    let proxy: Nginx;
    before(async () => {
      database = await createTestDatabase(await centralBackend());
      // nginx reaches metasync from 127.0.0.1: that one address is trusted, clients are not.
      server = await startServer(database, { trustedProxies: ['127.0.0.1'] });
      proxy = await startNginx(nginx!, [new URL(server.url).host]);
      await setSetting(server, 'keyLockMultipleFailedLogins', true);
    });
    after(async () => {
      await proxy?.stop();
      killAllNginx();
      await server?.stop();
      await database?.dispose();
    });

    it('locks the client nginx saw, not nginx itself, and ignores a forged X-Forwarded-For', async () => {
      for (let i = 0; i < 4; i++) assert.equal((await ping(A, proxy.url, WRONG)).status, 401);
      assert.ok(isLocked(await ping(A, proxy.url, ADMIN_PASSWORD)), 'A behind nginx is locked');
      // nginx appends the address it saw; metasync takes the last address it does not trust.
      const forged = await send(A, proxy.url, '/api/system/ping', {
        auth: ['admin', ADMIN_PASSWORD],
        headers: { 'x-forwarded-for': B },
      });
      assert.ok(isLocked(forged), 'a forged X-Forwarded-For does not escape the lock');
      assert.equal((await ping(B, proxy.url, ADMIN_PASSWORD)).status, 200);
      assert.equal((await uiLogin(B, proxy.url, ADMIN_PASSWORD)).status, 200);
      const lockLine = server.logs.lines.find(
        (l) => l.msg === 'user account locked after repeated failed logins',
      );
      assert.equal(lockLine?.client, A);
    });
  },
);
