/**
 * The sync ports (src/domain/sync/sync-ports.ts) over PostgreSQL and PGlite: reports, the run
 * lease and the audit log (issue 6). The lease is one row whose expiry is set and compared with
 * the database's `now()`, so processes on hosts whose clocks disagree agree on when it lapsed.
 * What a lapsed or taken-over run's report becomes is the domain's (report-lifecycle.ts).
 */
import { sql, type Kysely } from 'kysely';
import type { SyncReport } from '../domain/sync/sync-report.ts';
import type { LeaseState, SyncStore } from '../domain/sync/sync-ports.ts';
import type { Database } from './schema.ts';

export type { AuditEntry, SyncStore } from '../domain/sync/sync-ports.ts';

const toReport = (r: { body: Record<string, unknown> }) => r.body as unknown as SyncReport;

/** `ttlMs` past the database's now. */
const expiresIn = (ttlMs: number) =>
  sql<Date>`now() + ${Math.max(0, Math.round(ttlMs))} * interval '1 millisecond'`;
/** Whether the stored expiry has passed, on the database's clock. */
const lapsed = sql<boolean>`(expires_at is null or expires_at <= now())`;

const toLease = (r: {
  report_id: string | null;
  holder: string | null;
  expired: boolean;
}): LeaseState | null =>
  r.report_id ? { reportId: r.report_id, holder: r.holder ?? '', expired: r.expired } : null;

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
        // A finished report is never reopened: a run that was interrupted (a shutdown, a lost
        // lease) may still save progress before it stops, and must not turn the report back
        // into RUNNING. Saving a finished report again (its notifications) is fine.
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
    async read() {
      const row = await db
        .selectFrom('sync_lease')
        .select(['report_id', 'holder', lapsed.as('expired')])
        .where('id', '=', 1)
        .executeTakeFirstOrThrow();
      return toLease(row);
    },
    async acquire(reportId, holder, ttlMs, isLive) {
      return db.transaction().execute(async (trx) => {
        const row = await trx
          .selectFrom('sync_lease')
          .select(['report_id', 'holder', lapsed.as('expired')])
          .where('id', '=', 1)
          .forUpdate()
          .executeTakeFirstOrThrow();
        const lease = toLease(row);
        // The holder's own view wins where it has one: a run of this process is live even if a
        // heartbeat was held up (PGlite serialises it behind a long import), and a holder process
        // on this host that no longer exists is dead even before its lease lapses.
        if (lease && (isLive(lease) ?? !lease.expired))
          return { ok: false as const, holder: lease.reportId };
        await trx
          .updateTable('sync_lease')
          .set({ report_id: reportId, holder, expires_at: expiresIn(ttlMs) })
          .where('id', '=', 1)
          .execute();
        return { ok: true as const, replaced: lease?.reportId ?? null };
      });
    },
    async renew(reportId, ttlMs) {
      const r = await db
        .updateTable('sync_lease')
        .set({ expires_at: expiresIn(ttlMs) })
        .where('id', '=', 1)
        .where('report_id', '=', reportId)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
    async release(reportId) {
      await db
        .updateTable('sync_lease')
        .set({ report_id: null, holder: null, expires_at: null })
        .where('id', '=', 1)
        .where('report_id', '=', reportId)
        .execute();
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
      return rows.map(toAudit);
    },
    async lastAudit(action) {
      const row = await db
        .selectFrom('sync_audit')
        .selectAll()
        .where('action', '=', action)
        .orderBy('id', 'desc')
        .limit(1)
        .executeTakeFirst();
      return row ? toAudit(row) : null;
    },
  };
}

const toAudit = (r: {
  id: number | string | bigint;
  action: string;
  username: string;
  at: Date;
  reason: string;
  details: Record<string, unknown>;
}) => ({
  id: Number(r.id),
  action: r.action,
  username: r.username,
  at: r.at,
  reason: r.reason,
  details: r.details,
});
