/**
 * The SMTP Mailer (nodemailer). The settings are read on every send, so an administrator's change
 * to keyEmail* applies to the next mail without a restart. keyEmailTls means "require STARTTLS"
 * (DHIS2's meaning) on a submission port, and implicit TLS on 465. Timeouts are short: a mail is
 * a side effect of a sync and must not hold it up for minutes when the SMTP server is gone.
 */
import type { Mailer } from '../domain/notifications/mailer.ts';

export interface SmtpSettings {
  host: string;
  port: number;
  username: string;
  password: string;
  tls: boolean;
  sender: string;
}

export function createSmtpMailer(
  settings: () => Promise<SmtpSettings>,
  timeoutMs = 10_000,
): Mailer {
  return {
    async send(mail) {
      const s = await settings();
      if (!s.host)
        return {
          ok: false,
          notConfigured: true,
          error: 'No SMTP server is configured (keyEmailHostName)',
        };
      // Loaded on the first mail, not at start: most servers never send one, and nodemailer was
      // ~2 MB of an idle server's heap (issue 18 §4).
      const { default: nodemailer } = await import('nodemailer');
      const transport = nodemailer.createTransport({
        host: s.host,
        port: s.port,
        secure: s.port === 465,
        requireTLS: s.tls && s.port !== 465,
        ignoreTLS: !s.tls,
        ...(s.username ? { auth: { user: s.username, pass: s.password } } : {}),
        connectionTimeout: timeoutMs,
        greetingTimeout: timeoutMs,
        socketTimeout: timeoutMs * 3,
      });
      try {
        const info = await transport.sendMail({
          from: s.sender || `metasync <no-reply@${s.host}>`,
          to: mail.to,
          subject: mail.subject,
          text: mail.text,
          html: mail.html,
        });
        return { ok: true, messageId: info.messageId, response: String(info.response) };
      } catch (e) {
        return { ok: false, error: e instanceof Error ? e.message : String(e) };
      } finally {
        transport.close();
      }
    },
  };
}
