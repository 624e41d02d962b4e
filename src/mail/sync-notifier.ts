/**
 * After a sync run settles (sync-service `onFinished`): decide the mails (domain rules), render
 * them, send them, and record each outcome on the run report. Nothing here may fail the sync: a
 * broken SMTP server is logged and written into `report.notifications`.
 */
import type { Mailer } from '../domain/notifications/mailer.ts';
import {
  notificationsFor,
  type SyncNotification,
} from '../domain/notifications/sync-notifications.ts';
import type { SettingsService } from '../domain/settings/settings-service.ts';
import type { NotificationRecord, SyncReport } from '../domain/sync/sync-report.ts';
import type { SyncReportStore } from '../domain/sync/sync-ports.ts';
import { renderFailure } from './templates/sync-failure.ts';
import { renderRecovery } from './templates/sync-recovery.ts';
import { renderSuccess } from './templates/sync-success.ts';
import type { RenderedMail } from './templates/layout.ts';

export interface SyncNotifierDeps {
  mailer: Mailer;
  settings: Pick<SettingsService, 'get'>;
  store: Pick<SyncReportStore, 'list' | 'save'>;
  now: () => Date;
  systemName: () => Promise<string>;
  log: (obj: Record<string, unknown>, msg: string) => void;
}

export function createSyncNotifier(deps: SyncNotifierDeps) {
  return async function notify(report: SyncReport): Promise<void> {
    const to = await deps.settings.get('keySystemNotificationsEmail');
    // DHIS2 silently skips when no valid recipient is set (contract §10).
    if (!to) return;
    const onlyOnChange = await deps.settings.get('keyMetadataSyncNotifyOnlyOnChange');
    const earlier = await deps.store.list(20);
    const previous =
      earlier.find(
        (r) => r.id !== report.id && (r.status === 'SUCCESS' || r.status === 'FAILED'),
      ) ?? null;
    const planned = notificationsFor({ report, previous, onlyOnChange });
    if (planned.length === 0) return;
    const system = await deps.systemName();
    const render = (n: SyncNotification): RenderedMail => {
      switch (n.kind) {
        case 'SUCCESS':
          return renderSuccess(n.version, system, n.dataPushWarning, report.drift);
        case 'FAILURE':
          return renderFailure(n.report, n.advice, system);
        case 'RECOVERY':
          return renderRecovery(n.report, system);
      }
    };
    const records: NotificationRecord[] = [];
    for (const n of planned) {
      const mail = render(n);
      const result = await deps.mailer.send({ to, ...mail });
      records.push({
        kind: n.kind,
        to,
        subject: mail.subject,
        ...(n.kind === 'SUCCESS' ? { version: n.version.name } : {}),
        status: result.ok ? 'SENT' : 'FAILED',
        detail: result.ok ? result.response : result.error,
        at: deps.now().toISOString(),
      });
      if (!result.ok)
        deps.log(
          { reportId: report.id, to, subject: mail.subject, error: result.error },
          'sync notification mail could not be sent',
        );
    }
    report.notifications = [...(report.notifications ?? []), ...records];
    await deps.store.save(report);
  };
}
