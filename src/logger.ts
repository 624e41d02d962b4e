/** Structured JSON logs (pino). Secrets are redacted by path as a second line of defence. */
import { pino, type DestinationStream, type Logger } from 'pino';

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      redact: {
        paths: [
          'req.headers.authorization',
          'req.headers.cookie',
          '*.password',
          '*.keyRemoteInstancePassword',
          '*.keyEmailPassword',
        ],
        censor: '[redacted]',
      },
    },
    destination,
  );
}
