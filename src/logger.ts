/** Structured JSON logs (pino). Secrets are redacted by path as a second line of defence. */
import { pino, type DestinationStream, type Logger } from 'pino';

interface LoggedRequest {
  method: string;
  url: string;
  host?: string;
  ip?: string;
  socket?: { remotePort?: number };
}

/** `?value=` sets a setting, a password for secret keys: its value never reaches the log. */
export const maskQuery = (url: string): string =>
  url.replace(/([?&](?:value|[^=&#]*password[^=&#]*)=)[^&#]*/gi, '$1[redacted]');

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
      serializers: {
        // Fastify's own request serializer (it yields to ours), with the query masked.
        req: (r: LoggedRequest) => ({
          method: r.method,
          url: maskQuery(r.url),
          host: r.host,
          remoteAddress: r.ip,
          remotePort: r.socket?.remotePort,
        }),
      },
    },
    destination,
  );
}
