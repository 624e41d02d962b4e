/**
 * E-mail (issue 8): the SMTP mailer, whose settings are read per mail so edits apply without a
 * restart, the test mail, and the mails after a sync run.
 */
import type { SettingsService } from '../domain/settings/settings-service.ts';
import { createEmailService } from '../mail/email-service.ts';
import { createSmtpMailer } from '../mail/smtp-mailer.ts';
import { createSyncNotifier } from '../mail/sync-notifier.ts';
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
