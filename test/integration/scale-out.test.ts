/**
 * Scale-out (issue 10 §3): two `metasync serve` processes on one PostgreSQL database behind the
 * committed deploy/nginx.conf (a private nginx, started and killed by this file), serving one
 * central; and two local processes on another database, syncing from it through nginx.
 * Version creation, scheduled ticks and sync runs happen exactly once; snapshots are cached by
 * nginx and never served to a client metasync would refuse; the UI session needs stickiness.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import type { OpenDatabase } from '../../src/store/db.ts';
import {
  CHILD_ADMIN_PASSWORD,
  killAllChildren,
  startChild,
  type ChildServer,
} from '../support/child-server.ts';
import { createTestDatabase, postgresAvailable, type TestDatabase } from '../support/databases.ts';
import { killAllNginx, nginxBinary, startNginx, type Nginx } from '../support/nginx.ts';
import {
  client,
  expectStatus,
  servedBy,
  sum,
  type Client,
  type Json,
} from '../support/scale-out.ts';
import { twoLocalsSyncOnce } from '../support/scale-out-locals.ts';
import { assertEveryChangeOnce, versionStorm } from '../support/version-storm.ts';
import { eventually } from '../support/eventually.ts';
import { type VersionJson } from '../support/versions.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const ADMIN: [string, string] = ['admin', CHILD_ADMIN_PASSWORD];
const PROCESSES = 2;
const nginx = nginxBinary();
const skip =
  (!(await postgresAvailable()) && 'PostgreSQL is not reachable') ||
  (!nginx && 'nginx is not installed (apt-get install nginx)');

const dbUrl = (d: TestDatabase) => (d.location as { databaseUrl: string }).databaseUrl;
const byNumber = (a: string, b: string) => Number(a.split('_')[1]) - Number(b.split('_')[1]);

describe('scale-out: metasync processes on one PostgreSQL database behind nginx', { skip }, () => {
  let centralDb: TestDatabase;
  let central: OpenDatabase;
  let centrals: ChildServer[] = [];
  let proxy: Nginx;
  let api: Client;
  const t0 = performance.now();

  before(async () => {
    centralDb = await createTestDatabase('postgres');
    // Started together on a fresh database: migrations, defaults and the superuser race.
    centrals = await Promise.all(
      Array.from({ length: PROCESSES }, () => startChild(['--database-url', dbUrl(centralDb)])),
    );
    proxy = await startNginx(
      nginx!,
      centrals.map((c) => new URL(c.url).host),
    );
    api = client(proxy.url, ADMIN);
    central = await centralDb.open();
  });
  after(async () => {
    await proxy?.stop();
    await Promise.all(centrals.map((c) => c.stop()));
    killAllChildren();
    killAllNginx();
    await central?.close();
    await centralDb?.dispose();
    console.log(`# scale-out wall time ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  });

  it('processes started together share one instance; nginx spreads requests round-robin', async () => {
    const admins = await sql<{ n: string }>`select count(*) as n from app_user`.execute(central.db);
    assert.equal(Number(admins.rows[0]!.n), 1, 'one superuser');
    const infos = await Promise.all(
      centrals.map(async (c) => (await (await c.request('/api/system/info')).json()) as Json),
    );
    assert.equal(new Set(infos.map((i) => i.systemId)).size, 1);
    for (let i = 0; i < 6; i++) expectStatus(await api('/api/system/ping'), 200);
    const served = await servedBy(centrals, 'GET', '/api/system/ping');
    assert.deepEqual(served, [3, 3], 'round-robin');
  });

  it('concurrent creates through nginx interleaved with imports: each change in one version', async (t) => {
    expectStatus(
      await api('/api/systemSettings/keyVersionEnabled?value=true', { method: 'POST' }),
      200,
    );
    // Settings are read from the database on use: every process sees the switch.
    for (const c of centrals)
      await eventually(async () =>
        assert.equal((await c.request('/api/metadata/versions')).status, 200),
      );

    const burst = await Promise.all(
      Array.from({ length: 24 }, () =>
        api<VersionJson>('/api/metadata/version/create?type=ATOMIC&force=true', { method: 'POST' }),
      ),
    );
    for (const r of burst) expectStatus(r, 200);
    const names = burst.map((r) => r.body.name).sort(byNumber);
    assert.deepEqual(
      names,
      names.map((_, i) => `Version_${i + 1}`),
    );
    assert.equal(new Set(burst.map((r) => r.body.id)).size, burst.length);

    const storm = await versionStorm(api, { writers: 4, creators: 4, ms: 3000 });
    const figures = await assertEveryChangeOnce(api, central.db, storm);
    const creates = await servedBy(centrals, 'POST', /^\/api\/metadata\/version\/create/);
    assert.ok(
      creates.every((n) => n > 0),
      `every process created versions: ${creates}`,
    );
    assert.ok(figures.created >= 3 && figures.writes >= 20, JSON.stringify(figures));
    t.diagnostic(
      `24 forced creates in one burst; then ${figures.writes} imports, ${figures.created} versions ` +
        `created, ${figures.refused} refused (409, nothing changed); create requests per process ${creates.join('/')}`,
    );
  });

  it('nginx caches data.gz, and serves it only to clients metasync authorizes', async (t) => {
    const [latest] = await central.db
      .selectFrom('metadata_version')
      .select(['name', 'hash_code'])
      .orderBy('number', 'desc')
      .limit(1)
      .execute();
    const file = `/api/metadata/version/${latest!.name}/data.gz`;
    const first = await api(file);
    expectStatus(first, 200);
    assert.equal(first.headers.get('x-cache-status'), 'MISS');
    assert.equal(first.headers.get('etag'), `"${latest!.hash_code}.gz"`);
    assert.match(first.headers.get('cache-control') ?? '', /immutable/);
    // nginx caches it though metasync says `private`, and passes that on to the client.
    assert.match(first.headers.get('cache-control') ?? '', /^private\b/);
    const md5 = createHash('md5').update(gunzipSync(first.bytes)).digest('hex');
    assert.equal(md5, latest!.hash_code);
    const second = await api(file);
    assert.equal(second.headers.get('x-cache-status'), 'HIT');
    assert.match(second.headers.get('cache-control') ?? '', /^private\b/);
    assert.deepEqual(second.bytes, first.bytes);

    // After a HIT: no credentials, a wrong password, a user without F_METADATA_MANAGE.
    await promisify(execFile)(
      process.execPath,
      [
        'bin/metasync.js',
        'user',
        'create',
        '--username',
        'viewer',
        '--authorities',
        'F_METADATA_EXPORT',
        '--database-url',
        dbUrl(centralDb),
      ],
      { cwd: ROOT, env: { ...process.env, METASYNC_USER_PASSWORD: 'Viewer-Pass-1!' } },
    );
    const denied = [
      [null, 401],
      [['admin', 'Wrong-Pass-1!'], 401],
      [['viewer', 'Viewer-Pass-1!'], 403],
    ] as const;
    for (const [auth, status] of denied) {
      const r = await api(file, { auth: auth as [string, string] | null });
      assert.equal(r.status, status, `${auth?.[0] ?? 'anonymous'}`);
      assert.ok(r.bytes.indexOf(first.bytes.subarray(0, 64)) < 0, 'no snapshot bytes');
      if (status === 401) assert.match(r.headers.get('www-authenticate') ?? '', /^Basic/);
    }
    const conditional = await api(file, {
      headers: { 'if-none-match': `"${latest!.hash_code}.gz"` },
    });
    assert.equal(conditional.status, 304);
    assert.equal((await api(file)).headers.get('x-cache-status'), 'HIT');
    const unknown = await api('/api/metadata/version/Version_999999/data.gz');
    assert.equal(unknown.status, 404);
    assert.match(String(unknown.body.message), /Version_999999/);

    // Many locals at once on a version nobody fetched yet: one download from metasync.
    const other = `/api/metadata/version/Version_2/data.gz`;
    const rush = await Promise.all(Array.from({ length: 12 }, () => api(other)));
    for (const r of rush) expectStatus(r, 200);
    assert.equal(new Set(rush.map((r) => r.bytes.toString('base64'))).size, 1);

    const gets = await servedBy(centrals, 'GET', file);
    const heads = await servedBy(centrals, 'HEAD', file);
    const rushGets = await servedBy(centrals, 'GET', other);
    assert.equal(sum(gets), 1, `upstream GETs of ${file}: ${gets}`);
    assert.equal(sum(rushGets), 1, `upstream GETs of ${other}: ${rushGets}`);
    const hits = rush.filter((r) => r.headers.get('x-cache-status') === 'HIT').length;
    t.diagnostic(
      `${file}: 7 requests (3 refused), 1 upstream GET, ${sum(heads)} authorization HEADs; ` +
        `12 concurrent on ${other}: 1 upstream GET, ${hits} served as HIT`,
    );
  });
  it('ranges through nginx: 206 on a MISS and on a HIT, If-Range by the strong ETag, 416 past the end, authorized first (issue 19 §1)', async (t) => {
    const [v] = await central.db
      .selectFrom('metadata_version')
      .select(['name', 'hash_code', 'gzip_bytes'])
      .where('name', '=', 'Version_3')
      .execute();
    const file = `/api/metadata/version/${v!.name}/data.gz`;
    const etag = `"${v!.hash_code}.gz"`;
    const size = Number(v!.gzip_bytes);
    const at = Math.floor(size / 3);
    const expectRange = (r: Awaited<ReturnType<Client>>, start: number, end: number) => {
      assert.equal(r.status, 206, r.bytes.toString('utf8', 0, 300));
      assert.equal(r.headers.get('content-range'), `bytes ${start}-${end}/${size}`);
      assert.equal(r.bytes.length, end - start + 1);
    };
    // Nobody fetched it yet: nginx asks metasync for the whole file, caches it, and cuts the range.
    const miss = await api(file, { headers: { range: `bytes=${at}-` } });
    expectRange(miss, at, size - 1);
    assert.equal(miss.headers.get('x-cache-status'), 'MISS');
    const whole = await api(file);
    expectStatus(whole, 200);
    assert.equal(whole.headers.get('x-cache-status'), 'HIT');
    assert.equal(whole.bytes.length, size);
    assert.equal(createHash('md5').update(gunzipSync(whole.bytes)).digest('hex'), v!.hash_code);
    assert.ok(
      miss.bytes.equals(whole.bytes.subarray(at)),
      'the MISS range is the tail of the file',
    );
    for (const [range, start, end] of [
      ['bytes=0-9', 0, 9],
      [`bytes=${at}-${at + 9}`, at, at + 9],
      ['bytes=-16', size - 16, size - 1],
    ] as const) {
      const hit = await api(file, { headers: { range, 'if-range': etag } });
      expectRange(hit, start, end);
      assert.equal(hit.headers.get('x-cache-status'), 'HIT');
      assert.ok(hit.bytes.equals(whole.bytes.subarray(start, end + 1)), range);
    }
    // Another tag, or a weak one: the file has changed for the client, so the whole 200.
    for (const ifRange of [`"${'0'.repeat(32)}.gz"`, `W/${etag}`]) {
      const changed = await api(file, { headers: { range: 'bytes=10-', 'if-range': ifRange } });
      assert.equal(changed.status, 200, ifRange);
      assert.ok(changed.bytes.equals(whole.bytes), ifRange);
    }
    const past = await api(file, { headers: { range: `bytes=${size}-` } });
    assert.equal(past.status, 416);
    assert.equal(past.headers.get('content-range'), `bytes */${size}`);
    // A range is no way around the authorization check.
    const anonymous = await api(file, { auth: null, headers: { range: 'bytes=0-' } });
    assert.equal(anonymous.status, 401);
    assert.ok(anonymous.bytes.indexOf(whole.bytes.subarray(0, 64)) < 0, 'no snapshot bytes');
    const gets = await servedBy(centrals, 'GET', file);
    assert.equal(sum(gets), 1, `upstream GETs of ${file}: ${gets}`);
    t.diagnostic(
      `${file} (${size} bytes): 1 upstream GET for a MISS range, a whole file and 6 more ranges`,
    );
  });

  it('two local processes on one database: each tick runs once, one sync at a time, each version imported once', (t) =>
    twoLocalsSyncOnce(t, { url: proxy.url, api, admin: ADMIN, central, centrals }));

  it('a UI session sticks to the process that created it (it lives in that process only)', async () => {
    const login = await fetch(`${proxy.url}/api/metasync/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: ADMIN[0], password: ADMIN[1] }),
    });
    assert.equal(login.status, 200, await login.text());
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
    assert.match(cookie, /^metasync_session=./);
    for (let i = 0; i < 6; i++) {
      for (const path of ['/api/metasync/session', '/api/me']) {
        const r = await api(path, { auth: null, headers: { cookie } });
        assert.equal(r.status, 200, `${path} #${i}`);
      }
    }
    // Round-robin would lose it: only one process knows the session.
    const direct = await Promise.all(
      centrals.map(async (c) => (await fetch(`${c.url}/api/me`, { headers: { cookie } })).status),
    );
    assert.deepEqual(direct.sort(), [200, 401]);
  });

  it('a process killed with -9: nginx sends everything to the others, nothing fails', async () => {
    await centrals[1]!.kill();
    for (let i = 0; i < 6; i++) expectStatus(await api('/api/system/ping'), 200);
    const made = await api<VersionJson>('/api/metadata/version/create?type=ATOMIC&force=true', {
      method: 'POST',
    });
    expectStatus(made, 200);
    const gz = await api(`/api/metadata/version/${made.body.name}/data.gz`);
    expectStatus(gz, 200);
    assert.equal(
      (await api(`/api/metadata/version/${made.body.name}/data.gz`)).headers.get('x-cache-status'),
      'HIT',
    );
    expectStatus(await api('/api/health', { auth: null }), 200);
  });
});
