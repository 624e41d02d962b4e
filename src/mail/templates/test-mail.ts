/** `POST /api/email/test`: a short mail proving the SMTP settings work. */
import { escapeHtml, footerText, page, type RenderedMail } from './layout.ts';

export const TEST_SUBJECT = 'Test message from metasync';

export function renderTestMail(username: string, system: string): RenderedMail {
  const line = `This is a test message sent on request of ${username}: the e-mail settings work.`;
  return {
    subject: TEST_SUBJECT,
    text: `${line}\n\n${footerText(system)}`,
    html: page('Test message', `<p>${escapeHtml(line)}</p>`, footerText(system)),
  };
}
