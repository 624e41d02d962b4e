/**
 * The sync run's look at its central's signing key (issue 20 §1): after the first successful
 * history of a metasync central, the key is pinned when none is and compared otherwise
 * (`KeyPinning.observe`). Best effort: whatever goes wrong here is written in the report and the
 * run goes on, since the pin only matters to offline bundles. Once per run (a retried attempt
 * keeps the note).
 */
import type { CentralKeyNote } from '../bundle/key-pinning.ts';
import type { CentralClient, CentralInfo } from './central-client.ts';
import type { SyncReport } from './sync-report.ts';

export interface CentralKeyDeps {
  client: Pick<CentralClient, 'signingKey'>;
  /** Compares the central's key (PEM, or null when it shows none) with the pin; pins if none. */
  centralKey?: (pem: string | null) => Promise<CentralKeyNote>;
  saveReport: (report: SyncReport) => Promise<void>;
}

export async function noteCentralKey(
  deps: CentralKeyDeps,
  report: SyncReport,
  central: CentralInfo,
): Promise<void> {
  if (!deps.centralKey || report.signingKey) return;
  try {
    // A DHIS2 central has no key: it is not asked.
    const pem = central.metasync && deps.client.signingKey ? await deps.client.signingKey() : null;
    report.signingKey = await deps.centralKey(pem);
  } catch (e) {
    report.signingKey = {
      outcome: 'UNREADABLE',
      fingerprint: null,
      pinnedFingerprint: null,
      message: `The central's signing key could not be read: ${e instanceof Error ? e.message : String(e)}`,
    };
  }
  await deps.saveReport(report);
}
