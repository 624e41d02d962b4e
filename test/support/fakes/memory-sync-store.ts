/**
 * An in-memory SyncStore (src/domain/sync/sync-ports.ts) for unit tests: reports, the lease and
 * the audit log, held to the same contract as the Kysely store by
 * test/support/sync-store-conformance.ts. `clock` is the database's clock, apart from the host's
 * (`Date.now()` is never read), so tests move time on by hand; `failing` makes every call throw,
 * as a database that went away.
 */
import type { AuditEntry, LeaseState, SyncStore } from '../../../src/domain/sync/sync-ports.ts';
import type { SyncReport } from '../../../src/domain/sync/sync-report.ts';

export interface MemorySyncStore extends SyncStore {
  /** The database's clock; advance it with `advance`. */
  clock: { now: Date };
  advance(ms: number): void;
  /** While set, every call rejects with this error. */
  failing: Error | null;
}

const copy = <T>(v: T): T => structuredClone(v);

export function createMemorySyncStore(start = new Date('2024-01-01T00:00:00Z')): MemorySyncStore {
  const reports = new Map<string, SyncReport>();
  const audit: AuditEntry[] = [];
  let lease: { reportId: string; holder: string; expiresAt: number } | null = null;
  const clock = { now: new Date(start) };
  const state = (): LeaseState | null =>
    lease
      ? {
          reportId: lease.reportId,
          holder: lease.holder,
          expired: lease.expiresAt <= clock.now.getTime(),
        }
      : null;
  const byStart = (a: SyncReport, b: SyncReport) => b.startTime.localeCompare(a.startTime);
  const store: MemorySyncStore = {
    clock,
    failing: null,
    advance(ms) {
      clock.now = new Date(clock.now.getTime() + ms);
    },
    async save(report) {
      const stored = reports.get(report.id);
      if (stored && stored.status !== 'RUNNING' && stored.status !== report.status) return;
      reports.set(report.id, copy(report));
    },
    async get(id) {
      const r = reports.get(id);
      return r ? copy(r) : null;
    },
    async list(limit) {
      return [...reports.values()].sort(byStart).slice(0, limit).map(copy);
    },
    async lastSuccess() {
      const r = [...reports.values()].sort(byStart).find((x) => x.status === 'SUCCESS');
      return r ? copy(r) : null;
    },
    async read() {
      return state();
    },
    async acquire(reportId, holder, ttlMs, isLive) {
      const current = state();
      if (current && (isLive(current) ?? !current.expired))
        return { ok: false, holder: current.reportId };
      lease = { reportId, holder, expiresAt: clock.now.getTime() + ttlMs };
      return { ok: true, replaced: current?.reportId ?? null };
    },
    async renew(reportId, ttlMs) {
      const current = state();
      if (!current || current.reportId !== reportId) return false;
      lease!.expiresAt = clock.now.getTime() + ttlMs;
      return true;
    },
    async release(reportId) {
      if (lease?.reportId === reportId) lease = null;
    },
    async audit(e) {
      audit.push({ ...copy(e), id: audit.length + 1 });
    },
    async audits() {
      return [...audit].reverse().map(copy);
    },
    async lastAudit(action) {
      const e = [...audit].reverse().find((a) => a.action === action);
      return e ? copy(e) : null;
    },
  };
  // A database that went away: every port call rejects while `failing` is set.
  for (const key of Object.keys(store) as (keyof MemorySyncStore)[]) {
    const fn = store[key];
    if (typeof fn !== 'function' || key === 'advance') continue;
    (store as unknown as Record<string, unknown>)[key] = async (...args: unknown[]) => {
      if (store.failing) throw store.failing;
      return (fn as (...a: unknown[]) => Promise<unknown>).apply(store, args);
    };
  }
  return store;
}
