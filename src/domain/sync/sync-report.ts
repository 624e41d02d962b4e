/**
 * The report every sync run writes (issue 6 §4): steps in order with their status, each version
 * tried with its import stats and errors, and the cause of a failure. Expected failures are data
 * here (house rule 6); the mailer (issue 8) renders from this record.
 */
import type { DriftKind, DriftSummary } from '../drift/drift.ts';
import type { DataKind } from '../bundle/data-manifest.ts';
import type { CentralKeyNote } from '../bundle/key-pinning.ts';
import type { ErrorReport, ImportStats } from '../metadata/import-report.ts';
import type { CentralInfo, DownloadProgress, DownloadRecord } from './central-client.ts';

export type RunStatus = 'RUNNING' | 'SUCCESS' | 'FAILED' | 'INTERRUPTED';
/** WARNING: the step went on with something left undone (issue 16 §4: a data kind not pushed). */
export type StepStatus = 'SUCCESS' | 'WARNING' | 'FAILED' | 'SKIPPED' | 'NOT_EXECUTED' | 'RUNNING';
/** BUNDLE: an offline bundle's import (issue 20 §3), the same run over a file instead of a link. */
export type Trigger = 'SCHEDULED' | 'MANUAL' | 'MANUAL_VERSION' | 'CLI' | 'DEMO' | 'BUNDLE';

export const STEP_NAMES = ['setUp', 'ping', 'dataPush', 'history', 'versions'] as const;
export type StepName = (typeof STEP_NAMES)[number];

export interface StepReport {
  name: StepName;
  status: StepStatus;
  message?: string;
}

export interface VersionReport {
  name: string;
  type: string;
  status: 'SUCCESS' | 'WARNING' | 'FAILED' | 'NOT_EXECUTED';
  stats?: ImportStats;
  /** Stats per metadata type (DHIS2 klass), for the success mail (issue 8, contract §10). */
  typeStats?: Record<string, ImportStats>;
  errors: Pick<ErrorReport, 'errorCode' | 'message' | 'mainKlass' | 'errorProperty' | 'value'>[];
  deletions?: { applied: number; skipped: number };
  message?: string;
  seconds?: number;
  /** How its snapshot was downloaded (issue 19 §6). */
  download?: DownloadRecord;
  /**
   * Objects this version touches, or its errors name, that had drifted locally before it was
   * imported (issue 23 §3): "it failed because someone edited X here" made visible.
   */
  drifted?: DriftedObject[];
}

export interface DriftedObject {
  type: string;
  id: string;
  name: string | null;
  kind: DriftKind;
}

/**
 * What one kind of the run's data push sent upstream (issue 21 §2): the rows with
 * `after < seq <= upTo` in this server's change numbering, how many went, and when the kind
 * ended. On a relay these include what its own locals pushed to it; which rows came from below
 * is not told (no row records its origin, and storedBy names a user, not a server).
 */
export interface PushedKind {
  kind: DataKind;
  /** SENT: every page went and the watermark moved to `upTo`; otherwise it stayed at `after`. */
  status: 'SENT' | 'WARNING' | 'FAILED';
  sent: number;
  pages: number;
  after: number;
  upTo: number;
  at: string;
}

/** What a run moved over its link (issue 19 §6). */
export interface TransferReport {
  /** All bytes received from the central: answers, snapshots (as they came over the wire). */
  bytesReceived: number;
  /** All bytes sent to it: requests and data push bodies (as sent, compressed or not). */
  bytesSent: number;
  /** Each download that continued from kept bytes, and the byte it continued from. */
  resumed: { version: string; from: number }[];
  /** Snapshot bytes received per second of downloading; null when nothing was downloaded. */
  bytesPerSecond: number | null;
  /** While the run goes on: the download under way, for the UI's live run view (issue 19 §6). */
  downloading?: DownloadProgress;
}

