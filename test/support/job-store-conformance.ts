/**
 * The JobStore port (house rule 7), run on PGlite and PostgreSQL by
 * test/integration/store-jobs.test.ts and on the fake by test/unit/store-conformance-memory.test.ts:
 * a tick is claimed once, "execute now" runs never collide, a finished execution is not reopened,
 * names are unique, and executions left RUNNING by a dead process are swept to INTERRUPTED.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { ErrorCode, isAppError } from '../../src/domain/errors.ts';
import type { JobConfiguration, JobStore } from '../../src/domain/jobs/job.ts';
import type { Get } from './store-conformance.ts';

/** The JobStore and a way to set the sync lease its orphan sweep reads. */
export interface JobStoreUnderTest {
  jobs: JobStore;
  setLease(reportId: string | null, expiresAt: Date | null): Promise<void>;
}

export const job = (id: string, name: string): JobConfiguration => ({
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

export function registerJobStoreTests(get: Get<JobStoreUnderTest>) {
  it('stores, updates, lists and deletes; names are unique', async () => {
    const store = get().jobs;
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
    const store = get().jobs;
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
    const store = get().jobs;
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
    await get().setLease('live-report', new Date(Date.now() + 60_000));
    try {
      assert.ok((await store.interruptOrphans(new Date())) >= 1);
      const byId = new Map((await store.executions('JobStoreDd1', 10)).map((e) => [e.id, e]));
      assert.equal(byId.get(orphan!)?.status, 'INTERRUPTED');
      assert.ok(byId.get(orphan!)?.end);
      assert.equal(byId.get(fresh!)?.status, 'RUNNING', 'just started: its process may be alive');
      assert.equal(byId.get(leased!)?.status, 'RUNNING', 'its sync still holds the lease');
    } finally {
      await get().setLease(null, null);
    }
  });

  it('update keeps the run columns; recordOutcome and setNextExecution set them', async () => {
    const store = get().jobs;
    await store.create(job('JobStoreEe1', 'E'));
    await store.create(job('JobStoreFf1', 'F'));
    await assert.rejects(
      store.update({ ...job('JobStoreFf1', 'E') }),
      (e: unknown) => isAppError(e) && e.code === ErrorCode.CONFLICT,
    );
    const ran = new Date('2026-11-25T03:00:01Z');
    await store.recordOutcome('JobStoreEe1', {
      lastExecuted: ran,
      status: 'COMPLETED',
      runtime: '00:00:01.500',
    });
    await store.setNextExecution('JobStoreEe1', new Date('2026-11-26T03:00:00Z'));
    await store.update({ ...job('JobStoreEe1', 'E renamed'), created: new Date(0) });
    const got = await store.get('JobStoreEe1');
    assert.equal(got?.name, 'E renamed');
    assert.deepEqual(got.lastExecuted, ran);
    assert.equal(got.lastExecutedStatus, 'COMPLETED');
    assert.equal(got.lastRuntimeExecution, '00:00:01.500');
    assert.deepEqual(got.created, job('JobStoreEe1', 'E').created, 'created is not updated');
    assert.deepEqual(got.nextExecutionTime, job('JobStoreEe1', 'E').nextExecutionTime);
    await store.setNextExecution('JobStoreEe1', null);
    assert.equal((await store.get('JobStoreEe1'))?.nextExecutionTime, null);
    assert.equal(await store.get('JobStoreNo1'), null);
  });

  it('lists executions newest first up to the limit; they go with their job', async () => {
    const store = get().jobs;
    await store.create(job('JobStoreGg1', 'G'));
    const base = { jobId: 'JobStoreGg1', holder: 'h', status: 'RUNNING' as const };
    const ids: number[] = [];
    for (const minute of [1, 3, 2])
      ids.push(
        (await store.claim({
          ...base,
          start: new Date(Date.UTC(2026, 10, 25, 3, minute)),
          scheduledFor: new Date(Date.UTC(2026, 10, 25, 3, minute)),
          trigger: 'CRON',
        }))!,
      );
    const listed = await store.executions('JobStoreGg1', 2);
    assert.deepEqual(
      listed.map((e) => e.id),
      [ids[1], ids[2]],
    );
    assert.equal(listed[0]?.trigger, 'CRON');
    assert.equal(listed[0]?.end, null);
    assert.equal(await store.delete('JobStoreGg1'), true);
    assert.deepEqual(await store.executions('JobStoreGg1', 10), []);
  });
}
