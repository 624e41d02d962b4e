/**
 * Response schemas of the local's sync endpoints (issue 6 §4–§6). The report and the status are
 * documented objects (./json.ts): a report is stored as JSON and read back as it was written,
 * including the fields older runs wrote, so the answer passes it on as it is; the shapes below
 * are what the domain writes today (domain/sync/sync-report.ts, sync-status.ts).
 */
import { z } from 'zod';
import { driftSummarySchema } from './drift.ts';
import { anyJson, documented } from './json.ts';
import { ErrorReportShape, ImportStatsShape } from './web-message-response.ts';

const StepShape = z.object({
  name: z.enum(['setUp', 'ping', 'dataPush', 'history', 'versions']),
  status: z.enum(['SUCCESS', 'WARNING', 'FAILED', 'SKIPPED', 'NOT_EXECUTED', 'RUNNING']),
  message: z.string().optional(),
});

/** How a snapshot was downloaded (issue 19 §6). */
const DownloadShape = z.object({
  received: z.number().meta({ description: 'Bytes received over the network by this download' }),
  size: z.number().meta({ description: "The whole file's length (kept bytes + received)" }),
  resumedFrom: z.number().meta({ description: 'The byte it continued from; 0 from the start' }),
  seconds: z.number(),
  resumes: z
    .array(z.number())
    .optional()
    .meta({ description: 'The bytes it continued from after breaks within the same attempt' }),
});

const DownloadProgressShape = z.object({
  version: z.string(),
  received: z.number(),
  total: z.number().nullable(),
  resumedFrom: z.number(),
  bytesPerSecond: z.number(),
});

/** What a run moved over its link (issue 19 §6). */
const TransferShape = z.object({
  bytesReceived: z.number(),
  bytesSent: z.number(),
  resumed: z.array(z.object({ version: z.string(), from: z.number() })),
  bytesPerSecond: z.number().nullable(),
  downloading: DownloadProgressShape.optional().meta({
    description: 'While the run goes on: the download under way (saved about every second)',
  }),
});

const VersionReportShape = z.object({
  name: z.string(),
  type: z.string(),
  status: z.enum(['SUCCESS', 'WARNING', 'FAILED', 'NOT_EXECUTED']),
  stats: ImportStatsShape.optional(),
  typeStats: z.record(z.string(), ImportStatsShape).optional(),
  errors: z.array(ErrorReportShape),
  deletions: z.object({ applied: z.number(), skipped: z.number() }).optional(),
  message: z.string().optional(),
  seconds: z.number().optional(),
  download: DownloadShape.optional(),
  drifted: z
    .array(
      z.object({
        type: z.string(),
        id: z.string(),
        name: z.string().nullable(),
        kind: z.enum(['changed', 'created', 'deleted']),
      }),
    )
    .optional()
    .meta({
      description:
        'Objects this version touches (or its errors name) that had drifted locally before it was imported (issue 23 §3)',
    }),
});

const FailureShape = z.object({
  kind: z.string().meta({ description: 'A FailureKind (docs/errors.md)' }),
  message: z.string(),
  version: z.string().nullable(),
  step: z.string(),
});

export const SyncReportShape = z.object({
  id: z.string(),
  trigger: z.enum(['SCHEDULED', 'MANUAL', 'MANUAL_VERSION', 'CLI', 'DEMO', 'BUNDLE']),
  triggeredBy: z.string().nullable(),
  status: z.enum(['RUNNING', 'SUCCESS', 'FAILED', 'INTERRUPTED']),
  startTime: z.string(),
  endTime: z.string().nullable(),
  attempts: z.number(),
  steps: z.array(StepShape),
  versions: z.array(VersionReportShape),
  fromVersion: z.string().nullable(),
  toVersion: z.string().nullable(),
  remoteVersion: z.string().nullable(),
  central: z
    .object({
      version: z.string().nullable(),
      revision: z.string().nullable(),
      metasync: z.boolean(),
      name: z.string().nullable().optional(),
      unavailable: z.string().optional(),
    })
    .optional(),
  fleet: z
    .object({
      status: z.enum(['SENT', 'FAILED']),
      locals: z.number(),
      message: z.string(),
    })
    .optional()
    .meta({
      description:
        "A relay's report of its downstream fleet to a metasync upstream after the run (issue 21 §4)",
    }),
  signingKey: z
    .object({
      outcome: z.enum(['PINNED', 'SAME', 'CHANGED', 'NONE', 'UNREADABLE']),
      fingerprint: z.string().nullable(),
      pinnedFingerprint: z.string().nullable(),
      message: z.string(),
    })
    .optional()
    .meta({
      description:
        "The central's signing key against the pinned one (issue 20 §1); CHANGED: the pin was kept",
    }),
  error: FailureShape.nullable(),
  transfer: TransferShape.optional(),
  dataPushed: z
    .array(
      z.object({
        kind: z.enum(['dataValues', 'completeDataSetRegistrations', 'events']),
        status: z.enum(['SENT', 'WARNING', 'FAILED']),
        sent: z.number(),
        pages: z.number(),
        after: z.number(),
        upTo: z.number(),
        at: z.string(),
      }),
    )
    .optional()
    .meta({
      description:
        "Per kind, the rows the data push sent upstream: this server's changes after..upTo (issue 21 §2)",
    }),
  drift: driftSummarySchema.optional().meta({
    description: 'The drift check after the run (issue 23 §3); absent when none ran',
  }),
  notifications: z
    .array(
      z.object({
        kind: z.enum(['SUCCESS', 'FAILURE', 'RECOVERY']),
        to: z.string(),
        subject: z.string(),
        version: z.string().optional(),
        status: z.enum(['SENT', 'FAILED']),
        detail: z.string(),
        at: z.string(),
      }),
    )
    .optional(),
});
export const syncReportSchema = documented(
  'SyncReport',
  SyncReportShape,
  'A sync run: its steps, each version tried with its import stats and errors, and the cause of a failure',
);

