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
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
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
import { assertEveryChangeOnce, versionStorm } from '../support/version-storm.ts';
import { eventually } from '../support/eventually.ts';
import type { SyncReportJson } from '../support/sync.ts';
import { dataElement, uid, type VersionJson } from '../support/versions.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const ADMIN: [string, string] = ['admin', CHILD_ADMIN_PASSWORD];
const PROCESSES = 2;
/** Locals: the scheduler re-reads the job table often, a failed run is not retried. */
const LOCAL_CONF = [
  'scheduler.reconcile.interval.ms = 300',
  'scheduler.shutdown.grace.ms = 2000',
  'metadata.sync.retry = 1',
  'metadata.sync.retry.time.frequency.millisec = 10',
].join('\n');
const nginx = nginxBinary();
const skip =
  (!(await postgresAvailable()) && 'PostgreSQL is not reachable') ||
  (!nginx && 'nginx is not installed (apt-get install nginx)');

const dbUrl = (d: TestDatabase) => (d.location as { databaseUrl: string }).databaseUrl;
const byNumber = (a: string, b: string) => Number(a.split('_')[1]) - Number(b.split('_')[1]);

/** The last sync reports and job executions of a local, for a failure's diagnostics. */
const recent = async (db: OpenDatabase['db']) => ({
  reports: (
    await db
      .selectFrom('sync_report')
      .select('body')
      .orderBy('start_time', 'desc')
      .limit(5)
      .execute()
  ).map((r) => {
    const b = r.body as unknown as SyncReportJson;
    return { ...b, versions: b.versions.length };
  }),
  executions: await db
    .selectFrom('job_execution')
    .selectAll()
    .orderBy('id', 'desc')
    .limit(10)
    .execute(),
  lease: (await sql`select * from sync_lease`.execute(db)).rows,
});

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
    const md5 = createHash('md5').update(gunzipSync(first.bytes)).digest('hex');
    assert.equal(md5, latest!.hash_code);
    const second = await api(file);
    assert.equal(second.headers.get('x-cache-status'), 'HIT');
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
  it('two local processes on one database: each tick runs once, one sync at a time, each version imported once', async (t) => {
    const localDb = await createTestDatabase('postgres');
    const dir = await mkdtemp(path.join(os.tmpdir(), 'metasync-locals-'));
    const conf = path.join(dir, 'local.conf');
    await writeFile(conf, LOCAL_CONF);
    const locals = await Promise.all(
      [0, 1].map(() => startChild(['--database-url', dbUrl(localDb), '--config', conf])),
    );
    const local = await localDb.open();
    try {
      const [a, b] = locals.map((l) => client(l.url, ADMIN)) as [Client, Client];
      const remote = {
        keyRemoteInstanceUrl: proxy.url,
        keyRemoteInstanceUsername: ADMIN[0],
        keyRemoteInstancePassword: ADMIN[1],
      };
      expectStatus(await a('/api/systemSettings', { method: 'POST', json: remote }), 200);
      const job = {
        name: 'Every second',
        jobType: 'META_DATA_SYNC',
        cronExpression: '* * * * * *',
      };
      const made = await b<{ response: { uid: string } }>('/api/jobConfigurations', {
        method: 'POST',
        json: job,
      });
      expectStatus(made, 201);
      const jobId = made.body.response.uid;

      // The central keeps making versions (through nginx) and both locals' schedulers tick every
      // second. The first scheduled run imports the storm's versions and takes seconds, so the
      // other process claims the ticks meanwhile (and finds the lease held). Once it is done,
      // both locals are also asked for manual runs back to back for 3 s.
      let stop = false;
      const manual = { ran: 0, refused: 0 };
      const failures: string[] = [];
      const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
      const feeder = async () => {
        while (!stop) {
          const de = dataElement(uid(), `Fed ${uid()}`);
          const imported = await api('/api/metadata', {
            method: 'POST',
            json: { dataElements: [de] },
          });
          const made = await api('/api/metadata/version/create?type=BEST_EFFORT', {
            method: 'POST',
          });
          if (imported.status !== 200 || made.status !== 200)
            failures.push(`feeder ${imported.status} ${made.status}`);
          await sleep(300);
        }
      };
      const runner = async (run: Client) => {
        while (!stop) {
          const r = await run<SyncReportJson>('/api/metadata/sync/run?wait=true', {
            method: 'POST',
          });
          if (r.status === 200 && r.body.status === 'SUCCESS') manual.ran++;
          else if (r.status === 409) {
            manual.refused++;
            await sleep(50);
          } else failures.push(`${r.status} ${r.bytes.toString('utf8', 0, 500)}`);
        }
      };
      const executions = () =>
        local.db
          .selectFrom('job_execution')
          .select(['scheduled_for', 'holder', 'status', 'report_id'])
          .where('job_id', '=', jobId)
          .where('trigger', '=', 'CRON')
          .execute();
      const feeding = feeder();
      const running: Promise<void>[] = [];
      try {
        const first = await eventually(
          async () => {
            const done = (await executions()).find((e) => e.status !== 'RUNNING' && e.report_id);
            assert.ok(done, 'no scheduled run has finished yet');
            return done;
          },
          120_000,
          200,
        );
        assert.equal(first.status, 'COMPLETED', JSON.stringify(first));
        running.push(runner(a), runner(b));
        await sleep(3000);
        // Every process's timer fires: each has claimed ticks (a coin toss per tick from here).
        const pids = locals.map((l) => l.pid).sort();
        const holdersOf = (rows: { holder: string }[]) =>
          [...new Set(rows.map((e) => Number(e.holder.split(':').pop())))].sort();
        await eventually(async () => assert.deepEqual(holdersOf(await executions()), pids), 30_000);
      } finally {
        stop = true;
        await Promise.all([feeding, ...running]);
      }
      assert.deepEqual(failures, []);
      assert.ok(manual.ran >= 1, 'a manual run got the lease');
      const off = await a(`/api/jobConfigurations/${jobId}`, {
        method: 'PUT',
        json: { ...job, enabled: false },
      });
      expectStatus(off, 200);
      const idle = async () => {
        const running = await local.db
          .selectFrom('job_execution')
          .select('id')
          .where('status', '=', 'RUNNING')
          .execute();
        assert.deepEqual(running, []);
        const lease = await sql<{
          report_id: string | null;
        }>`select report_id from sync_lease`.execute(local.db);
        assert.equal(lease.rows[0]!.report_id, null);
      };
      await eventually(idle, 20_000, 100);
      await new Promise((r) => setTimeout(r, 1000)); // a tick fired before the PUT applied
      await eventually(idle, 20_000, 100);
      const last = await a<SyncReportJson>('/api/metadata/sync/run?wait=true', { method: 'POST' });
      assert.equal(last.body.status, 'SUCCESS', JSON.stringify(last.body.error));

      // The local holds exactly the central's versions, and its objects.
      const versionsOf = (db: OpenDatabase) =>
        db.db
          .selectFrom('metadata_version')
          .select(['name', 'id', 'hash_code'])
          .orderBy('number')
          .execute();
      const centralVersions = await versionsOf(central);
      assert.deepEqual(await versionsOf(local), centralVersions);
      const des = async (call: Client) =>
        (
          await call<{ dataElements: Json[] }>('/api/dataElements?paging=false&fields=id,name')
        ).body.dataElements
          .map((d) => `${String(d.id)} ${String(d.name)}`)
          .sort();
      assert.deepEqual(await des(b), await des(api));

      // Every run succeeded, no two overlapped, and each version was imported by one run only.
      const reports = (
        await local.db.selectFrom('sync_report').select('body').orderBy('start_time').execute()
      ).map((r) => r.body as unknown as SyncReportJson);
      for (const r of reports) assert.equal(r.status, 'SUCCESS', JSON.stringify(r.error));
      for (let i = 1; i < reports.length; i++)
        assert.ok(
          reports[i]!.startTime >= reports[i - 1]!.endTime!,
          `two runs overlapped: ${JSON.stringify([reports[i - 1], reports[i]].map((r) => [r!.id, r!.trigger, r!.startTime, r!.endTime, r!.fromVersion, r!.toVersion]))}`,
        );
      const imported = reports.flatMap((r) =>
        r.versions
          .filter((v) => v.status === 'SUCCESS' || v.status === 'WARNING')
          .map((v) => v.name),
      );
      assert.deepEqual(
        imported.sort(byNumber),
        centralVersions.map((v) => v.name),
      );

      // Each tick ran once; every execution that ran a sync has its own SCHEDULED report.
      const rows = await executions();
      const ticks = rows.map((e) => new Date(e.scheduled_for!).getTime());
      assert.equal(new Set(ticks).size, ticks.length, 'a tick ran twice');
      const withReport = rows.flatMap((e) => (e.report_id ? [e.report_id] : []));
      assert.equal(new Set(withReport).size, withReport.length);
      const scheduled = reports.filter((r) => r.trigger === 'SCHEDULED').map((r) => r.id);
      assert.deepEqual([...withReport].sort(), [...scheduled].sort());
      for (const e of rows) assert.match(e.status, /^(COMPLETED|SKIPPED)$/, e.status);
      const completed = rows.filter((e) => e.status === 'COMPLETED').length;
      assert.ok(completed >= 1, 'a scheduled tick synced');
      t.diagnostic(
        `${centralVersions.length} central versions, each imported once; ${reports.length} runs ` +
          `(${scheduled.length} scheduled, ${manual.ran} manual, ${manual.refused} manual refused 409); ` +
          `${ticks.length} ticks: ${completed} synced, ${ticks.length - completed} skipped (lease held)`,
      );
    } catch (e) {
      // What the processes said, for a failure under CI.
      t.diagnostic(JSON.stringify(await recent(local.db), null, 1));
      for (const c of [...locals, ...centrals])
        for (const l of c.logs.filter((x) => Number(x.level) >= 40).slice(-20))
          t.diagnostic(`${c.pid}: ${JSON.stringify(l).slice(0, 800)}`);
      throw e;
    } finally {
      await Promise.all(locals.map((l) => l.stop()));
      await local.close();
      await localDb.dispose();
      await rm(dir, { recursive: true, force: true });
    }
  });
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
