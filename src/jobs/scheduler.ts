/**
 * The scheduler (issue 8 §2). It reconciles cron timers with the job_configuration table: on
 * start, after every change made through this process, and on a periodic tick (so an edit made
 * through another process applies without a restart). A fired tick is claimed in the database
 * (unique job + instant), so with several processes on one database exactly one runs it; the
 * sync lease then keeps syncs themselves one at a time, and a run refused by it is recorded as
 * SKIPPED. Every execution is a row with start, end, status and its sync report. `stop()` lets a
 * running job finish for a grace period and marks it INTERRUPTED otherwise.
 */
import { hostname } from 'node:os';
import { isAppError, ErrorCode } from '../domain/errors.ts';
import {
  formatRuntime,
  type ExecutionStatus,
  type JobConfiguration,
  type JobExecution,
  type JobStore,
} from '../domain/jobs/job.ts';
import type { Clock } from '../domain/ports.ts';
import type { SyncReport } from '../domain/sync/sync-report.ts';
import type { SyncService } from '../sync/sync-service.ts';
import { nextRun, schedule } from './cron-engine.ts';

export interface SchedulerDeps {
  jobs: JobStore;
  sync: Pick<SyncService, 'start' | 'interrupt'>;
  clock: Clock;
  log: (level: 'info' | 'warn' | 'error', obj: Record<string, unknown>, msg: string) => void;
  /** Run once at start a tick that fell due while no process was running (`scheduler.catch.up`). */
  catchUp: boolean;
  /** How often to re-read the table (`scheduler.reconcile.interval.ms`). */
  reconcileMs: number;
  /** How long `stop()` waits for a running job before marking it INTERRUPTED. */
  shutdownGraceMs: number;
}

interface Timer {
  cron: string;
  stop(): void;
}

interface InFlight {
  executionId: number;
  start: Date;
  reportId: string | null;
  done: Promise<void>;
}

const runStatus = (r: SyncReport): ExecutionStatus =>
  r.status === 'SUCCESS' ? 'COMPLETED' : r.status === 'INTERRUPTED' ? 'INTERRUPTED' : 'FAILED';

