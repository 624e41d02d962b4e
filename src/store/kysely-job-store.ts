/** Job configurations and executions (issue 8) over Kysely; see migration 0006 for the claim rule. */
import { sql, type Kysely, type Selectable } from 'kysely';
import { errors } from '../domain/errors.ts';
import type {
  ExecutionStatus,
  JobConfiguration,
  JobExecution,
  JobStore,
  JobType,
  MetadataSyncParameters,
} from '../domain/jobs/job.ts';
import { isUniqueViolation } from './pg-errors.ts';
import type { Database, JobConfigurationTable, JobExecutionTable } from './schema.ts';

const date = (v: Date | string | null): Date | null => (v === null ? null : new Date(v));

function toJob(r: Selectable<JobConfigurationTable>): JobConfiguration {
  return {
    id: r.id,
    name: r.name,
    jobType: r.job_type as JobType,
    cronExpression: r.cron_expression,
    jobParameters: r.job_parameters as unknown as MetadataSyncParameters,
    enabled: r.enabled,
    createdBy: r.created_by,
    lastExecuted: date(r.last_executed),
    lastExecutedStatus: r.last_executed_status as ExecutionStatus | null,
    lastRuntimeExecution: r.last_runtime_execution,
    nextExecutionTime: date(r.next_execution_time),
    created: new Date(r.created),
    lastUpdated: new Date(r.last_updated),
  };
}

function toExecution(r: Selectable<JobExecutionTable>): JobExecution {
  return {
    id: Number(r.id),
    jobId: r.job_id,
    scheduledFor: date(r.scheduled_for),
    trigger: r.trigger as JobExecution['trigger'],
    holder: r.holder,
    start: new Date(r.start),
    end: date(r.end),
    status: r.status as ExecutionStatus,
    reportId: r.report_id,
    message: r.message,
  };
}

const row = (j: JobConfiguration) => ({
  id: j.id,
  name: j.name,
  job_type: j.jobType,
  cron_expression: j.cronExpression,
  job_parameters: JSON.stringify(j.jobParameters),
  enabled: j.enabled,
  created_by: j.createdBy,
  next_execution_time: j.nextExecutionTime,
  created: j.created,
  last_updated: j.lastUpdated,
});

export function createKyselyJobStore(db: Kysely<Database>): JobStore {
  const nameTaken = (name: string) =>
    errors.conflict(`A job configuration named "${name}" already exists`);
  return {
    async list() {
      return (await db.selectFrom('job_configuration').selectAll().orderBy('name').execute()).map(
        toJob,
      );
    },
    async get(id) {
      const r = await db
        .selectFrom('job_configuration')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst();
      return r ? toJob(r) : null;
    },
    async create(job) {
      try {
        await db.insertInto('job_configuration').values(row(job)).execute();
      } catch (e) {
        if (isUniqueViolation(e)) throw nameTaken(job.name);
        throw e;
      }
    },
    async update(job) {
      const { id, created, created_by, ...rest } = row(job);
      void created;
      void created_by;
      try {
        await db.updateTable('job_configuration').set(rest).where('id', '=', id).execute();
      } catch (e) {
        if (isUniqueViolation(e)) throw nameTaken(job.name);
        throw e;
      }
    },
    async delete(id) {
      const r = await db.deleteFrom('job_configuration').where('id', '=', id).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
    async setNextExecution(id, next) {
      await db
        .updateTable('job_configuration')
        .set({ next_execution_time: next })
        .where('id', '=', id)
        .execute();
    },
    async recordOutcome(id, o) {
      await db
        .updateTable('job_configuration')
        .set({
          last_executed: o.lastExecuted,
          last_executed_status: o.status,
          last_runtime_execution: o.runtime,
        })
        .where('id', '=', id)
        .execute();
    },
    async claim(e) {
      const r = await db
        .insertInto('job_execution')
        .values({
          job_id: e.jobId,
          scheduled_for: e.scheduledFor,
          trigger: e.trigger,
          holder: e.holder,
          start: e.start,
          status: e.status,
        })
        .onConflict((oc) => oc.columns(['job_id', 'scheduled_for']).doNothing())
        .returning('id')
        .executeTakeFirst();
      return r ? Number(r.id) : null;
    },
    async setReport(executionId, reportId) {
      await db
        .updateTable('job_execution')
        .set({ report_id: reportId })
        .where('id', '=', executionId)
        .execute();
    },
    async finish(executionId, o) {
      await db
        .updateTable('job_execution')
        .set({ status: o.status, end: o.end, message: o.message ?? null })
        .where('id', '=', executionId)
        .where('status', '=', 'RUNNING')
        .execute();
    },
    async executions(jobId, limit) {
      return (
        await db
          .selectFrom('job_execution')
          .selectAll()
          .where('job_id', '=', jobId)
          .orderBy('start', 'desc')
          .orderBy('id', 'desc')
          .limit(limit)
          .execute()
      ).map(toExecution);
    },
    async interruptOrphans(now) {
      // A RUNNING execution is an orphan when no live lease covers its sync report and the report
      // is not running either (or never started): its process died between claim and finish.
      const r = await sql<{ id: number }>`
        update job_execution e set status = 'INTERRUPTED', "end" = ${now},
          message = 'The process running this job stopped before it finished'
        where e.status = 'RUNNING'
          and e.start < ${new Date(now.getTime() - 60_000)}
          and not exists (
            select 1 from sync_lease l
            where l.report_id = e.report_id and l.expires_at > ${now})
        returning e.id`.execute(db);
      return r.rows.length;
    },
  };
}
