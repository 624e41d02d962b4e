/**
 * The local half of the scale-out test (issue 10 §3): two `metasync serve` processes on one
 * PostgreSQL database, syncing through nginx from a central of several processes, with a
 * per-second scheduled job and manual runs contending for the one sync lease. Every tick runs
 * once, no two runs overlap, and every central version is imported by exactly one run.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { sql } from 'kysely';
import type { OpenDatabase } from '../../src/store/db.ts';
import { startChild, type ChildServer } from './child-server.ts';
import { createTestDatabase } from './databases.ts';
import { eventually } from './eventually.ts';
import { client, expectStatus, type Client, type Json } from './scale-out.ts';
import type { SyncReportJson } from './sync.ts';
import { dataElement, uid } from './versions.ts';

/** Locals: the scheduler re-reads the job table often, a failed run is not retried. */
const LOCAL_CONF = [
  'scheduler.reconcile.interval.ms = 300',
  'scheduler.shutdown.grace.ms = 2000',
  'metadata.sync.retry = 1',
  'metadata.sync.retry.time.frequency.millisec = 10',
].join('\n');

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

export interface CentralBehindNginx {
  /** nginx's URL, which the locals use as their remote. */
  url: string;
  /** Calls through nginx as the central's admin. */
  api: Client;
  admin: [string, string];
  central: OpenDatabase;
  centrals: ChildServer[];
}

const dbUrl = (location: unknown) => (location as { databaseUrl: string }).databaseUrl;
const byNumber = (a: string, b: string) => Number(a.split('_')[1]) - Number(b.split('_')[1]);

export async function twoLocalsSyncOnce(t: TestContext, c: CentralBehindNginx): Promise<void> {
  const { api, central, centrals, admin } = c;
  const localDb = await createTestDatabase('postgres');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'metasync-locals-'));
  const conf = path.join(dir, 'local.conf');
  await writeFile(conf, LOCAL_CONF);
  const locals = await Promise.all(
    [0, 1].map(() => startChild(['--database-url', dbUrl(localDb.location), '--config', conf])),
  );
  const local = await localDb.open();
  try {
    const [a, b] = locals.map((l) => client(l.url, admin)) as [Client, Client];
    const remote = {
      keyRemoteInstanceUrl: c.url,
      keyRemoteInstanceUsername: admin[0],
      keyRemoteInstancePassword: admin[1],
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
      // A barrier, not a race: whether a manual run slips in between two per-second ticks is
      // luck (a busy machine lets the scheduled runs keep the lease the whole 3 s, and a fresh
      // clone failed "a manual run got the lease"). With the job off, the manual runners still
      // going must get it once the scheduled runs already started are done.
      const off = await a(`/api/jobConfigurations/${jobId}`, {
        method: 'PUT',
        json: { ...job, enabled: false },
      });
      expectStatus(off, 200);
      await eventually(
        async () => assert.ok(manual.ran >= 1, 'no manual run has got the lease yet'),
        60_000,
        100,
      );
    } finally {
      stop = true;
      await Promise.all([feeding, ...running]);
    }
    assert.deepEqual(failures, []);
    assert.ok(manual.ran >= 1, 'a manual run got the lease');
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
      r.versions.filter((v) => v.status === 'SUCCESS' || v.status === 'WARNING').map((v) => v.name),
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
}
