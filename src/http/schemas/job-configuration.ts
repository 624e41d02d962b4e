/**
 * The wire contract of `/api/jobConfigurations` (issue 8, contract §13) in DHIS2's shape. Times
 * are ISO-8601 with the server's offset, as cron runs in the server's time zone.
 */
import { z } from 'zod';
import { isoWithOffset, type JobConfiguration, type JobExecution } from '../../domain/jobs/job.ts';

export const JobConfigurationBody = z
  .object({
    id: z
      .string()
      .regex(/^[a-zA-Z][a-zA-Z0-9]{10}$/, 'id must be a DHIS2 uid')
      .optional(),
    name: z.string().trim().min(1, 'name is required').max(230),
    jobType: z.string().min(1, 'jobType is required'),
    cronExpression: z.string({ error: 'cronExpression is required' }).min(1).max(200),
    jobParameters: z.object({ dataValuesPageSize: z.number().int().optional() }).loose().optional(),
    enabled: z.boolean().optional(),
  })
  .loose()
  .meta({ id: 'JobConfigurationBody' });
export type JobConfigurationBody = z.infer<typeof JobConfigurationBody>;

export const JobConfigurationDto = z
  .object({
    id: z.string(),
    name: z.string(),
    displayName: z.string(),
    jobType: z.string(),
    schedulingType: z.literal('CRON'),
    cronExpression: z.string(),
    jobParameters: z.object({ dataValuesPageSize: z.number() }),
    enabled: z.boolean(),
    configurable: z.boolean(),
    jobStatus: z.string(),
    userUid: z.string(),
    lastExecuted: z.string().optional(),
    lastExecutedStatus: z.string().optional(),
    lastRuntimeExecution: z.string().optional(),
    nextExecutionTime: z.string().optional(),
    created: z.string(),
    lastUpdated: z.string(),
  })
  .meta({ id: 'JobConfiguration' });
export type JobConfigurationDto = z.infer<typeof JobConfigurationDto>;

export function toJobDto(j: JobConfiguration, running: boolean): JobConfigurationDto {
  return {
    id: j.id,
    name: j.name,
    displayName: j.name,
    jobType: j.jobType,
    schedulingType: 'CRON',
    cronExpression: j.cronExpression,
    jobParameters: j.jobParameters,
    enabled: j.enabled,
    configurable: true,
    // DHIS2's JobStatus: what the job is doing now.
    jobStatus: running ? 'RUNNING' : j.enabled ? 'SCHEDULED' : 'DISABLED',
    userUid: j.createdBy,
    ...(j.lastExecuted ? { lastExecuted: isoWithOffset(j.lastExecuted) } : {}),
    ...(j.lastExecutedStatus ? { lastExecutedStatus: j.lastExecutedStatus } : {}),
    ...(j.lastRuntimeExecution ? { lastRuntimeExecution: j.lastRuntimeExecution } : {}),
    ...(j.nextExecutionTime ? { nextExecutionTime: isoWithOffset(j.nextExecutionTime) } : {}),
    created: isoWithOffset(j.created),
    lastUpdated: isoWithOffset(j.lastUpdated),
  };
}

export const JobExecutionDto = z
  .object({
    id: z.number(),
    trigger: z.string(),
    scheduledFor: z.string().nullable(),
    holder: z.string(),
    start: z.string(),
    end: z.string().nullable(),
    status: z.string(),
    syncReport: z.string().nullable(),
    message: z.string().nullable(),
  })
  .meta({ id: 'JobExecution' });

export const toExecutionDto = (e: JobExecution): z.infer<typeof JobExecutionDto> => ({
  id: e.id,
  trigger: e.trigger,
  scheduledFor: e.scheduledFor ? isoWithOffset(e.scheduledFor) : null,
  holder: e.holder,
  start: isoWithOffset(e.start),
  end: e.end ? isoWithOffset(e.end) : null,
  status: e.status,
  syncReport: e.reportId,
  message: e.message,
});
