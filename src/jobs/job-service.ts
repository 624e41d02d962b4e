/**
 * Job configuration use cases behind `/api/jobConfigurations` (issue 8): validate, store, and
 * have the scheduler re-read the table at once so an edit takes effect without a restart.
 */
import { errors } from '../domain/errors.ts';
import {
  validateJobInput,
  type JobConfiguration,
  type JobInput,
  type JobStore,
} from '../domain/jobs/job.ts';
import type { Clock } from '../domain/ports.ts';
import { nextRun } from './cron-engine.ts';
import type { Scheduler } from './scheduler.ts';

export interface JobServiceDeps {
  store: JobStore;
  clock: Clock;
  newUid: () => string;
  /** Re-reads the table after a change; runs a job now. */
  scheduler: Pick<Scheduler, 'reconcile' | 'executeNow'>;
}

export function createJobService(deps: JobServiceDeps) {
  const changed = async () => {
    await deps.scheduler.reconcile();
  };
  async function getOrThrow(id: string): Promise<JobConfiguration> {
    const job = await deps.store.get(id);
    if (!job) throw errors.notFound(`Job configuration with id ${id} could not be found.`);
    return job;
  }
  return {
    list: () => deps.store.list(),
    getOrThrow,
    async create(input: JobInput & { id?: string | undefined }, actorId: string) {
      const valid = validateJobInput(input);
      const now = deps.clock.now();
      const enabled = input.enabled ?? true;
      const job: JobConfiguration = {
        id: input.id ?? deps.newUid(),
        name: input.name,
        ...valid,
        enabled,
        createdBy: actorId,
        lastExecuted: null,
        lastExecutedStatus: null,
        lastRuntimeExecution: null,
        nextExecutionTime: enabled ? nextRun(valid.cronExpression, now) : null,
        created: now,
        lastUpdated: now,
      };
      if (await deps.store.get(job.id)) throw errors.conflict(`Job configuration ${job.id} exists`);
      await deps.store.create(job);
      await changed();
      return job;
    },
    async update(id: string, input: JobInput) {
      const old = await getOrThrow(id);
      const valid = validateJobInput(input);
      const now = deps.clock.now();
      const enabled = input.enabled ?? old.enabled;
      const job: JobConfiguration = {
        ...old,
        name: input.name,
        ...valid,
        enabled,
        nextExecutionTime: enabled ? nextRun(valid.cronExpression, now) : null,
        lastUpdated: now,
      };
      await deps.store.update(job);
      await changed();
      return job;
    },
    async remove(id: string) {
      await getOrThrow(id);
      await deps.store.delete(id);
      await changed();
    },
    executions: async (id: string, limit: number) => {
      await getOrThrow(id);
      return deps.store.executions(id, limit);
    },
    async execute(id: string) {
      await getOrThrow(id);
      return deps.scheduler.executeNow(id);
    },
  };
}

export type JobService = ReturnType<typeof createJobService>;
