/** Table types for Kysely; they mirror `migrations/` (append-only). */
import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string, Date | string>;

export interface InstanceTable {
  id: number;
  system_id: string;
  secret_salt: string;
  fallback_secret: string;
  created: Timestamp;
  signing_public_key: string | null;
  signing_private_key_sealed: string | null;
}

export interface UserRoleTable {
  id: string;
  name: string;
  code: string | null;
  authorities: ColumnType<string[], string, string>;
  created: ColumnType<Date, Date | string | undefined, never>;
  last_updated: Timestamp;
}

export interface AppUserTable {
  id: string;
  username: string;
  password_hash: string;
  email: string | null;
  first_name: string;
  surname: string;
  disabled: ColumnType<boolean, boolean | undefined, boolean>;
  created: ColumnType<Date, Date | string | undefined, never>;
  last_updated: Timestamp;
}

export interface UserRoleMemberTable {
  user_id: string;
  role_id: string;
}

export interface SystemSettingTable {
  key: string;
  value: ColumnType<unknown, string, string>;
  last_updated: Timestamp;
}

export interface LoginFailureTable {
  id: Generated<number>;
  username: string;
  /** The client's address, or its IPv6 /64 (0009, issue 16 §6); '' before 0009. */
  client: Generated<string>;
  failed_at: Timestamp;
}

export interface MetadataObjectTable {
  id: string;
  type: string;
  code: string | null;
  scope: string;
  name: string | null;
  unique_name: string | null;
  payload: ColumnType<Record<string, unknown>, string, string>;
  content_hash: string;
  created: Timestamp;
  last_updated: Timestamp;
  created_by: string | null;
  last_updated_by: string | null;
  seq: number;
}

export interface MetadataRefTable {
  source_type: string;
  source_id: string;
  target_id: string;
}

export interface MetadataTombstoneTable {
  seq: number;
  type: string;
  id: string;
  code: string | null;
  deleted_at: Timestamp;
  deleted_by: string | null;
}

export interface ChangeCounterTable {
  id: number;
  seq: number;
}

export interface MetadataVersionTable {
  id: string;
  name: string;
  number: number;
  type: string;
  hash_code: string;
  parent_hash_code: string | null;
  created: Timestamp;
  import_date: Timestamp | null;
  seq_from: number | null;
  seq_to: number | null;
  bytes: number;
  gzip_bytes: number;
  objects: number;
  deletions: number;
  types: ColumnType<Record<string, number>, string, string>;
  /** Migration 0014 (issue 22): CANARY, HELD or RELEASED. */
  rollout_state: Generated<string>;
  state_changed_at: Timestamp | null;
}

/** The central's staged rollout (migration 0014, issue 22): one row, id 1. */
export interface RolloutConfigTable {
  id: number;
  enabled: boolean;
  ring: ColumnType<unknown[], string, string>;
  auto_release_minutes: number | null;
  updated_by: string;
  updated_at: Timestamp;
}

export interface RolloutOutcomeTable {
  version_id: string;
  local_key: string;
  system_id: string | null;
  username: string;
  status: string;
  failure_kind: string | null;
  message: string | null;
  at: Timestamp;
}

export interface WithdrawnVersionTable {
  id: string;
  name: string;
  hash_code: string;
  withdrawn_by: string;
  withdrawn_at: Timestamp;
  reason: string;
}

export interface SnapshotChunkTable {
  version_id: string;
  kind: string;
  n: number;
  data: Uint8Array;
}

export interface FleetLocalTable {
  key: string;
  system_id: string | null;
  name: string | null;
  username: string;
  address: string;
  baseline: string | null;
  last_seen: Timestamp;
  /** Migration 0013 (issue 21 §4): the fleet as a tree. */
  state: string | null;
  via: string | null;
  relay: string | null;
  reported_at: Timestamp | null;
}

export interface SyncReportTable {
  id: string;
  trigger: string;
  triggered_by: string | null;
  status: string;
  start_time: Timestamp;
  end_time: Timestamp | null;
  body: ColumnType<Record<string, unknown>, string, string>;
}

export interface SyncLeaseTable {
  id: number;
  report_id: string | null;
  holder: string | null;
  expires_at: Timestamp | null;
}

export interface SyncAuditTable {
  id: Generated<number>;
  action: string;
  username: string;
  at: Timestamp;
  reason: string;
  details: ColumnType<Record<string, unknown>, string, string>;
}

/** Aggregate data and anonymous events (migration 0005, issue 7). */
export interface DataValueTable {
  data_element: string;
  period: string;
  org_unit: string;
  category_option_combo: string;
  attribute_option_combo: string;
  value: string | null;
  stored_by: string | null;
  created: Timestamp;
  last_updated: Timestamp;
  comment: string | null;
  followup: boolean;
  deleted: boolean;
  seq: ColumnType<string, number | string, number | string>;
}

export interface CompleteRegistrationTable {
  data_set: string;
  period: string;
  org_unit: string;
  attribute_option_combo: string;
  date: Timestamp;
  stored_by: string | null;
  last_updated_by: string | null;
  last_updated: Timestamp;
  completed: boolean;
  deleted: boolean;
  seq: ColumnType<string, number | string, number | string>;
}

