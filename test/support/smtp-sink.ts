/**
 * An in-process SMTP server on 127.0.0.1 (random port) that keeps every mail it receives,
 * parsed with mailparser, for the e-mail tests (issue 8). No TLS, no auth required.
 */
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  envelopeTo: string[];
  parsed: ParsedMail;
  subject: string;
  text: string;
  html: string;
}

export interface SmtpSink {
  port: number;
  mails: ReceivedMail[];
  /** Resolves once at least `n` mails have arrived (or rejects after `ms`). */
  waitFor(n: number, ms?: number): Promise<ReceivedMail[]>;
  close(): Promise<void>;
}

export async function startSmtpSink(): Promise<SmtpSink> {
  const mails: ReceivedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((parsed) => {
          mails.push({
            envelopeTo: session.envelope.rcptTo.map((r) => r.address),
            parsed,
            subject: parsed.subject ?? '',
            text: parsed.text ?? '',
            html: typeof parsed.html === 'string' ? parsed.html : '',
          });
          callback();
        })
        .catch((e: unknown) => callback(e as Error));
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    port,
    mails,
    async waitFor(n, ms = 10_000) {
      const until = Date.now() + ms;
      while (mails.length < n) {
        if (Date.now() > until)
          throw new Error(
            `expected ${n} mails, got ${mails.length}: ${mails.map((m) => m.subject).join(', ')}`,
          );
        await new Promise((r) => setTimeout(r, 25));
      }
      return mails;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
