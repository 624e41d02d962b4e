/**
 * The one owner of a sync run's report from start to end (issue 17 §2): opened RUNNING once the
 * run holds the lease; steps and versions saved as the run goes (run-sync.ts calls `save`);
 * finished SUCCESS, FAILED or INTERRUPTED. Every way a run ends without finishing goes through
 * `interrupt` here: a run taken over from a dead holder, a run a shutdown cut short, a run whose
 * holder is found gone when its report is read. A report is RUNNING only while its run is alive:
 * `settle` closes any other RUNNING report at once (start-up, and every read).
 */
import { newReport, setStep, type SyncReport, type Trigger } from './sync-report.ts';
import type { LeaseState, SyncLease, SyncReportStore } from './sync-ports.ts';

export const INTERRUPTED_BY_DEATH = 'The process running this sync stopped before it finished';

export interface ReportLifecycleDeps {
  reports: SyncReportStore;
  lease: SyncLease;
  now: () => Date;
  sleep: (ms: number) => Promise<void>;
  /** How long a finished report that cannot be saved (its database is away) is retried. */
  finalSaveMs: number;
  log: (obj: Record<string, unknown>, msg: string) => void;
}

/** Marks a RUNNING report INTERRUPTED in place; a finished report is left as it is. */
export function markInterrupted(report: SyncReport, message: string, at: Date): SyncReport {
  if (report.status !== 'RUNNING') return report;
  report.status = 'INTERRUPTED';
  report.endTime = at.toISOString();
  report.error ??= {
    kind: 'INTERRUPTED',
    message,
    version: report.toVersion ?? report.fromVersion,
    step: report.steps.find((s) => s.status === 'RUNNING')?.name ?? 'versions',
  };
  return report;
}

/**
 * Marks a run that threw (a bug, or its own database gone) FAILED in place. When the run had
 * recorded its failure before saving it failed too, that failure is the cause; the step that was
 * running failed.
 */
export function markCrashed(report: SyncReport, e: unknown, at: Date): SyncReport {
  const running = report.steps.find((s) => s.status === 'RUNNING')?.name ?? 'versions';
  report.status = 'FAILED';
  report.endTime = at.toISOString();
  report.error ??= {
    kind: 'INTERNAL',
    message: e instanceof Error ? e.message : String(e),
    version: report.toVersion ?? report.fromVersion,
    step: running,
  };
  for (const s of report.steps) if (s.status === 'RUNNING') setStep(report, s.name, 'FAILED');
  return report;
}

/**
 * Whether the run of a RUNNING report is alive: its report holds the lease, and the holder is
 * alive (as far as `isLive` can tell) or, where it cannot tell, the lease has not lapsed.
 */
export function runIsLive(
  reportId: string,
  lease: LeaseState | null,
  isLive: (state: LeaseState) => boolean | null,
): boolean {
  if (!lease || lease.reportId !== reportId) return false;
  return isLive(lease) ?? !lease.expired;
}

export function createReportLifecycle(deps: ReportLifecycleDeps) {
  /** Closes a RUNNING report as INTERRUPTED and frees the lease if it still holds it. */
  async function interrupt(id: string, message: string): Promise<SyncReport | null> {
    const report = await deps.reports.get(id);
    if (report?.status === 'RUNNING') {
      await deps.reports.save(markInterrupted(report, message, deps.now()));
      deps.log({ reportId: id, reason: message }, 'metadata sync report marked INTERRUPTED');
    }
    await deps.lease.release(id);
    return report ? ((await deps.reports.get(id)) ?? report) : null;
  }

  return {
    /** Opens the report of a run that holds the lease: it starts now, not before the lease. */
    async open(id: string, trigger: Trigger, triggeredBy: string | null): Promise<SyncReport> {
      const report = newReport(id, trigger, triggeredBy, deps.now());
      await deps.reports.save(report);
      return report;
    },
    /** Saves progress (steps, versions) of a running report. */
    save: (report: SyncReport) => deps.reports.save(report),
    interrupt,
    crashed: (report: SyncReport, e: unknown) => markCrashed(report, e, deps.now()),
    /**
     * Saves a finished report, retrying while its database is away (issue 10 §1) so that it
     * reads FAILED with its cause within seconds of the database's return. Resolves false when
     * it gave up.
     */
    async finish(report: SyncReport): Promise<boolean> {
      const start = deps.now().getTime();
      for (let wait = 100; ; wait = Math.min(wait * 2, 1000)) {
        try {
          await deps.reports.save(report);
          return true;
        } catch (e) {
          if (deps.now().getTime() - start >= deps.finalSaveMs) {
            deps.log({ reportId: report.id, err: e }, 'metadata sync report could not be saved');
            return false;
          }
          await deps.sleep(wait);
        }
      }
    },
    /**
     * Closes every RUNNING report among `reports` whose run is not alive (see `runIsLive`) and
     * returns the reports as they now read. Used at start-up and on every read, so that a run
     * whose holder was killed reads INTERRUPTED at once, not when its lease lapses.
     */
    async settle(
      reports: SyncReport[],
      isLive: (state: LeaseState) => boolean | null,
    ): Promise<SyncReport[]> {
      if (!reports.some((r) => r.status === 'RUNNING')) return reports;
      const lease = await deps.lease.read();
      return Promise.all(
        reports.map(async (r) =>
          r.status === 'RUNNING' && !runIsLive(r.id, lease, isLive)
            ? ((await interrupt(r.id, INTERRUPTED_BY_DEATH)) ?? r)
            : r,
        ),
      );
    },
    /** The lease's holder when its run is alive; a dead holder's run is interrupted first. */
    async running(isLive: (state: LeaseState) => boolean | null): Promise<string | null> {
      const lease = await deps.lease.read();
      if (!lease) return null;
      if (runIsLive(lease.reportId, lease, isLive)) return lease.reportId;
      await interrupt(lease.reportId, INTERRUPTED_BY_DEATH);
      return null;
    },
  };
}

export type ReportLifecycle = ReturnType<typeof createReportLifecycle>;