export const SyncStatusShape = z.object({
  state: z.enum(['UP_TO_DATE', 'BEHIND', 'RUNNING', 'FAILED', 'DIVERGED', 'NOT_CONFIGURED']),
  currentVersion: z.string().nullable(),
  remoteVersion: z.string().nullable(),
  behindBy: z.number().nullable(),
  remoteCheckedAt: z.string().nullable().meta({
    description: "When the central's newest version was last read (a run or ?refresh=true)",
  }),
  remoteCheckError: z.string().nullable().meta({
    description: 'Why the last ?refresh=true could not read the central, if it could not',
  }),
  lastAttempt: z.string().nullable(),
  lastSuccess: z.string().nullable(),
  runningReport: z.string().nullable(),
  localVersionWarning: z.boolean(),
  systemVersion: z.string(),
  centralSystemVersion: z.string().nullable(),
  dataPushWarning: z.string().nullable(),
  failureKind: z.string().nullable().meta({ description: "The last run's FailureKind" }),
  relay: z
    .object({
      upstream: z.object({ url: z.string(), name: z.string().nullable() }),
      downstream: z.object({
        locals: z.number(),
        behind: z.number(),
        failing: z.number(),
        diverged: z.number(),
      }),
    })
    .nullable()
    .meta({
      description:
        'On a relay (issue 21 §5): its upstream, and counts over every local below it; null otherwise',
    }),
  drift: driftSummarySchema.meta({
    description:
      'The last drift check (issue 23 §3): objects changed, created and deleted locally; null before any',
  }),
  message: z.string(),
});
/** Our own flat answer: a closed object, so a field the domain adds must be declared here. */
export const syncStatusSchema = SyncStatusShape.meta({
  id: 'SyncStatus',
  description: 'The sync state at a glance',
});

/** `POST /api/metadata/sync/run` without `wait`: the run's report, still running. */
export const syncStartedSchema = z
  .object({ id: z.string(), status: z.string(), href: z.string() })
  .meta({ id: 'SyncStarted' });

export const RebaselineShape = z.object({
  to: z.string(),
  hashCode: z.string(),
  from: z.string().nullable(),
  fromHashCode: z.string().nullable(),
  removed: anyJson,
});
export const rebaselineSchema = documented(
  'Rebaseline',
  RebaselineShape,
  "The rebaseline done: the central's version taken and the local one it replaced",
);

export const auditEntrySchema = z
  .object({
    id: z.number(),
    action: z.string(),
    username: z.string(),
    at: z.string(),
    reason: z.string(),
    details: documented(null, RebaselineShape, "The action's details (a rebaseline's)"),
  })
  .meta({ id: 'SyncAuditEntry' });

/** DHIS2's MetadataSyncSummary for `GET /api/metadata/sync?versionName=` (contract §6.7). */
export const MetadataSyncSummaryShape = z.object({
  responseType: z.literal('MetadataSyncSummary'),
  importReport: z
    .object({ status: z.string(), stats: anyJson, errorReports: z.array(anyJson) })
    .nullable(),
  metadataVersion: z
    .object({
      name: z.string(),
      type: z.string(),
      hashCode: z.string(),
      id: z.string(),
      created: z.string(),
      importDate: z.string().optional(),
    })
    .nullable(),
  syncReport: z.string(),
  versions: z.array(z.object({ name: z.string(), status: z.string(), stats: anyJson })),
});
export const metadataSyncSummarySchema = documented(
  'MetadataSyncSummary',
  MetadataSyncSummaryShape,
  "DHIS2's MetadataSyncSummary of the last version the sync handled",
);
