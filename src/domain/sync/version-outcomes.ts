/**
 * What a metasync local tells its central after a run (issue 22 §3): the newest version it
 * imported (SUCCESS, or WARNING of a best-effort import), and the version the run stopped at
 * (FAILED, with the run's failure kind and message). A success on a version counts for every
 * earlier one (src/domain/rollout/release-plan.ts), so a run of 100 versions costs the central
 * two small requests, not 100. Versions not reached are not reported: nothing was tried.
 */
import type { SyncReport } from './sync-report.ts';

export interface VersionOutcome {
  version: string;
  status: 'SUCCESS' | 'FAILED';
  failureKind: string | null;
  message: string | null;
}

export function versionOutcomes(report: SyncReport): VersionOutcome[] {
  const out: VersionOutcome[] = [];
  for (const v of report.versions) {
    if (v.status === 'SUCCESS' || v.status === 'WARNING')
      out.push({ version: v.name, status: 'SUCCESS', failureKind: null, message: null });
    else if (v.status === 'FAILED')
      out.push({
        version: v.name,
        status: 'FAILED',
        failureKind: report.error?.kind ?? null,
        message: (report.error?.message ?? v.message ?? null)?.slice(0, 4000) ?? null,
      });
  }
  const lastSuccess = out.filter((o) => o.status === 'SUCCESS').at(-1);
  const failures = out.filter((o) => o.status === 'FAILED');
  out.length = 0;
  if (lastSuccess) out.push(lastSuccess);
  out.push(...failures);
  // A run that failed on a version before it had a line of its own (a hash mismatch on download).
  const e = report.error;
  if (e?.step === 'versions' && e.version && !out.some((o) => o.version === e.version))
    out.push({
      version: e.version,
      status: 'FAILED',
      failureKind: e.kind,
      message: e.message.slice(0, 4000),
    });
  return out;
}
