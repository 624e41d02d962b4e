/**
 * The ports of the sync subsystem (issue 17 §2): where run reports live, the lease that keeps one
 * run at a time across every process on one database, and the audit log of recovery actions.
 * `src/store/kysely-sync-store.ts` implements them over PostgreSQL and PGlite, and
 * `test/support/fakes/memory-sync-store.ts` in memory; one conformance suite holds all three to
 * the same contract (`test/support/sync-store-conformance.ts`).
 */
import type { SyncReport } from './sync-report.ts';

export interface SyncReportStore {
  /**
   * Inserts or updates the report. A finished report is never reopened: a save of a RUNNING
   * body over an INTERRUPTED, FAILED or SUCCESS row changes nothing (a run that was interrupted
   * may still save progress before it notices). Saving a finished report again with the same
   * status (its notifications) is fine.
   */
  save(report: SyncReport): Promise<void>;
  get(id: string): Promise<SyncReport | null>;
  /** Newest first (by start time). */
  list(limit: number): Promise<SyncReport[]>;
  lastSuccess(): Promise<SyncReport | null>;
}

/** The lease as stored: who holds it, and whether it has lapsed by the database's clock. */
export interface LeaseState {
  reportId: string;
  /** `host:pid` of the process running the report. */
  holder: string;
  /** True once the expiry has passed, judged by the database's clock (`now()`), never a host's. */
  expired: boolean;
}

/**
 * The run lease: one row with an expiry that the holder renews while its run goes on. Expiry is
 * set and compared on the database's clock, so hosts whose clocks disagree still agree on when
 * a lease has lapsed.
 */
export interface SyncLease {
  /** The current holder, or null when the lease is free. */
  read(): Promise<LeaseState | null>;
  /**
   * Takes the lease for `reportId` when it is free, has lapsed, or `isLive` judges its holder
   * dead; atomically (no two callers both succeed). `isLive` answers true/false when the caller
   * can tell (a process on its own host), null to trust the expiry. Returns the report id of a
   * holder it replaced, so that the caller can close that run's report.
   */
  acquire(
    reportId: string,
    holder: string,
    ttlMs: number,
    isLive: (state: LeaseState) => boolean | null,
  ): Promise<{ ok: true; replaced: string | null } | { ok: false; holder: string }>;
  /**
   * Moves the expiry of `reportId`'s lease `ttlMs` past the database's now. False when the lease
   * is no longer this run's: taken by another run or released. A lease that lapsed but still
   * names this run is renewed: nobody took it, so no run overlapped (on PGlite a long import
   * holds up the heartbeat past the expiry, and must not stop for that alone).
   */
  renew(reportId: string, ttlMs: number): Promise<boolean>;
  /** Frees the lease if `reportId` holds it; a no-op otherwise. */
  release(reportId: string): Promise<void>;
}

export interface AuditEntry {
  id: number;
  action: string;
  username: string;
  at: Date;
  reason: string;
  details: Record<string, unknown>;
}

export interface SyncAuditLog {
  audit(entry: Omit<AuditEntry, 'id'>): Promise<void>;
  /** Newest first. */
  audits(): Promise<AuditEntry[]>;
  /** The newest entry of `action`, or null. */
  lastAudit(action: string): Promise<AuditEntry | null>;
}

/** What the sync subsystem needs from its store: the three ports above on one database. */
export type SyncStore = SyncReportStore & SyncLease & SyncAuditLog;
