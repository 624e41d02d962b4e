/** E-mail use cases for the API (issue 8 §3): the test mail that proves the SMTP settings. */
import { AppError, ErrorCode } from '../domain/errors.ts';
import type { Mailer } from '../domain/notifications/mailer.ts';
import { renderTestMail } from './templates/test-mail.ts';

export function createEmailService(deps: { mailer: Mailer; systemName: () => Promise<string> }) {
  return {
    mailer: deps.mailer,
    /** Sends the test mail; throws when SMTP is not configured or the server refuses it. */
    async sendTest(user: { username: string; email: string | null }) {
      if (!user.email)
        throw new AppError(
          ErrorCode.USER_EMAIL_MISSING,
          'Could not send test email, no email configured for current user',
        );
      const mail = renderTestMail(user.username, await deps.systemName());
      const result = await deps.mailer.send({ to: user.email, ...mail });
      if (result.ok) return { to: user.email, messageId: result.messageId, smtp: result.response };
      if (result.notConfigured)
        throw new AppError(ErrorCode.EMAIL_NOT_CONFIGURED, `Could not send email: ${result.error}`);
      throw new AppError(
        ErrorCode.BAD_GATEWAY,
        `Test message could not be sent to ${user.email}: ${result.error}`,
        { details: { to: user.email, smtp: result.error } },
      );
    },
  };
}

export type EmailService = ReturnType<typeof createEmailService>;
