/**
 * The system settings metasync knows (contract §7.1, plus the e-mail and UI keys of later
 * issues). Each has a type and a default; `secret` ones are write-only and stored encrypted.
 * Unknown keys are refused, so a typo never silently becomes a new setting.
 */
export type SettingType = 'boolean' | 'string' | 'integer' | 'date';

export interface SettingDef {
  key: string;
  type: SettingType;
  default: string | number | boolean | null;
  secret?: boolean;
  /**
   * For a secret: the settings that say where it is sent. Changing one of them without setting
   * the secret again in the same request clears the secret, so a user who may edit settings
   * cannot point the sync (or the mailer) at a server of their own and collect the stored
   * password (found by the issue 10 security review).
   */
  boundTo?: readonly string[];
  /**
   * Written only by its own audited use case, never through the settings API (the pinned
   * central signing key, issue 20 §1: a silent change would defeat the pin). The API refuses a
   * change (409) and accepts the value it already holds, as a client posting a listing back.
   */
  managed?: string;
  /** Extra check on a parsed non-empty value; returns a reason when it is wrong. */
  check?: (value: string | number | boolean) => string | null;
  /** Bounds for integers. */
  min?: number;
  max?: number;
}

const httpUrl = (v: string | number | boolean): string | null => {
  if (v === '') return null;
  try {
    const u = new URL(String(v));
    return u.protocol === 'http:' || u.protocol === 'https:' ? null : 'must be an http(s) URL';
  } catch {
    return 'must be an http(s) URL';
  }
};

const email = (v: string | number | boolean): string | null =>
  v === '' || /^[^\s@]+@[^\s@]+$/.test(String(v)) ? null : 'must be an e-mail address';

const changeNumber = {
  type: 'integer',
  default: 0,
  min: 0,
  max: Number.MAX_SAFE_INTEGER,
} as const;

const defs = [
  // Versioning and sync (contract §7.1).
  { key: 'keyVersionEnabled', type: 'boolean', default: false },
  // metasync: snapshots also carry the deletions since the previous version (issue 5 §5).
  { key: 'keyVersionIncludeDeletions', type: 'boolean', default: false },
  // metasync: snapshots carry the bootstrap admin and Superuser role (issue 16 §7; off: a DHIS2
  // local importing them would lose its own administrator).
  { key: 'keyVersionIncludeBootstrapAdmin', type: 'boolean', default: false },
  { key: 'keyStopMetadataSync', type: 'boolean', default: false },
  { key: 'keyRemoteInstanceUrl', type: 'string', default: '', check: httpUrl },
  { key: 'keyRemoteInstanceUsername', type: 'string', default: '' },
  {
    key: 'keyRemoteInstancePassword',
    type: 'string',
    default: '',
    secret: true,
    boundTo: ['keyRemoteInstanceUrl'],
  },
  { key: 'keySystemMetadataVersion', type: 'string', default: '' },
  { key: 'keyRemoteMetadataVersion', type: 'string', default: '' },
  // metasync (issue 21 §5): the upstream's systemName as the last run read it, for "Relay of
  // <name>"; '' until a run has read it.
  { key: 'keyRemoteSystemName', type: 'string', default: '' },
  { key: 'keyMetadataFailedVersion', type: 'string', default: '' },
  { key: 'keyMetadataLastFailedTime', type: 'date', default: null },
  { key: 'keyLastMetaDataSyncSuccess', type: 'date', default: null },
  { key: 'keyLastSuccessfulDataSynch', type: 'date', default: null },
  { key: 'keyLastCompleteDataSetRegistrationSyncSuccess', type: 'date', default: null },
  { key: 'keyLastSuccessfulEventsDataSynch', type: 'date', default: null },
  { key: 'syncSkipSyncForDataChangedBefore', type: 'date', default: null },
  // metasync (issue 7 §4): the data change number each successful push reached. The push sends
  // exactly the rows numbered above it and at most the counter read at its start, so no value
  // is skipped or sent twice whatever the clocks say; the dates above stay for DHIS2 parity.
  { key: 'keyLastSuccessfulDataSynchSeq', ...changeNumber },
  { key: 'keyLastCompleteDataSetRegistrationSyncSeq', ...changeNumber },
  { key: 'keyLastSuccessfulEventsDataSynchSeq', ...changeNumber },
  // The data push's page sizes (DHIS2 job parameters dataValuesPageSize, eventProgramPageSize).
  { key: 'dataValuesPageSize', type: 'integer', default: 10_000, min: 1, max: 1_000_000 },
  { key: 'eventProgramPageSize', type: 'integer', default: 1_000, min: 1, max: 100_000 },
  {
    key: 'syncMaxRemoteServerAvailabilityCheckAttempts',
    type: 'integer',
    default: 3,
    min: 1,
    max: 100,
  },
  {
    key: 'syncDelayBetweenRemoteServerAvailabilityCheckAttempts',
    type: 'integer',
    default: 500,
    min: 0,
    max: 600_000,
  },
  { key: 'syncMaxAttempts', type: 'integer', default: 3, min: 1, max: 100 },
  { key: 'keyMetadataSyncNotifyOnlyOnChange', type: 'boolean', default: false },
  // metasync (issue 20 §1): the central's Ed25519 public key (PEM) this local checks bundles
  // against; '' when none is pinned.
  {
    key: 'keyCentralSigningKey',
    type: 'string',
    default: '',
    managed: 'PUT /api/metasync/signing-key/pinned',
  },
  // E-mail (issue 8).
  { key: 'keySystemNotificationsEmail', type: 'string', default: '', check: email },
  { key: 'keyEmailHostName', type: 'string', default: '' },
  { key: 'keyEmailPort', type: 'integer', default: 587, min: 1, max: 65535 },
  { key: 'keyEmailUsername', type: 'string', default: '' },
  {
    key: 'keyEmailPassword',
    type: 'string',
    default: '',
    secret: true,
    boundTo: ['keyEmailHostName', 'keyEmailPort'],
  },
  { key: 'keyEmailTls', type: 'boolean', default: true },
  { key: 'keyEmailSender', type: 'string', default: '', check: email },
  // Appearance.
  { key: 'applicationTitle', type: 'string', default: 'metasync' },
  // Security (issue 16 §6): DHIS2's temporary lock after failed logins, off unless set as in
  // DHIS2; metasync counts per username and client (login.lockout.* in the config file).
  { key: 'keyLockMultipleFailedLogins', type: 'boolean', default: false },
] as const satisfies readonly SettingDef[];

type Def = (typeof defs)[number];

/** Every setting key metasync knows, as a type: a typo in a typed read does not compile. */
export type SettingKey = Def['key'];

/** What a setting of each type holds once read: dates are ISO-8601 strings, or null when unset. */
interface TypeValues {
  boolean: boolean;
  integer: number;
  string: string;
  date: string | null;
}

/** The value type of each key, e.g. `SettingValues['keyEmailPort']` is `number`. */
export type SettingValues = { [D in Def as D['key']]: TypeValues[D['type']] };

export const SETTINGS: ReadonlyMap<string, SettingDef> = new Map(
  defs.map((d): [string, SettingDef] => [d.key, d]),
);

export const secretKeys = (): string[] =>
  [...SETTINGS.values()].filter((d) => d.secret).map((d) => d.key);
