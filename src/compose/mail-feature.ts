/**
 * E-mail (issue 8): the SMTP mailer, whose settings are read per mail so edits apply without a
 * restart, the test mail, and the mails after a sync run.
 */
import type { SettingsService } from '../domain/settings/settings-service.ts';
import { createEmailService } from '../mail/email-service.ts';
import { createSmtpMailer } from '../mail/smtp-mailer.ts';
import { createSyncNotifier } from '../mail/sync-notifier.ts';
import type { RolloutNotice } from '../domain/rollout/rollout-service.ts';
import { renderRolloutNotice } from '../mail/templates/rollout-notice.ts';
import type { Ports } from './ports.ts';

export function mailFeature(ports: Ports, settings: SettingsService) {
  const mailer = createSmtpMailer(async () => ({
    host: await settings.get('keyEmailHostName'),
    port: await settings.get('keyEmailPort'),
    username: await settings.get('keyEmailUsername'),
    password: await settings.get('keyEmailPassword'),
    tls: await settings.get('keyEmailTls'),
    sender: await settings.get('keyEmailSender'),
  }));
  const systemName = () => settings.get('applicationTitle');
  return {
    email: createEmailService({ mailer, systemName }),
    /** The staged rollout's notices (issue 22 §5): best effort, a failed mail is logged. */
    async notifyRollout(notice: RolloutNotice): Promise<void> {
      const to = await settings.get('keySystemNotificationsEmail');
      if (!to) return;
      const mail = renderRolloutNotice(notice, await systemName());
      const result = await mailer.send({ to, ...mail });
      if (!result.ok)
        ports.logger.warn(
          { to, subject: mail.subject, error: result.error },
          'rollout notification mail could not be sent',
        );
    },
    notifySync: createSyncNotifier({
      mailer,
      settings,
      store: ports.stores.sync,
      now: () => ports.clock.now(),
      systemName,
      log: (obj, msg) => ports.logger.warn(obj, msg),
    }),
  };
}
