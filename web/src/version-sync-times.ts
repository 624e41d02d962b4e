/**
 * Per version, when this instance last tried it and when it last synced it, from the sync
 * reports (newest first): DHIS2's "Last sync attempt" and "Last sync" columns of a local's
 * versions table (seed: configure-metadata-synchronizing.md, "Master version … Last sync").
 */
import type { SyncReport } from '../../src/http/schemas/api-types.ts';

export interface VersionSyncTimes {
  /** When the version was last tried, only when that try failed (DHIS2 shows it then). */
  failedAttempt: string | null;
  /** Why that try failed. */
  failure: string | null;
  /** When the version last synced (imported with SUCCESS or WARNING). */
  lastSync: string | null;
  /** The version's type as the report wrote it. */
  type: string;
}

/** A report's time for its versions: its end, or its start while it still runs. */
const reportTime = (r: Pick<SyncReport, 'startTime' | 'endTime'>) => r.endTime ?? r.startTime;

export function versionSyncTimes(
  reports: readonly Pick<SyncReport, 'startTime' | 'endTime' | 'versions'>[],
): Map<string, VersionSyncTimes> {
  const times = new Map<string, VersionSyncTimes>();
  // Oldest first, so each later report overwrites what an earlier one said.
  const ordered = [...reports].sort((a, b) => a.startTime.localeCompare(b.startTime));
  for (const r of ordered)
    for (const v of r.versions) {
      if (v.status === 'NOT_EXECUTED') continue;
      const at = reportTime(r);
      const t = times.get(v.name) ?? {
        failedAttempt: null,
        failure: null,
        lastSync: null,
        type: v.type,
      };
      if (v.status === 'FAILED') {
        t.failedAttempt = at;
        t.failure = v.message ?? v.errors[0]?.message ?? null;
      } else {
        t.lastSync = at;
        t.failedAttempt = null;
        t.failure = null;
      }
      times.set(v.name, t);
    }
  return times;
}
