/**
 * One run's byte counts (issue 19 §6): the `TransferMeter` the run's clients add to (the metadata
 * client, the data push), the download under way, and the report's `transfer` built from them.
 * Each byte also goes to `counters` as it moves, so `/metrics` grows during a long download,
 * not only once the run has ended.
 */
import type { DownloadProgress, TransferMeter } from '../domain/sync/central-client.ts';
import type { SyncEvent } from '../domain/sync/run-sync.ts';
import type { SyncReport, TransferReport } from '../domain/sync/sync-report.ts';
import { transferReport } from '../domain/sync/transfer.ts';

/** Process-wide byte counters (the metrics recorder's), told of every byte a run moves. */
export interface TransferCounters {
  bytes(direction: 'received' | 'sent', n: number): void;
}

export interface RunTransfer {
  meter: TransferMeter;
  /** Follows the run's events: the download under way, or none. */
  follow(e: SyncEvent): void;
  /** The report's transfer now; a finished report carries no download under way. */
  report(report: SyncReport): TransferReport;
}

export function createRunTransfer(counters?: TransferCounters): RunTransfer {
  let received = 0;
  let sent = 0;
  let downloading: DownloadProgress | null = null;
  return {
    meter: {
      received(n) {
        received += n;
        counters?.bytes('received', n);
      },
      sent(n) {
        sent += n;
        counters?.bytes('sent', n);
      },
    },
    follow(e) {
      if (e.kind === 'download') {
        const { kind: _kind, ...progress } = e;
        downloading = progress;
      } else if (e.kind === 'version' || e.kind === 'retry' || e.kind === 'step')
        downloading = null;
    },
    report: (r) =>
      transferReport({ received, sent }, r.versions, r.status === 'RUNNING' ? downloading : null),
  };
}
