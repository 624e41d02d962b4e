/**
 * The wire types of metasync's own API, inferred from the route schemas (issue 17 §5): the one
 * place the web UI (web/src, through `import type`, so no zod reaches its bundle) and the test
 * helpers take response types from, instead of writing their own copies. A documented open
 * object (./json.ts) is typed by its known fields; its other properties are `unknown`.
 */
import type { z } from 'zod';
import type { webMessageSchema } from '../web-message.ts';
import type { infoSchema, meSchema, sessionSchema, settingsObject } from './identity.ts';
import type { JobConfigurationDto, JobExecutionDto } from './job-configuration.ts';
import type { Documented } from './json.ts';
import type { pinnedKeySchema, signingKeySchema } from './signing-key.ts';
import type { dataBundleImportSchema, localKeysSchema } from './data-bundles.ts';
import type { MetadataObjectShape, pagerSchema } from './metadata.ts';
import type { driftSchema, driftSummarySchema, repairSchema } from './drift.ts';
import type { rolloutActionSchema, rolloutSchema, rolloutVersionsSchema } from './rollout.ts';
import type {
  MetadataSyncSummaryShape,
  RebaselineShape,
  SyncReportShape,
  SyncStatusShape,
  auditEntrySchema,
  syncStartedSchema,
} from './sync.ts';
import type {
  fleetSchema,
  metadataVersionItem,
  metadataVersionList,
  metadataVersionSchema,
  versionPreviewSchema,
} from './versions.ts';
import type {
  ErrorReportShape,
  ImportReportShape,
  ImportStatsShape,
  WebMessageResponseShape,
} from './web-message-response.ts';

export type WebMessageResponse = Documented<typeof WebMessageResponseShape>;
export type WebMessage = Omit<z.infer<typeof webMessageSchema>, 'response'> & {
  response?: WebMessageResponse;
};
export type ErrorReport = Documented<typeof ErrorReportShape>;
export type ImportStats = z.infer<typeof ImportStatsShape>;
export type ImportReport = z.infer<typeof ImportReportShape>;

export type Session = z.infer<typeof sessionSchema>;
export type Me = z.infer<typeof meSchema>;
export type SystemInfo = z.infer<typeof infoSchema>;
export type SystemSettings = z.infer<typeof settingsObject>;

export type MetadataObject = Documented<typeof MetadataObjectShape>;
export type Pager = z.infer<typeof pagerSchema>;

export type MetadataVersion = z.infer<typeof metadataVersionSchema>;
export type MetadataVersionListItem = z.infer<typeof metadataVersionItem>;
export type MetadataVersionList = z.infer<typeof metadataVersionList>;
export type VersionPreview = z.infer<typeof versionPreviewSchema>;
export type Fleet = z.infer<typeof fleetSchema>;
export type FleetLocal = Fleet['locals'][number];

export type SyncReport = Documented<typeof SyncReportShape>;
export type SyncVersionReport = SyncReport['versions'][number];
export type SyncStatus = Documented<typeof SyncStatusShape>;
export type SyncStarted = z.infer<typeof syncStartedSchema>;
export type Rebaseline = Documented<typeof RebaselineShape>;
export type SyncAuditEntry = z.infer<typeof auditEntrySchema>;
export type MetadataSyncSummary = Documented<typeof MetadataSyncSummaryShape>;

export type JobConfiguration = z.infer<typeof JobConfigurationDto>;
export type JobExecution = z.infer<typeof JobExecutionDto>;
export interface JobConfigurationList {
  jobConfigurations: JobConfiguration[];
}

export type SigningKey = z.infer<typeof signingKeySchema>;
export type PinnedKey = z.infer<typeof pinnedKeySchema>;
export type LocalKeys = z.infer<typeof localKeysSchema>;
export type DataBundleImport = z.infer<typeof dataBundleImportSchema>;

export type RolloutConfig = z.infer<typeof rolloutSchema>;
export type DriftReport = z.infer<typeof driftSchema>;
export type DriftSummary = z.infer<typeof driftSummarySchema>;
export type DriftRepairResult = z.infer<typeof repairSchema>;
export type RolloutVersions = z.infer<typeof rolloutVersionsSchema>;
export type RolloutVersionRow = RolloutVersions['versions'][number];
export type RolloutWithdrawal = RolloutVersions['withdrawals'][number];
export type RolloutActionResult = z.infer<typeof rolloutActionSchema>;