/**
 * Why a run failed, classified: the second catalogue administrators see, in mails and the UI
 * (docs/errors.md, "Sync failures", kept in step by test/unit/failure-kinds.test.ts). RETRYABLE
 * failures are retried within the run, the others fail at once.
 */
export const FAILURE_KINDS = [
  'REMOTE_NOT_CONFIGURED',
  'REMOTE_UNREACHABLE',
  'REMOTE_AUTH',
  'REMOTE_REDIRECT',
  'REMOTE_ERROR',
  'DATA_PUSH',
  'HASH_MISMATCH',
  'BAD_SNAPSHOT',
  'VERSION_MISMATCH',
  'IMPORT_FAILED',
  'DIVERGED',
  'VERSION_EXISTS',
  'INTERRUPTED',
  'INTERNAL',
] as const;
export type FailureKind = (typeof FAILURE_KINDS)[number];

export const RETRYABLE: ReadonlySet<FailureKind> = new Set([
  'REMOTE_UNREACHABLE',
  'REMOTE_ERROR',
  'DATA_PUSH',
  'INTERNAL',
]);

export interface SyncFailure {
  kind: FailureKind;
  message: string;
  /** The version the run was at or working on (DHIS2's `keyMetadataFailedVersion`). */
  version: string | null;
  step: StepName;
}

export interface SyncReport {
  id: string;
  trigger: Trigger;
  triggeredBy: string | null;
  status: RunStatus;
  startTime: string;
  endTime: string | null;
  attempts: number;
  steps: StepReport[];
  versions: VersionReport[];
  /** The local's version before and after the run; the central's newest version seen. */
  fromVersion: string | null;
  toVersion: string | null;
  remoteVersion: string | null;
  /** When the run read the central's history, i.e. when `remoteVersion` was true (ISO). */
  remoteCheckedAt?: string;
  /** The central's release as read at the run's start (`/api/system/info`, issue 16 §4). */
  central?: CentralInfo;
  /** The central's signing key against the pinned one (issue 20 §1); CHANGED is a warning. */
  signingKey?: CentralKeyNote;
  error: SyncFailure | null;
  transfer?: TransferReport;
  /** Per kind, what the data push sent upstream (issue 21 §2); absent when no push ran. */
  dataPushed?: PushedKind[];
  /** The drift check after the run (issue 23 §3); absent when none ran (not a local). */
  drift?: DriftSummary;
  /** The mails sent (or not) after the run (issue 8); an SMTP failure is recorded, never fatal. */
  notifications?: NotificationRecord[];
  /**
   * A relay's report of its downstream fleet to its metasync upstream after the run (issue 21
   * §4): best effort, a failure is recorded here, never fails the run.
   */
  fleet?: { status: 'SENT' | 'FAILED'; locals: number; message: string };
}

export interface NotificationRecord {
  kind: 'SUCCESS' | 'FAILURE' | 'RECOVERY';
  to: string;
  subject: string;
  /** The version a success mail is about. */
  version?: string;
  status: 'SENT' | 'FAILED';
  /** The SMTP server's answer, or the error. */
  detail: string;
  at: string;
}

export function newReport(
  id: string,
  trigger: Trigger,
  triggeredBy: string | null,
  now: Date,
): SyncReport {
  return {
    id,
    trigger,
    triggeredBy,
    status: 'RUNNING',
    startTime: now.toISOString(),
    endTime: null,
    attempts: 0,
    steps: STEP_NAMES.map((name) => ({ name, status: 'NOT_EXECUTED' })),
    versions: [],
    fromVersion: null,
    toVersion: null,
    remoteVersion: null,
    error: null,
  };
}

export function setStep(
  report: SyncReport,
  name: StepName,
  status: StepStatus,
  message?: string,
): void {
  const step = report.steps.find((s) => s.name === name)!;
  step.status = status;
  if (message === undefined) delete step.message;
  else step.message = message;
}
