/**
 * Job configurations and the scheduler (issue 8 §1–§2): CRUD in DHIS2's shape with validation and
 * authorities, a per-second job that really syncs from a central and records its executions, an
 * edit (through the API and straight in the table) applied without a restart, the catch-up of a
 * missed run at start, and a stop during a run recorded as INTERRUPTED. The PGlite round runs the
 * central on PostgreSQL when it is reachable, to keep PGlite instances few.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import type { Config } from '../../src/config.ts';
import { backends, createTestDatabase, type TestDatabase } from '../support/databases.ts';
import { eventually } from '../support/eventually.ts';
import { startServer, type TestServer } from '../support/server.ts';
import {
  centralBackend,
  connect,
  createVersion,
  importMetadata,
  newDataElement,
  start,
  type Started,
  type SyncReportJson,
} from '../support/sync.ts';
import { enableVersioning, fetchJson } from '../support/versions.ts';

type Json = Record<string, unknown>;
interface JobJson {
  id: string;
  name: string;
  jobType: string;
  cronExpression: string;
  enabled: boolean;
  jobStatus: string;
  schedulingType: string;
  jobParameters: { dataValuesPageSize: number };
  lastExecuted?: string;
  lastExecutedStatus?: string;
  lastRuntimeExecution?: string;
  nextExecutionTime?: string;
  created: string;
  userUid: string;
}
interface ExecutionJson {
  id: number;
  trigger: string;
  scheduledFor: string | null;
  status: string;
  syncReport: string | null;
  start: string;
  end: string | null;
  message: string | null;
}

const ISO_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}[+-]\d{2}:\d{2}$/;
const LOCAL: Partial<Config> = {
  syncRetry: 1,
  syncRetryFrequencyMs: 10,
  schedulerReconcileMs: 300,
  schedulerShutdownGraceMs: 300,
};

const send = (
  server: TestServer,
  path: string,
  method: string,
  body?: Json,
  auth?: [string, string],
) =>
  fetchJson<Json>(server, path, {
    method,
    ...(body
      ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }
      : {}),
    ...(auth ? { auth } : {}),
  });

async function createJob(server: TestServer, body: Json): Promise<string> {
  const r = await send(server, '/api/jobConfigurations', 'POST', body);
  assert.equal(r.status, 201, r.text);
  return String((r.body.response as Json).uid);
}

const executions = async (server: TestServer, id: string) => {
  const r = await fetchJson<{ executions: ExecutionJson[] }>(
    server,
    `/api/jobConfigurations/${id}/executions`,
  );
  assert.equal(r.status, 200, r.text);
  return r.body.executions;
};

const job = async (server: TestServer, id: string) => {
  const r = await fetchJson<JobJson>(server, `/api/jobConfigurations/${id}`);
  assert.equal(r.status, 200, r.text);
  return r.body;
};

/** Writes a job's next execution time while no server has the database open. */
async function setNextExecution(db: TestDatabase, id: string, at: Date): Promise<void> {
  const opened = await db.open();
  try {
    await sql`update job_configuration set next_execution_time = ${at} where id = ${id}`.execute(
      opened.db,
    );
  } finally {
    await opened.close();
  }
}

