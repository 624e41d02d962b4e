/**
 * Sync reports, the run lease and the audit log (issue 6). The lease is one row with an expiry
 * renewed while a run goes on: one run at a time across every process on the database, and a
 * crashed process's run is taken over (and its report marked INTERRUPTED) once the lease lapses.
 */
import type { Kysely } from 'kysely';
import type { SyncReport } from '../domain/sync/sync-report.ts';
import type { Database } from './schema.ts';

export interface AuditEntry {
  id: number;
  action: string;
  username: string;
  at: Date;
  reason: string;
  details: Record<string, unknown>;
}

export interface SyncStore {
  save(report: SyncReport): Promise<void>;
  get(id: string): Promise<SyncReport | null>;
  list(limit: number): Promise<SyncReport[]>;
  lastSuccess(): Promise<SyncReport | null>;
  /** Takes the lease for `reportId`, or returns the report id that holds it. */
  acquire(
    reportId: string,
    holder: string,
    ttlMs: number,
    /** true/false when the holder's liveness is known here, null when it is not. */
    holderAlive: (holder: string, reportId: string) => boolean | null,
  ): Promise<{ ok: true } | { ok: false; holder: string | null }>;
  renew(reportId: string, ttlMs: number): Promise<void>;
  release(reportId: string): Promise<void>;
  /** The report of the run holding a live lease, if any. */
  running(): Promise<string | null>;
  audit(entry: Omit<AuditEntry, 'id'>): Promise<void>;
  audits(): Promise<AuditEntry[]>;
}

const toReport = (r: { body: Record<string, unknown> }) => r.body as unknown as SyncReport;

export function createKyselySyncStore(db: Kysely<Database>): SyncStore {
  return {
    async save(report) {
      const row = {
        id: report.id,
        trigger: report.trigger,
        triggered_by: report.triggeredBy,
        status: report.status,
        start_time: report.startTime,
        end_time: report.endTime,
        body: JSON.stringify(report),
      };
      await db
        .insertInto('sync_report')
        .values(row)
        // A finished report is never reopened: a run that a shutdown marked INTERRUPTED
        // (issue 8) may still save progress before its process exits, and must not turn the
        // report back into RUNNING. Saving a finished report again (its notifications) is fine.
        .onConflict((oc) =>
          oc
            .column('id')
            .doUpdateSet({ status: row.status, end_time: row.end_time, body: row.body })
            .where((eb) =>
              eb.or([
                eb('sync_report.status', '=', 'RUNNING'),
                eb('sync_report.status', '=', row.status),
              ]),
            ),
        )
        .execute();
    },
    async get(id) {
      const row = await db
        .selectFrom('sync_report')
        .select('body')
        .where('id', '=', id)
        .executeTakeFirst();
      return row ? toReport(row) : null;
    },
    async list(limit) {
      return (
        await db
          .selectFrom('sync_report')
          .select('body')
          .orderBy('start_time', 'desc')
          .limit(limit)
          .execute()
      ).map(toReport);
    },
    async lastSuccess() {
      const row = await db
        .selectFrom('sync_report')
        .select('body')
        .where('status', '=', 'SUCCESS')
        .orderBy('start_time', 'desc')
        .limit(1)
        .executeTakeFirst();
      return row ? toReport(row) : null;
    },
    async acquire(reportId, holder, ttlMs, holderAlive) {
      return db.transaction().execute(async (trx) => {
        const lease = await trx
          .selectFrom('sync_lease')
          .selectAll()
          .where('id', '=', 1)
          .forUpdate()
          .executeTakeFirstOrThrow();
        const unexpired =
          lease.expires_at !== null && new Date(lease.expires_at).getTime() > Date.now();
        // The holder's own view wins where it has one: a run of this process is live even if a
        // heartbeat was held up (PGlite serialises it behind a long import), and a holder process
        // on this host that no longer exists is dead even before its lease lapses.
        const verdict =
          lease.report_id && lease.holder ? holderAlive(lease.holder, lease.report_id) : null;
        const live = lease.report_id !== null && (verdict ?? unexpired);
        if (live) return { ok: false as const, holder: lease.report_id };
        if (lease.report_id) {
          // The previous holder died without releasing: its run did not finish.
          const stale = await trx
            .selectFrom('sync_report')
            .select('body')
            .where('id', '=', lease.report_id)
            .where('status', '=', 'RUNNING')
            .executeTakeFirst();
          if (stale) {
            const body = {
              ...toReport(stale),
              status: 'INTERRUPTED' as const,
              endTime: new Date().toISOString(),
            };
            body.error ??= {
              kind: 'INTERRUPTED',
              message: 'The process running this sync stopped before it finished',
              version: body.toVersion ?? body.fromVersion,
              step: 'versions',
            };
            await trx
              .updateTable('sync_report')
              .set({ status: 'INTERRUPTED', end_time: body.endTime, body: JSON.stringify(body) })
              .where('id', '=', lease.report_id)
              .execute();
          }
        }
        await trx
          .updateTable('sync_lease')
          .set({ report_id: reportId, holder, expires_at: new Date(Date.now() + ttlMs) })
          .where('id', '=', 1)
          .execute();
        return { ok: true as const };
      });
    },
    async renew(reportId, ttlMs) {
      await db
        .updateTable('sync_lease')
        .set({ expires_at: new Date(Date.now() + ttlMs) })
        .where('id', '=', 1)
        .where('report_id', '=', reportId)
        .execute();
    },
    async release(reportId) {
      await db
        .updateTable('sync_lease')
        .set({ report_id: null, holder: null, expires_at: null })
        .where('id', '=', 1)
        .where('report_id', '=', reportId)
        .execute();
    },
    async running() {
      const row = await db
        .selectFrom('sync_lease')
        .select(['report_id', 'expires_at'])
        .where('id', '=', 1)
        .executeTakeFirstOrThrow();
      return row.report_id && row.expires_at && new Date(row.expires_at).getTime() > Date.now()
        ? row.report_id
        : null;
    },
    async audit(e) {
      await db
        .insertInto('sync_audit')
        .values({
          action: e.action,
          username: e.username,
          at: e.at,
          reason: e.reason,
          details: JSON.stringify(e.details),
        })
        .execute();
    },
    async audits() {
      const rows = await db.selectFrom('sync_audit').selectAll().orderBy('id', 'desc').execute();
      return rows.map((r) => ({
        id: Number(r.id),
        action: r.action,
        username: r.username,
        at: r.at,
        reason: r.reason,
        details: r.details,
      }));
    },
  };
}
