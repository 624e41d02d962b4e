/**
 * The Mailer port (issue 8). `send` never throws for an SMTP problem: the outcome is data, so a
 * failed mail is recorded in the run report and never fails the sync (house rule 6).
 */
export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html: string;
}

export type SendResult =
  | { ok: true; messageId: string; response: string }
  | { ok: false; error: string; notConfigured?: boolean };

export interface Mailer {
  send(mail: OutgoingMail): Promise<SendResult>;
}
