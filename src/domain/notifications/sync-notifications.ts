/**
 * Who is told what after a sync run (issue 8 §4, contract §10). Pure rules: the report in, the
 * mails to send out; rendering and SMTP live in src/mail. DHIS2 sends one success mail per
 * imported version and one failure mail when a run gives up. `keyMetadataSyncNotifyOnlyOnChange`
 * (metasync) keeps a local that fails every hour from flooding an inbox: then only the first
 * failure and the recovery are mailed.
 */
import type { FailureKind, SyncReport, VersionReport } from '../sync/sync-report.ts';

export type SyncNotification =
  /** `dataPushWarning`: the run's push left a kind unpushed (issue 16 §4), said in the mail. */
  | { kind: 'SUCCESS'; version: VersionReport; dataPushWarning?: string }
  | { kind: 'FAILURE'; report: SyncReport; advice: string }
  /** The first success after failures when nothing new was imported (only-on-change mode). */
  | { kind: 'RECOVERY'; report: SyncReport };

export interface NotificationInput {
  report: SyncReport;
  /** The newest earlier run that finished SUCCESS or FAILED (null if none). */
  previous: SyncReport | null;
  onlyOnChange: boolean;
}

/** Versions that count as imported (DHIS2: OK, or WARNING of a best-effort import). */
const imported = (r: SyncReport) =>
  r.versions.filter((v) => v.status === 'SUCCESS' || v.status === 'WARNING');

export function notificationsFor({
  report,
  previous,
  onlyOnChange,
}: NotificationInput): SyncNotification[] {
  // INTERRUPTED or still RUNNING: nothing settled, nothing to say.
  if (report.status !== 'SUCCESS' && report.status !== 'FAILED') return [];
  const wasFailing = previous?.status === 'FAILED';
  const push = report.steps.find((s) => s.name === 'dataPush');
  const warned = push?.status === 'WARNING' ? { dataPushWarning: push.message ?? 'WARNING' } : {};
  const successes = imported(report).map((version) => ({
    kind: 'SUCCESS' as const,
    version,
    ...warned,
  }));
  if (report.status === 'FAILED') {
    const failure = {
      kind: 'FAILURE' as const,
      report,
      advice: adviceFor(report.error?.kind ?? 'INTERNAL'),
    };
    // Versions imported before the failure are still news, as in DHIS2.
    if (!onlyOnChange) return [...successes, failure];
    return wasFailing ? [] : [failure];
  }
  if (!onlyOnChange) return successes;
  if (!wasFailing) return [];
  return successes.length > 0 ? successes : [{ kind: 'RECOVERY', report }];
}

/** What an administrator should do about a failure, by kind; the mail's last paragraph. */
export function adviceFor(kind: FailureKind): string {
  switch (kind) {
    case 'REMOTE_NOT_CONFIGURED':
      return 'Set keyRemoteInstanceUrl, keyRemoteInstanceUsername and keyRemoteInstancePassword in the system settings.';
    case 'REMOTE_UNREACHABLE':
      return 'Check that the central server is up and reachable from this server (network, DNS, proxy); the next scheduled run retries.';
    case 'REMOTE_AUTH':
      return 'Check the remote username and password in the system settings, and that the user on the central has F_METADATA_MANAGE.';
    case 'REMOTE_REDIRECT':
      return 'The central answered with a redirect (the report names where to). Set keyRemoteInstanceUrl to that address, usually the https:// one, in the system settings.';
    case 'REMOTE_ERROR':
      return 'The central answered with an error; look at its logs. The next scheduled run retries.';
    case 'DATA_PUSH':
      return 'The data push to the central failed, so no metadata was pulled. Check the central accepts the data (its import summary is in the sync report) and retry.';
    case 'HASH_MISMATCH':
    case 'BAD_SNAPSHOT':
      return 'The snapshot downloaded from the central was damaged or did not match its hash. Retry; if it persists, check the central and any proxy in between.';
    case 'VERSION_MISMATCH':
      return 'This server and the central follow different DHIS2 versions while keyStopMetadataSync is on. Align the versions or switch the setting off.';
    case 'IMPORT_FAILED':
      return 'The version could not be imported (the errors are in the sync report). Fix the metadata on the central and create a new version.';
    case 'DIVERGED':
    case 'VERSION_EXISTS':
      return "This server's versions differ from the central's. See the sync report, then rebaseline (POST /api/metadata/sync/rebaseline) if the central is right.";
    case 'INTERRUPTED':
      return 'The server stopped during the sync, or the run lost its lease to another run; the next run continues from the last imported version.';
    case 'INTERNAL':
      return 'An internal error stopped the sync; the server log has the details. Retry, and report it if it persists.';
  }
}
