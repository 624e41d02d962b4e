/**
 * The local's sync state at a glance (issue 6 §6): computed from the last reports, the current
 * version, the newest central version seen and when it was seen (`remoteCheckedAt`: by the last
 * run's history step, or by a status read with ?refresh=true, which asks the central first). A
 * DIVERGED or VERSION_EXISTS failure recorded before a rebaseline no longer counts: the
 * rebaseline is what mends it (issue 17 §6).
 */
import type { DriftSummary } from '../drift/drift.ts';
import type { DownstreamCounts } from '../versioning/fleet.ts';
import { versionNumber, type MetadataVersion } from '../versioning/version.ts';
import type { FailureKind, SyncReport } from './sync-report.ts';

export type SyncState =
  'UP_TO_DATE' | 'BEHIND' | 'RUNNING' | 'FAILED' | 'DIVERGED' | 'NOT_CONFIGURED';

export interface SyncStatus {
  state: SyncState;
  currentVersion: string | null;
  remoteVersion: string | null;
  behindBy: number | null;
  /** When the central's newest version was last read (ISO); null when never. */
  remoteCheckedAt: string | null;
  /** Why a status read with ?refresh=true could not ask the central; null otherwise. */
  remoteCheckError: string | null;
  lastAttempt: string | null;
  lastSuccess: string | null;
  runningReport: string | null;
  /** True when the current version was created here, not pulled: the DHIS2 docs warn against it. */
  localVersionWarning: boolean;
  /**
   * The build strings keyStopMetadataSync compares (issue 16 §11): this instance's
   * `system.version` and the central's `/api/system/info` version as last read (null: unknown).
   */
  systemVersion: string;
  centralSystemVersion: string | null;
  /** The last run's data push left something unpushed (issue 16 §4): what. */
  dataPushWarning: string | null;
  /** Why the last run failed, classified (docs/errors.md): what a client acts on, not `message`. */
  failureKind: FailureKind | null;
  /** On a relay (issue 21 §5): its upstream and its downstream tree at a glance; null otherwise. */
  relay: RelayStatus | null;
  /** The last drift check (issue 23 §3); null before the first. Drift warns, never blocks. */
  drift: DriftSummary | null;
  message: string;
}

export interface RelayStatus {
  upstream: { url: string; name: string | null };
  downstream: DownstreamCounts;
}

const pushWarning = (r: SyncReport | null): string | null => {
  const step = r?.steps.find((s) => s.name === 'dataPush');
  return step?.status === 'WARNING' ? (step.message ?? 'WARNING') : null;
};

/** Drift warns, never blocks (issue 23 §3): the status says it, the state stays what it is. */
const driftWarning = (d: DriftSummary | null): string =>
  d && d.changed + d.created + d.deleted > 0
    ? ` Drifted: ${d.changed} changed, ${d.created} created, ${d.deleted} deleted locally since the versions applied (checked ${d.checkedAt}; see metasync drift).`
    : '';

/** A failure a rebaseline mends, recorded before the newest rebaseline. */
const mended = (last: SyncReport, input: { rebaselinedAt?: Date | null }): boolean =>
  (last.error?.kind === 'DIVERGED' || last.error?.kind === 'VERSION_EXISTS') &&
  input.rebaselinedAt != null &&
  input.rebaselinedAt.getTime() >= Date.parse(last.endTime ?? last.startTime);

export function syncStatus(input: {
  configured: boolean;
  running: string | null;
  last: SyncReport | null;
  lastSuccess: SyncReport | null;
  current: MetadataVersion | null;
  remoteVersion: string | null;
  remoteCheckedAt?: string | null;
  remoteCheckError?: string | null;
  /** The newest rebaseline, if any. */
  rebaselinedAt?: Date | null;
  systemVersion: string;
  relay?: RelayStatus | null;
  drift?: DriftSummary | null;
}): SyncStatus {
  const { current, last } = input;
  const ownVersion = current !== null && current.importDate === null;
  const remoteVersion = input.remoteVersion;
  const behindBy =
    remoteVersion && current
      ? Math.max(0, (versionNumber(remoteVersion) ?? 0) - (versionNumber(current.name) ?? 0))
      : remoteVersion
        ? (versionNumber(remoteVersion) ?? null)
        : null;
  const base = {
    currentVersion: current?.name ?? null,
    remoteVersion,
    behindBy,
    remoteCheckedAt: input.remoteCheckedAt ?? null,
    remoteCheckError: input.remoteCheckError ?? null,
    lastAttempt: last?.startTime ?? null,
    lastSuccess: input.lastSuccess?.endTime ?? null,
    runningReport: input.running,
    localVersionWarning: ownVersion,
    systemVersion: input.systemVersion,
    // The newest run that read it: a run that failed before reading keeps the one before.
    centralSystemVersion: (last?.central ?? input.lastSuccess?.central)?.version ?? null,
    dataPushWarning: pushWarning(last),
    failureKind: last?.error?.kind ?? null,
    relay: input.relay ?? null,
    drift: input.drift ?? null,
  };
  const pushed = base.dataPushWarning ? ` Data push: ${base.dataPushWarning}` : '';
  // A site without a link that imports offline bundles (issue 20 §3) has no remote to configure:
  // its state is that of its bundle runs, as a linked local's is that of its online runs.
  const offline =
    !input.configured && (last?.trigger === 'BUNDLE' || input.lastSuccess?.trigger === 'BUNDLE');
  const warn =
    (ownVersion
      ? ` Warning: ${current!.name} was created on this instance; a local that creates versions cannot keep receiving versions from its central.`
      : '') +
    pushed +
    driftWarning(input.drift ?? null) +
    (offline ? ' No remote server is configured: versions arrive in offline bundles.' : '');
  if (!input.configured && !offline)
    return {
      ...base,
      state: 'NOT_CONFIGURED',
      message: `No remote server is configured (keyRemoteInstanceUrl, username and password).${warn}`,
    };
  if (input.running)
    return { ...base, state: 'RUNNING', message: `A sync is running (report ${input.running}).` };
  if (last && last.status !== 'SUCCESS' && last.status !== 'RUNNING' && !mended(last, input)) {
    const kind = last.error?.kind;
    const state = kind === 'DIVERGED' ? 'DIVERGED' : 'FAILED';
    const at = last.error?.version ? ` at ${last.error.version}` : '';
    return {
      ...base,
      state,
      message: `${state === 'DIVERGED' ? 'Diverged' : 'Failed'}${at} (${last.error?.step ?? 'run'}): ${last.error?.message ?? last.status}.${warn}`,
    };
  }
  if (behindBy && behindBy > 0)
    return {
      ...base,
      state: 'BEHIND',
      message: `Behind the central by ${behindBy} version(s): ${current?.name ?? 'none'} here, ${remoteVersion} on the central.${warn}`,
    };
  return {
    ...base,
    state: 'UP_TO_DATE',
    message: current ? `Up to date at ${current.name}.${warn}` : `No versions yet.${warn}`,
  };
}
