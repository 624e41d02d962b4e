/**
 * Job configurations (issue 8, contract §13): what the scheduler runs and when, in DHIS2's
 * terms. Only `META_DATA_SYNC` exists here; other DHIS2 job types are refused by name so a
 * client learns at once that metasync will not run them.
 */
import { ErrorCode, errors } from '../errors.ts';
import { unstorable } from '../text.ts';
import { parseCron } from './cron-parse.ts';

export const JOB_TYPES = ['META_DATA_SYNC'] as const;
export type JobType = (typeof JOB_TYPES)[number];

/** DHIS2's MetadataSyncJobParameters (contract §9): page size of the data value push. */
export interface MetadataSyncParameters {
  dataValuesPageSize: number;
}
export const DEFAULT_PARAMETERS: MetadataSyncParameters = { dataValuesPageSize: 10000 };

/** Outcome of one execution. SKIPPED: another process held the sync lease. */
export type ExecutionStatus = 'RUNNING' | 'COMPLETED' | 'FAILED' | 'SKIPPED' | 'INTERRUPTED';

export interface JobConfiguration {
  id: string;
  name: string;
  jobType: JobType;
  cronExpression: string;
  jobParameters: MetadataSyncParameters;
  enabled: boolean;
  /** The user whose identity scheduled runs use (DHIS2's `executedBy` = creator). */
  createdBy: string;
  lastExecuted: Date | null;
  lastExecutedStatus: ExecutionStatus | null;
  /** Duration of the last run, DHIS2 style `HH:MM:SS.mmm`. */
  lastRuntimeExecution: string | null;
  nextExecutionTime: Date | null;
  created: Date;
  lastUpdated: Date;
}

export interface JobExecution {
  id: number;
  jobId: string;
  /** The cron instant this run was for; null for "execute now". */
  scheduledFor: Date | null;
  trigger: 'CRON' | 'CATCH_UP' | 'MANUAL';
  holder: string;
  start: Date;
  end: Date | null;
  status: ExecutionStatus;
  reportId: string | null;
  message: string | null;
}

export interface JobInput {
  name: string;
  jobType: string;
  cronExpression: string;
  jobParameters?: Partial<MetadataSyncParameters> | undefined;
  enabled?: boolean | undefined;
}

/**
 * Checks a create/update body. The cron expression must be one Spring's `CronExpression`
 * accepts (cron-parse.ts, issue 16 §10); the refusal is DHIS2's E7005 with Spring's reason.
 */
export function validateJobInput(input: JobInput): {
  jobType: JobType;
  cronExpression: string;
  jobParameters: MetadataSyncParameters;
} {
  // A NUL failed the insert (500) and a lone surrogate was stored as U+FFFD (issue 10 §5).
  if (unstorable(input.name))
    throw errors.invalidField('name', 'name must not contain U+0000 or an unpaired surrogate');
  if (!(JOB_TYPES as readonly string[]).includes(input.jobType))
    throw errors.invalidField(
      'jobType',
      `Job type ${input.jobType} is not supported: metasync schedules only ${JOB_TYPES.join(', ')}`,
      ErrorCode.JOB_TYPE_UNSUPPORTED,
    );
  const cron = parseCron(input.cronExpression);
  if (!cron.ok)
    throw errors.invalidField(
      'cronExpression',
      `Cron expression is invalid: \`${cron.reason}\``,
      ErrorCode.CRON_INVALID,
    );
  const size = input.jobParameters?.dataValuesPageSize ?? DEFAULT_PARAMETERS.dataValuesPageSize;
  if (!Number.isInteger(size) || size < 50 || size > 30000)
    throw errors.invalidField(
      'jobParameters.dataValuesPageSize',
      `jobParameters.dataValuesPageSize must be an integer from 50 to 30000, got ${size}`,
    );
  return {
    jobType: input.jobType as JobType,
    cronExpression: input.cronExpression.trim().split(/\s+/).join(' '),
    jobParameters: { dataValuesPageSize: size },
  };
}

/** `HH:MM:SS.mmm`, the form DHIS2 gives `lastRuntimeExecution` in. */
export function formatRuntime(ms: number): string {
  const t = Math.max(0, Math.round(ms));
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  const h = Math.floor(t / 3_600_000);
  const m = Math.floor(t / 60_000) % 60;
  const s = Math.floor(t / 1000) % 60;
  return `${pad(h)}:${pad(m)}:${pad(s)}.${pad(t % 1000, 3)}`;
}

/**
 * ISO-8601 with the server's UTC offset (`2026-11-25T03:00:00.000+01:00`): cron runs in the
 * server's time zone (as DHIS2), so times are shown in it, unambiguously.
 */
export function isoWithOffset(d: Date): string {
  const offset = -d.getTimezoneOffset();
  const local = new Date(d.getTime() + offset * 60_000).toISOString().slice(0, -1);
  const sign = offset >= 0 ? '+' : '-';
  const abs = Math.abs(offset);
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/** What the scheduler needs from storage; one conformance with PGlite and PostgreSQL. */
export interface JobStore {
  list(): Promise<JobConfiguration[]>;
  get(id: string): Promise<JobConfiguration | null>;
  /** Throws AppError CONFLICT when the name is taken. */
  create(job: JobConfiguration): Promise<void>;
  update(job: JobConfiguration): Promise<void>;
  delete(id: string): Promise<boolean>;
  setNextExecution(id: string, next: Date | null): Promise<void>;
  recordOutcome(
    id: string,
    o: { lastExecuted: Date; status: ExecutionStatus; runtime: string | null },
  ): Promise<void>;
  /**
   * Inserts a RUNNING execution, or returns null when an execution for the same job and
   * `scheduledFor` instant exists already (another process took that tick).
   */
  claim(e: Omit<JobExecution, 'id' | 'end' | 'reportId' | 'message'>): Promise<number | null>;
  setReport(executionId: number, reportId: string): Promise<void>;
  finish(
    executionId: number,
    o: { status: ExecutionStatus; end: Date; message?: string | null },
  ): Promise<void>;
  executions(jobId: string, limit: number): Promise<JobExecution[]>;
  /** RUNNING executions whose sync report is no longer running (a crashed process): INTERRUPTED. */
  interruptOrphans(now: Date): Promise<number>;
}
