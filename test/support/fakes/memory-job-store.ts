/**
 * An in-memory JobStore, held to the same conformance suite as the database one: unique names,
 * one claim per (job, instant) while manual runs (no instant) never collide, a finished execution
 * is not reopened, executions go with their job, and the orphan sweep spares a run whose sync
 * report holds the lease (`lease` stands for the sync_lease row the database store reads).
 */
import { errors } from '../../../src/domain/errors.ts';
import type { JobConfiguration, JobExecution, JobStore } from '../../../src/domain/jobs/job.ts';
import { clone } from './unique-violation.ts';

export interface MemoryLease {
  reportId: string | null;
  expiresAt: Date | null;
}

const ORPHAN_AFTER_MS = 60_000;

export function createMemoryJobStore(lease: () => MemoryLease | null = () => null): JobStore {
  const jobs = new Map<string, JobConfiguration>();
  const executions: JobExecution[] = [];
  let nextId = 1;
  const nameTaken = (name: string) =>
    errors.conflict(`A job configuration named "${name}" already exists`);
  const taken = (job: JobConfiguration) =>
    [...jobs.values()].some((j) => j.name === job.name && j.id !== job.id);
  return {
    async list() {
      return [...jobs.values()]
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
        .map(clone);
    },
    async get(id) {
      const j = jobs.get(id);
      return j ? clone(j) : null;
    },
    async create(job) {
      if (jobs.has(job.id)) throw errors.conflict(`A job configuration ${job.id} exists`);
      if (taken(job)) throw nameTaken(job.name);
      // The insert writes the configuration only; the run columns start empty.
      jobs.set(job.id, {
        ...clone(job),
        lastExecuted: null,
        lastExecutedStatus: null,
        lastRuntimeExecution: null,
      });
    },
    async update(job) {
      const stored = jobs.get(job.id);
      if (!stored) return;
      if (taken(job)) throw nameTaken(job.name);
      const {
        created: _c,
        createdBy: _b,
        lastExecuted: _e,
        lastExecutedStatus: _s,
        ...rest
      } = clone(job);
      // The run columns belong to recordOutcome: an update leaves them as they are.
      jobs.set(job.id, {
        ...stored,
        ...rest,
        lastRuntimeExecution: stored.lastRuntimeExecution,
      });
    },
    async delete(id) {
      for (let i = executions.length - 1; i >= 0; i--)
        if (executions[i]!.jobId === id) executions.splice(i, 1);
      return jobs.delete(id);
    },
    async setNextExecution(id, next) {
      const j = jobs.get(id);
      if (j) j.nextExecutionTime = next && new Date(next);
    },
    async recordOutcome(id, o) {
      const j = jobs.get(id);
      if (!j) return;
      j.lastExecuted = new Date(o.lastExecuted);
      j.lastExecutedStatus = o.status;
      j.lastRuntimeExecution = o.runtime;
    },
    async claim(e) {
      if (!jobs.has(e.jobId)) throw new Error(`job_execution.job_id ${e.jobId}: no such job`);
      const at = e.scheduledFor?.getTime();
      if (
        at !== undefined &&
        executions.some((x) => x.jobId === e.jobId && x.scheduledFor?.getTime() === at)
      )
        return null;
      const id = nextId++;
      executions.push({ ...clone(e), id, end: null, reportId: null, message: null });
      return id;
    },
    async setReport(executionId, reportId) {
      const x = executions.find((r) => r.id === executionId);
      if (x) x.reportId = reportId;
    },
    async finish(executionId, o) {
      const x = executions.find((r) => r.id === executionId);
      if (!x || x.status !== 'RUNNING') return;
      x.status = o.status;
      x.end = new Date(o.end);
      x.message = o.message ?? null;
    },
    async executions(jobId, limit) {
      return executions
        .filter((x) => x.jobId === jobId)
        .sort((a, b) => b.start.getTime() - a.start.getTime() || b.id - a.id)
        .slice(0, limit)
        .map(clone);
    },
    async interruptOrphans(now) {
      const l = lease();
      let n = 0;
      for (const x of executions) {
        if (x.status !== 'RUNNING' || x.start.getTime() >= now.getTime() - ORPHAN_AFTER_MS)
          continue;
        const held =
          l !== null &&
          x.reportId !== null &&
          l.reportId === x.reportId &&
          l.expiresAt !== null &&
          l.expiresAt.getTime() > now.getTime();
        if (held) continue;
        x.status = 'INTERRUPTED';
        x.end = new Date(now);
        x.message = 'The process running this job stopped before it finished';
        n++;
      }
      return n;
    },
  };
}