export interface EventTable {
  uid: string;
  program: string;
  program_stage: string;
  org_unit: string;
  attribute_option_combo: string;
  event_date: Timestamp;
  status: string;
  stored_by: string | null;
  data_values: ColumnType<unknown[], string, string>;
  deleted: boolean;
  created: Timestamp;
  last_updated: Timestamp;
  seq: ColumnType<string, number | string, number | string>;
  last_synchronized: Timestamp | null;
}

export interface DataChangeCounterTable {
  id: number;
  seq: ColumnType<string, number | string, number | string>;
}

export interface Database {
  instance: InstanceTable;
  user_role: UserRoleTable;
  app_user: AppUserTable;
  user_role_member: UserRoleMemberTable;
  system_setting: SystemSettingTable;
  login_failure: LoginFailureTable;
  metadata_object: MetadataObjectTable;
  metadata_ref: MetadataRefTable;
  metadata_tombstone: MetadataTombstoneTable;
  change_counter: ChangeCounterTable;
  metadata_version: MetadataVersionTable;
  snapshot_chunk: SnapshotChunkTable;
  fleet_local: FleetLocalTable;
  sync_report: SyncReportTable;
  sync_lease: SyncLeaseTable;
  sync_audit: SyncAuditTable;
  data_value: DataValueTable;
  complete_registration: CompleteRegistrationTable;
  event: EventTable;
  data_change_counter: DataChangeCounterTable;
  job_configuration: JobConfigurationTable;
  job_execution: JobExecutionTable;
  tracked_entity: TrackedEntityTable;
  enrollment: EnrollmentTable;
  enrollment_event: EnrollmentEventTable;
  partial_download: PartialDownloadTable;
  partial_download_chunk: PartialDownloadChunkTable;
  local_signing_key: LocalSigningKeyTable;
  rollout_config: RolloutConfigTable;
  rollout_outcome: RolloutOutcomeTable;
  withdrawn_version: WithdrawnVersionTable;
  drift_baseline: DriftBaselineTable;
  drift_state: DriftStateTable;
}

/** Scheduled jobs (issue 8, migration 0006). */
export interface JobConfigurationTable {
  id: string;
  name: string;
  job_type: string;
  cron_expression: string;
  job_parameters: ColumnType<Record<string, unknown>, string, string>;
  enabled: boolean;
  created_by: string;
  last_executed: Timestamp | null;
  last_executed_status: string | null;
  last_runtime_execution: string | null;
  next_execution_time: Timestamp | null;
  created: Timestamp;
  last_updated: Timestamp;
}

export interface JobExecutionTable {
  id: Generated<number>;
  job_id: string;
  scheduled_for: Timestamp | null;
  trigger: string;
  holder: string;
  start: Timestamp;
  end: Timestamp | null;
  status: string;
  report_id: string | null;
  message: string | null;
}

/** Tracked entities, enrollments, enrollment events (migration 0008, issue 16 §1). */
type Seq = ColumnType<string, number | string, number | string>;
type Payload = ColumnType<Record<string, unknown>, string, string>;

export interface TrackedEntityTable {
  uid: string;
  tracked_entity_type: string;
  org_unit: string;
  payload: Payload;
  deleted: boolean;
  created: Timestamp;
  last_updated: Timestamp;
  seq: Seq;
  last_synchronized: Timestamp | null;
}

export interface EnrollmentTable {
  uid: string;
  tracked_entity: string;
  program: string;
  org_unit: string;
  status: string;
  enrollment_date: Timestamp | null;
  incident_date: Timestamp | null;
  payload: Payload;
  deleted: boolean;
  created: Timestamp;
  last_updated: Timestamp;
  seq: Seq;
}

export interface EnrollmentEventTable {
  uid: string;
  enrollment: string;
  program: string;
  program_stage: string;
  org_unit: string;
  status: string;
  event_date: Timestamp | null;
  due_date: Timestamp | null;
  attribute_option_combo: string;
  payload: Payload;
  deleted: boolean;
  created: Timestamp;
  last_updated: Timestamp;
  seq: Seq;
}

/** Broken-off snapshot downloads kept for resuming (issue 19 §2, migration 0010). */
export interface PartialDownloadTable {
  version: string;
  number: number;
  version_id: string;
  etag: string;
  bytes: ColumnType<string, number | string | undefined, number | string>;
  chunks: ColumnType<number, number | undefined, number>;
  updated: Timestamp;
}

export interface PartialDownloadChunkTable {
  version: string;
  n: number;
  data: Uint8Array;
}

/** The locals' signing keys a central pins (issue 20 §5, migration 0012). */
export interface LocalSigningKeyTable {
  system_id: string;
  public_key: string;
  fingerprint: string;
  pinned_by: string;
  pinned_at: Timestamp;
  reason: string;
}

/** Issue 23: what the applied versions say each object's content is (migration 0015). */
export interface DriftBaselineTable {
  type: string;
  id: string;
  hash: string;
  version: string;
  payload: ColumnType<Record<string, unknown> | null, string | null | undefined, string | null>;
}

export interface DriftStateTable {
  id: number;
  base_kind: string;
  base_version: string;
  based_at: Date;
  checked_at: Date | null;
  changed: number | null;
  created: number | null;
  deleted: number | null;
}
