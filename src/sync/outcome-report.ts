/**
 * After a run against a metasync central, tell it how each version tried went (issue 22 §3), so
 * its staged rollout sees its canaries succeed or fail. Best effort: the run is over and stands
 * as it is; a report that does not arrive is logged, and a DHIS2 central is never asked.
 */
import type { CentralClient } from '../domain/sync/central-client.ts';
import type { SyncReport } from '../domain/sync/sync-report.ts';
import { versionOutcomes } from '../domain/sync/version-outcomes.ts';

export async function reportOutcomes(
  central: CentralClient,
  report: SyncReport,
  log: (obj: Record<string, unknown>, msg: string) => void,
): Promise<void> {
  if (!central.reportOutcome) return;
  for (const outcome of versionOutcomes(report)) {
    try {
      await central.reportOutcome(outcome);
    } catch (e) {
      log(
        { reportId: report.id, version: outcome.version, err: e },
        'could not report a version outcome to the central',
      );
      return;
    }
  }
}