for (const backend of await backends()) {
  describe(`job configurations and the scheduler, local on ${backend}`, () => {
    let c: Started;
    let central: TestServer;
    let db: TestDatabase;
    let local: TestServer;
    before(async () => {
      c = await start(backend === 'pglite' ? await centralBackend() : backend);
      central = c.server;
      db = await createTestDatabase(backend);
      local = await startServer(db, LOCAL);
      await enableVersioning(central);
      await connect(local, central.url);
    });
    after(async () => {
      await local?.stop();
      await db?.dispose();
      await c?.dispose();
    });

    it('CRUD in DHIS2 shape, with validation and the F_SCHEDULING_ADMIN authority', async () => {
      const id = await createJob(local, {
        name: 'Nightly sync',
        jobType: 'META_DATA_SYNC',
        cronExpression: '0 0 3 ? * *',
        jobParameters: { dataValuesPageSize: 5000 },
      });
      assert.match(id, /^[a-zA-Z][a-zA-Z0-9]{10}$/);
      const j = await job(local, id);
      assert.equal(j.name, 'Nightly sync');
      assert.equal(j.jobType, 'META_DATA_SYNC');
      assert.equal(j.schedulingType, 'CRON');
      assert.equal(j.cronExpression, '0 0 3 ? * *');
      assert.deepEqual(j.jobParameters, { dataValuesPageSize: 5000 });
      assert.equal(j.enabled, true);
      assert.equal(j.jobStatus, 'SCHEDULED');
      assert.equal(j.userUid, 'M5zQapPyTZI');
      assert.match(j.created, ISO_OFFSET);
      assert.match(j.nextExecutionTime ?? '', ISO_OFFSET);
      const next = new Date(j.nextExecutionTime!);
      assert.equal(next.getHours(), 3);
      assert.ok(next.getTime() > Date.now());
      assert.equal(j.lastExecuted, undefined);

      const list = await fetchJson<{ jobConfigurations: JobJson[]; pager: Json }>(
        local,
        '/api/jobConfigurations',
      );
      assert.equal(list.status, 200);
      assert.deepEqual(
        list.body.jobConfigurations.map((x) => x.id),
        [id],
      );
      assert.equal(list.body.pager.total, 1);

      const put = await send(local, `/api/jobConfigurations/${id}`, 'PUT', {
        name: 'Weekly sync',
        jobType: 'META_DATA_SYNC',
        cronExpression: '0 30 4 ? * SUN',
        enabled: false,
      });
      assert.equal(put.status, 200, put.text);
      const edited = await job(local, id);
      assert.equal(edited.name, 'Weekly sync');
      assert.equal(edited.jobStatus, 'DISABLED');
      assert.equal(edited.nextExecutionTime, undefined);

      const bad = await send(local, '/api/jobConfigurations', 'POST', {
        name: 'Bad',
        jobType: 'META_DATA_SYNC',
        cronExpression: '0 0 25 ? * *',
      });
      assert.equal(bad.status, 400, bad.text);
      assert.equal(bad.body.errorCode, 'E7005');
      // DHIS2's E7005 with Spring's reason (issue 16 §10).
      assert.match(
        String(bad.body.message),
        /^Cron expression is invalid: `Invalid value for HourOfDay \(valid values 0 - 23\): 25 '25'/,
      );
      const five = await send(local, '/api/jobConfigurations', 'POST', {
        name: 'Five',
        jobType: 'META_DATA_SYNC',
        cronExpression: '0 3 * * *',
      });
      assert.equal(five.status, 400);
      assert.match(String(five.body.message), /6 fields/);
      const other = await send(local, '/api/jobConfigurations', 'POST', {
        name: 'Analytics',
        jobType: 'ANALYTICS_TABLE',
        cronExpression: '0 0 3 ? * *',
      });
      assert.equal(other.status, 400);
      assert.match(String(other.body.message), /ANALYTICS_TABLE is not supported.*META_DATA_SYNC/);
      const dup = await send(local, '/api/jobConfigurations', 'POST', {
        name: 'Weekly sync',
        jobType: 'META_DATA_SYNC',
        cronExpression: '0 0 3 ? * *',
      });
      assert.equal(dup.status, 409, dup.text);

      await local.instance.services.users.create({
        username: 'nosched',
        password: 'No-Sched-1!',
        authorities: ['F_METADATA_MANAGE'],
      });
      await local.instance.services.users.create({
        username: 'sched',
        password: 'Sched-Admin-1!',
        authorities: ['F_SCHEDULING_ADMIN'],
      });
      const denied = await send(local, '/api/jobConfigurations', 'GET', undefined, [
        'nosched',
        'No-Sched-1!',
      ]);
      assert.equal(denied.status, 403);
      assert.match(String(denied.body.message), /F_SCHEDULING_ADMIN/);
      const allowed = await send(local, `/api/jobConfigurations/${id}`, 'GET', undefined, [
        'sched',
        'Sched-Admin-1!',
      ]);
      assert.equal(allowed.status, 200);

      const del = await send(local, `/api/jobConfigurations/${id}`, 'DELETE');
      assert.equal(del.status, 200, del.text);
      assert.equal((await send(local, `/api/jobConfigurations/${id}`, 'GET')).status, 404);
      assert.equal((await send(local, `/api/jobConfigurations/${id}`, 'DELETE')).status, 404);
    });

    it("accepts the Spring forms DHIS2 administrators write, with Spring's next times", async () => {
      // Each next time is checked against what the expression means, in the server's zone.
      const next = async (cronExpression: string) => {
        const id = await createJob(local, {
          name: `Spring ${cronExpression}`,
          jobType: 'META_DATA_SYNC',
          cronExpression,
          enabled: true,
        });
        const j = await job(local, id);
        await send(local, `/api/jobConfigurations/${id}`, 'DELETE');
        assert.equal(j.cronExpression, cronExpression);
        return new Date(j.nextExecutionTime!);
      };
      const before = Date.now();
      const everyFive = await next('0/5 * * * * ?');
      assert.equal(everyFive.getSeconds() % 5, 0);
      assert.ok(everyFive.getTime() > before && everyFive.getTime() <= Date.now() + 5000);
      const lastDay = await next('0 0 0 L * ?');
      assert.equal(new Date(lastDay.getTime() + 86_400_000 + 3_600_000 * 3).getDate(), 1);
      assert.deepEqual([lastDay.getHours(), lastDay.getMinutes()], [0, 0]);
      const firstMonday = await next('0 0 3 ? * MON#1');
      assert.deepEqual([firstMonday.getDay(), firstMonday.getHours()], [1, 3]);
      assert.ok(firstMonday.getDate() <= 7);
      const daily = await next('@daily');
      assert.deepEqual([daily.getHours(), daily.getMinutes(), daily.getSeconds()], [0, 0, 0]);
      assert.ok(daily.getTime() - before <= 25 * 3_600_000);
    });

    it('a per-second job syncs from the central and records each execution', async () => {
      await importMetadata(central, { dataElements: [newDataElement('Sched')] });
      await createVersion(central);
      const id = await createJob(local, {
        name: 'Every second',
        jobType: 'META_DATA_SYNC',
        cronExpression: '* * * * * *',
      });
      const done = await eventually(
        async () => {
          const ex = (await executions(local, id)).filter((e) => e.status === 'COMPLETED');
          assert.ok(ex.length >= 2, JSON.stringify(ex));
          return ex;
        },
        15_000,
        100,
      );
      const first = done[done.length - 1]!;
      assert.equal(first.trigger, 'CRON');
      assert.match(first.scheduledFor ?? '', ISO_OFFSET);
      assert.ok(first.end && first.end >= first.start);
      const report = await fetchJson<SyncReportJson>(
        local,
        `/api/metadata/sync/reports/${first.syncReport}`,
      );
      assert.equal(report.body.trigger, 'SCHEDULED');
      assert.equal(report.body.status, 'SUCCESS');
      const names = (await executions(local, id)).flatMap((e) =>
        e.syncReport ? [e.syncReport] : [],
      );
      const reports = await Promise.all(
        names.map(
          async (r) =>
            (await fetchJson<SyncReportJson>(local, `/api/metadata/sync/reports/${r}`)).body,
        ),
      );
      assert.ok(
        reports.some((r) => r.versions.some((v) => v.name === 'Version_1')),
        'one scheduled run imported Version_1',
      );
      const j = await job(local, id);
      assert.equal(j.lastExecutedStatus, 'COMPLETED');
      assert.match(j.lastExecuted ?? '', ISO_OFFSET);
      assert.match(j.lastRuntimeExecution ?? '', /^\d{2}:\d{2}:\d{2}\.\d{3}$/);

      // An edit through the API applies at once: disabled, no new execution.
      const put = await send(local, `/api/jobConfigurations/${id}`, 'PUT', {
        name: 'Every second',
        jobType: 'META_DATA_SYNC',
        cronExpression: '* * * * * *',
        enabled: false,
      });
      assert.equal(put.status, 200);
      await new Promise((r) => setTimeout(r, 600)); // a run started just before may finish
      const count = (await executions(local, id)).length;
      await new Promise((r) => setTimeout(r, 2000));
      assert.equal((await executions(local, id)).length, count, 'a disabled job does not run');

      // An edit straight in the table (as another process would make) is picked up by the tick.
      await sql`update job_configuration set enabled = true where id = ${id}`.execute(
        local.instance.database.db,
      );
      await eventually(
        async () => assert.ok((await executions(local, id)).length > count, 'a new execution'),
        5000,
        100,
      );
      await sql`update job_configuration set enabled = false where id = ${id}`.execute(
        local.instance.database.db,
      );
      await new Promise((r) => setTimeout(r, 1500));
      const settled = (await executions(local, id)).length;
      await new Promise((r) => setTimeout(r, 1500));
      assert.equal((await executions(local, id)).length, settled);
      assert.ok((await executions(local, id)).every((e) => e.status !== 'RUNNING'));
    });

    it('execute now runs a disabled job once', async () => {
      const id = await createJob(local, {
        name: 'Manual only',
        jobType: 'META_DATA_SYNC',
        cronExpression: '0 0 3 1 JAN ?',
        enabled: false,
      });
      const r = await send(local, `/api/jobConfigurations/${id}/execute`, 'POST');
      assert.equal(r.status, 200, r.text);
      const ex = await eventually(async () => {
        const [e] = await executions(local, id);
        assert.equal(e?.status, 'COMPLETED');
        return e!;
      }, 10_000);
      assert.equal(ex.trigger, 'MANUAL');
      assert.equal(ex.scheduledFor, null);
      assert.equal(
        (await send(local, '/api/jobConfigurations/nope12345678/execute', 'POST')).status,
        404,
      );
    });

    it('stop during a run marks it INTERRUPTED; a run missed while down runs once at start', async () => {
      // A central that accepts and never answers keeps the run going.
      const hanging: Server = createServer(() => undefined);
      await new Promise<void>((r) => hanging.listen(0, '127.0.0.1', r));
      const port = (hanging.address() as { port: number }).port;
      try {
        await connect(local, `http://127.0.0.1:${port}`);
        const id = await createJob(local, {
          name: 'Yearly',
          jobType: 'META_DATA_SYNC',
          cronExpression: '0 0 3 1 JAN ?',
        });
        const r = await send(local, `/api/jobConfigurations/${id}/execute`, 'POST');
        assert.equal(r.status, 200, r.text);
        const running = (r.body.response as ExecutionJson).syncReport!;
        // The running sync keeps its hanging client; the catch-up after the restart uses this.
        await connect(local, central.url);
        await local.stop();
        hanging.closeAllConnections();
        // While down, the job fell due an hour ago (written now that no scheduler runs, since a
        // running one would move the time on at its next reconcile).
        const missed = new Date(Date.now() - 3_600_000);
        await setNextExecution(db, id, missed);

        local = await startServer(db, LOCAL);
        const [interrupted] = (await executions(local, id)).filter((e) => e.trigger === 'MANUAL');
        assert.equal(interrupted?.status, 'INTERRUPTED');
        assert.match(interrupted?.message ?? '', /stopped/);
        const report = await fetchJson<SyncReportJson>(
          local,
          `/api/metadata/sync/reports/${running}`,
        );
        assert.equal(report.body.status, 'INTERRUPTED');

        const caught = await eventually(async () => {
          const e = (await executions(local, id)).find((x) => x.trigger === 'CATCH_UP');
          assert.equal(e?.status, 'COMPLETED', JSON.stringify(e));
          return e;
        }, 5000);
        assert.equal(new Date(caught.scheduledFor!).getTime(), missed.getTime());
        const j = await job(local, id);
        assert.ok(new Date(j.nextExecutionTime!).getTime() > Date.now(), 'next time moved on');

        // With scheduler.catch.up = false a missed run is not made up.
        await local.stop();
        await setNextExecution(db, id, missed);
        local = await startServer(db, { ...LOCAL, schedulerCatchUp: false });
        await new Promise((r) => setTimeout(r, 500));
        assert.equal(
          (await executions(local, id)).filter((x) => x.trigger === 'CATCH_UP').length,
          1,
        );
      } finally {
        hanging.closeAllConnections();
        await new Promise((r) => hanging.close(r));
      }
    });
  });
}