export function createScheduler(deps: SchedulerDeps) {
  const holder = `${hostname()}:${process.pid}`;
  const timers = new Map<string, Timer>();
  const inFlight = new Map<string, InFlight>();
  const starting = new Set<string>();
  let ticker: NodeJS.Timeout | null = null;
  let started = false;
  let stopped = false;
  let reconciling: Promise<void> = Promise.resolve();

  /** Runs a job for `scheduledFor` (a cron instant) or now (null); resolves with the execution. */
  async function fire(
    jobId: string,
    scheduledFor: Date | null,
    trigger: JobExecution['trigger'],
  ): Promise<{ execution: JobExecution | null; done: Promise<void> }> {
    const none = { execution: null, done: Promise.resolve() };
    if (stopped) return none;
    const job = await deps.jobs.get(jobId);
    if (!job || (trigger !== 'MANUAL' && !job.enabled)) return none;
    // One run of a job at a time in this process; a tick that comes while it starts or runs is
    // dropped, not recorded, or a per-second job would write a row every second.
    if (trigger !== 'MANUAL' && (inFlight.has(job.id) || starting.has(job.id))) return none;
    starting.add(job.id);
    try {
      return await launch(job, scheduledFor, trigger);
    } finally {
      starting.delete(job.id);
    }
  }

  async function launch(
    job: JobConfiguration,
    scheduledFor: Date | null,
    trigger: JobExecution['trigger'],
  ): Promise<{ execution: JobExecution | null; done: Promise<void> }> {
    const none = { execution: null, done: Promise.resolve() };
    const start = deps.clock.now();
    const executionId = await deps.jobs.claim({
      jobId: job.id,
      scheduledFor,
      trigger,
      holder,
      start,
      status: 'RUNNING',
    });
    if (executionId === null) return none; // another process took this tick
    const execution: JobExecution = {
      id: executionId,
      jobId: job.id,
      scheduledFor,
      trigger,
      holder,
      start,
      end: null,
      status: 'RUNNING',
      reportId: null,
      message: null,
    };
    let run: Awaited<ReturnType<SyncService['start']>>;
    try {
      run = await deps.sync.start({
        trigger: 'SCHEDULED',
        triggeredBy: `job:${job.name}`,
        actorId: job.createdBy,
        dataValuesPageSize: job.jobParameters.dataValuesPageSize,
      });
    } catch (e) {
      const refused = isAppError(e) && e.code === ErrorCode.CONFLICT;
      const status: ExecutionStatus = refused ? 'SKIPPED' : 'FAILED';
      const message = e instanceof Error ? e.message : String(e);
      await finish(job, execution, status, message);
      deps.log(refused ? 'info' : 'error', { job: job.name, err: e }, `scheduled job ${status}`);
      return {
        execution: { ...execution, status, message, end: deps.clock.now() },
        done: none.done,
      };
    }
    execution.reportId = run.report.id;
    await deps.jobs.setReport(executionId, run.report.id);
    deps.log('info', { job: job.name, reportId: run.report.id, trigger }, 'scheduled job started');
    const done = run.done.then(
      (report) => finish(job, execution, runStatus(report), report.error?.message ?? null),
      (e: unknown) => finish(job, execution, 'FAILED', e instanceof Error ? e.message : String(e)),
    );
    const entry: InFlight = { executionId, start, reportId: run.report.id, done };
    inFlight.set(job.id, entry);
    void done.finally(() => {
      if (inFlight.get(job.id) === entry) inFlight.delete(job.id);
    });
    return { execution, done };
  }

  async function finish(
    job: JobConfiguration,
    execution: JobExecution,
    status: ExecutionStatus,
    message: string | null,
  ): Promise<void> {
    const end = deps.clock.now();
    try {
      await deps.jobs.finish(execution.id, { status, end, message });
      await deps.jobs.recordOutcome(job.id, {
        lastExecuted: execution.start,
        status,
        runtime: formatRuntime(end.getTime() - execution.start.getTime()),
      });
      await deps.jobs.setNextExecution(
        job.id,
        job.enabled ? nextRun(job.cronExpression, end) : null,
      );
    } catch (e) {
      // The database went away (shutdown): the orphan sweep of the next start settles the row.
      deps.log('warn', { job: job.name, err: e }, 'could not record the end of a job execution');
    }
  }

  /** Brings the timers in line with the table and refreshes each job's next execution time. */
  function reconcile(): Promise<void> {
    reconciling = reconciling.then(reconcileOnce, reconcileOnce);
    return reconciling;
  }

  async function reconcileOnce(): Promise<void> {
    if (stopped) return;
    try {
      const jobs = await deps.jobs.list();
      const wanted = new Map(jobs.filter((j) => j.enabled).map((j) => [j.id, j]));
      for (const [id, timer] of timers) {
        if (wanted.get(id)?.cronExpression !== timer.cron) {
          timer.stop();
          timers.delete(id);
        }
      }
      const now = deps.clock.now();
      for (const job of jobs) {
        if (job.enabled && !timers.has(job.id)) {
          const t = schedule(job.cronExpression, (at) => void fireLogged(job.id, at, 'CRON'));
          if (t) timers.set(job.id, { cron: job.cronExpression, stop: t.stop });
        }
        // The catch-up at start has read any missed instant before the first reconcile, and a
        // process that is up runs the ticks itself: the stored next time can always move on.
        const next = job.enabled ? nextRun(job.cronExpression, now) : null;
        if (next?.getTime() !== job.nextExecutionTime?.getTime())
          await deps.jobs.setNextExecution(job.id, next);
      }
    } catch (e) {
      deps.log('error', { err: e }, 'scheduler reconcile failed');
    }
  }

  async function fireLogged(jobId: string, at: Date | null, trigger: JobExecution['trigger']) {
    try {
      await fire(jobId, at, trigger);
    } catch (e) {
      deps.log('error', { jobId, err: e }, 'scheduled job could not start');
    }
  }

  /** A tick that fell due while no process ran: run it once (claimed like any tick). */
  async function catchUp(): Promise<void> {
    const now = deps.clock.now();
    for (const job of await deps.jobs.list()) {
      const due = job.nextExecutionTime;
      if (!job.enabled || !due || due.getTime() >= now.getTime() - 1000) continue;
      deps.log('info', { job: job.name, missed: due.toISOString() }, 'running a missed job');
      await fireLogged(job.id, due, 'CATCH_UP');
    }
  }

  async function markInterrupted(jobId: string, r: InFlight, end: Date): Promise<void> {
    const message = 'The server stopped while this job was running';
    await deps.jobs.finish(r.executionId, { status: 'INTERRUPTED', end, message });
    await deps.jobs.recordOutcome(jobId, {
      lastExecuted: r.start,
      status: 'INTERRUPTED',
      runtime: formatRuntime(end.getTime() - r.start.getTime()),
    });
    // The run's report is closed the one way every unfinished run is (report-lifecycle.ts), and
    // its lease freed so a restart can sync at once; the store never reopens this report.
    if (r.reportId) await deps.sync.interrupt(r.reportId, message);
  }

  return {
    async start(): Promise<void> {
      if (started) return;
      started = true;
      const orphans = await deps.jobs.interruptOrphans(deps.clock.now());
      if (orphans) deps.log('warn', { orphans }, 'job executions left RUNNING marked INTERRUPTED');
      if (deps.catchUp) await catchUp();
      await reconcile();
      ticker = setInterval(() => void reconcile(), deps.reconcileMs);
      ticker.unref();
    },
    reconcile,
    /** `POST /api/jobConfigurations/{id}/execute`. */
    executeNow: (jobId: string) => fire(jobId, null, 'MANUAL'),
    /** Stops the timers, waits up to the grace period, marks what still runs INTERRUPTED. */
    async stop(): Promise<void> {
      if (stopped) return;
      stopped = true;
      if (ticker) clearInterval(ticker);
      for (const t of timers.values()) t.stop();
      timers.clear();
      await reconciling.catch(() => undefined);
      const running = [...inFlight.values()];
      if (running.length === 0) return;
      let timeout: NodeJS.Timeout | undefined;
      const grace = new Promise<'timeout'>((r) => {
        timeout = setTimeout(() => r('timeout'), deps.shutdownGraceMs);
      });
      const all = Promise.all(running.map((r) => r.done)).then(() => 'done' as const);
      const outcome = await Promise.race([all, grace]);
      clearTimeout(timeout);
      if (outcome === 'done') return;
      const end = deps.clock.now();
      for (const [jobId, r] of inFlight) {
        try {
          await markInterrupted(jobId, r, end);
        } catch (e) {
          // The database is gone: the orphan sweep at the next start settles the execution.
          deps.log('error', { jobId, err: e }, 'could not mark a job execution INTERRUPTED');
        }
      }
      deps.log('warn', { interrupted: inFlight.size }, 'scheduler stopped with jobs running');
    },
  };
}

export type Scheduler = ReturnType<typeof createScheduler>;
