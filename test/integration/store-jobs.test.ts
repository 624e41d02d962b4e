/**
 * The JobStore port on both backends (house rule 7): a tick is claimed once, "execute now" runs
 * never collide, a finished execution is not reopened, names are unique, and executions left
 * RUNNING by a dead process are swept to INTERRUPTED.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import type { JobConfiguration } from '../../src/domain/jobs/job.ts';
import type { OpenDatabase } from '../../src/store/db.ts';
import { createKyselyJobStore } from '../../src/store/kysely-job-store.ts';
import { backends, createTestDatabase, type TestDatabase } from '../support/databases.ts';

const job = (id: string, name: string): JobConfiguration => ({
  id,
  name,
  jobType: 'META_DATA_SYNC',
  cronExpression: '0 0 3 ? * *',
  jobParameters: { dataValuesPageSize: 10000 },
  enabled: true,
  createdBy: 'M5zQapPyTZI',
  lastExecuted: null,
  lastExecutedStatus: null,
  lastRuntimeExecution: null,
  nextExecutionTime: new Date('2030-01-01T03:00:00Z'),
  created: new Date('2026-01-01T00:00:00Z'),
  lastUpdated: new Date('2026-01-01T00:00:00Z'),
});

for (const backend of await backends()) {
  describe(`JobStore on ${backend}`, () => {
    let tdb: TestDatabase;
    let db: OpenDatabase;
    before(async () => {
      tdb = await createTestDatabase(backend);
      db = await tdb.open();
    });
    after(async () => {
      await db?.close();
      await tdb?.dispose();
    });

    it('stores, updates, lists and deletes; names are unique', async () => {
      const store = createKyselyJobStore(db.db);
      await store.create(job('JobStoreAa1', 'A'));
      await assert.rejects(store.create(job('JobStoreBb1', 'A')), /already exists/);
      const got = await store.get('JobStoreAa1');
      assert.deepEqual(got, job('JobStoreAa1', 'A'));
      await store.update({ ...got!, name: 'A2', enabled: false });
      assert.equal((await store.get('JobStoreAa1'))?.enabled, false);
      assert.deepEqual(
        (await store.list()).map((j) => j.name),
        ['A2'],
      );
      assert.equal(await store.delete('JobStoreAa1'), true);
      assert.equal(await store.delete('JobStoreAa1'), false);
    });

    it('claims each (job, instant) once; manual runs never collide; finish only once', async () => {
      const store = createKyselyJobStore(db.db);
      await store.create(job('JobStoreCc1', 'C'));
      const at = new Date('2026-11-25T03:00:00Z');
      const base = {
        jobId: 'JobStoreCc1',
        holder: 'h',
        start: new Date(),
        status: 'RUNNING' as const,
      };
      const claims = await Promise.all(
        [1, 2, 3].map(() => store.claim({ ...base, scheduledFor: at, trigger: 'CRON' })),
      );
      assert.equal(claims.filter((c) => c !== null).length, 1);
      const m1 = await store.claim({ ...base, scheduledFor: null, trigger: 'MANUAL' });
      const m2 = await store.claim({ ...base, scheduledFor: null, trigger: 'MANUAL' });
      assert.ok(m1 !== null && m2 !== null && m1 !== m2);
      await store.setReport(m1, 'report-1');
      await store.finish(m1, { status: 'COMPLETED', end: new Date() });
      await store.finish(m1, { status: 'INTERRUPTED', end: new Date(), message: 'late' });
      const ex = await store.executions('JobStoreCc1', 10);
      assert.equal(ex.length, 3);
      const one = ex.find((e) => e.id === m1)!;
      assert.equal(one.status, 'COMPLETED');
      assert.equal(one.reportId, 'report-1');
      assert.equal(one.message, null);
    });

    it('sweeps RUNNING executions without a live lease to INTERRUPTED', async () => {
      const store = createKyselyJobStore(db.db);
      await store.create(job('JobStoreDd1', 'D'));
      const old = new Date(Date.now() - 5 * 60_000);
      const base = { jobId: 'JobStoreDd1', holder: 'dead', status: 'RUNNING' as const };
      const orphan = await store.claim({
        ...base,
        start: old,
        scheduledFor: null,
        trigger: 'MANUAL',
      });
      const fresh = await store.claim({
        ...base,
        start: new Date(),
        scheduledFor: null,
        trigger: 'MANUAL',
      });
      const leased = await store.claim({
        ...base,
        start: old,
        scheduledFor: null,
        trigger: 'MANUAL',
      });
      await store.setReport(leased!, 'live-report');
      await sql`update sync_lease set report_id = 'live-report', holder = 'x', expires_at = ${new Date(Date.now() + 60_000)}`.execute(
        db.db,
      );
      try {
        assert.ok((await store.interruptOrphans(new Date())) >= 1);
        const byId = new Map((await store.executions('JobStoreDd1', 10)).map((e) => [e.id, e]));
        assert.equal(byId.get(orphan!)?.status, 'INTERRUPTED');
        assert.ok(byId.get(orphan!)?.end);
        assert.equal(byId.get(fresh!)?.status, 'RUNNING', 'just started: its process may be alive');
        assert.equal(byId.get(leased!)?.status, 'RUNNING', 'its sync still holds the lease');
      } finally {
        await sql`update sync_lease set report_id = null, holder = null, expires_at = null`.execute(
          db.db,
        );
      }
    });
  });
}