if ((await backends()).includes('postgres'))
  describe('two metasync processes on one PostgreSQL database', () => {
    let c: Started;
    let db: TestDatabase;
    let a: TestServer;
    let b: TestServer;
    before(async () => {
      c = await start('postgres');
      db = await createTestDatabase('postgres');
      a = await startServer(db, LOCAL);
      b = await startServer(db, LOCAL);
      await enableVersioning(c.server);
      await connect(a, c.server.url);
      b.instance.services.settings.invalidate();
    });
    after(async () => {
      await a?.stop();
      await b?.stop();
      await db?.dispose();
      await c?.dispose();
    });

    it('run each tick once, and never two syncs at a time', async () => {
      await importMetadata(c.server, { dataElements: [newDataElement('Twice')] });
      await createVersion(c.server);
      const id = await createJob(a, {
        name: 'Every second, two processes',
        jobType: 'META_DATA_SYNC',
        cronExpression: '* * * * * *',
      });
      await b.instance.services.jobs.list(); // b learns of it on its next tick
      await new Promise((r) => setTimeout(r, 4000));
      await sql`update job_configuration set enabled = false`.execute(a.instance.database.db);
      await new Promise((r) => setTimeout(r, 1500));
      const all = await executions(a, id);
      const ticks = all.filter((e) => e.trigger === 'CRON').map((e) => e.scheduledFor);
      assert.ok(ticks.length >= 2, JSON.stringify(all));
      assert.equal(new Set(ticks).size, ticks.length, `a tick ran twice: ${ticks.join(', ')}`);
      assert.ok(all.every((e) => e.status !== 'RUNNING'));
      const reports = (
        await fetchJson<{ reports: SyncReportJson[] }>(a, '/api/metadata/sync/reports?limit=1000')
      ).body.reports
        .filter((r) => r.trigger === 'SCHEDULED')
        .sort((x, y) => x.startTime.localeCompare(y.startTime));
      for (let i = 1; i < reports.length; i++)
        assert.ok(reports[i]!.startTime >= reports[i - 1]!.endTime!, 'two syncs overlapped');
      assert.ok(reports.some((r) => r.versions.some((v) => v.name === 'Version_1')));
    });
  });
