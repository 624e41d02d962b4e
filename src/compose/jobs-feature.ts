/**
 * Scheduled jobs (issue 8): the scheduler, built here so "execute now" works from the start (its
 * timers start with `start()`, called by `Instance.listen`), and the job configuration use cases
 * that have it re-read the table after each change.
 */
import type { Config } from '../config.ts';
import { createJobService } from '../jobs/job-service.ts';
import { createScheduler } from '../jobs/scheduler.ts';
import type { SyncService } from '../sync/sync-service.ts';
import type { Ports } from './ports.ts';

export function jobsFeature(ports: Ports, config: Config, sync: SyncService) {
  const { stores, clock, logger } = ports;
  const scheduler = createScheduler({
    jobs: stores.jobs,
    sync,
    clock,
    log: (level, obj, msg) => logger[level](obj, msg),
    catchUp: config.schedulerCatchUp,
    reconcileMs: config.schedulerReconcileMs,
    shutdownGraceMs: config.schedulerShutdownGraceMs,
  });
  const jobs = createJobService({ store: stores.jobs, clock, newUid: ports.newUid, scheduler });
  return { scheduler, jobs };
}
