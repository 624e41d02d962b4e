/**
 * Logs (pino): JSON lines for machines, and readable lines for a person at a terminal (issue 24 §5).
 * Secrets are redacted by path as a second line of defence, before either format sees a line.
 */
import { createRequire } from 'node:module';
import { pino, type DestinationStream, type Logger } from 'pino';
import type PinoPretty from 'pino-pretty';

interface LoggedRequest {
  method: string;
  url: string;
  host?: string;
  ip?: string;
  socket?: { remotePort?: number };
}

/** `METASYNC_LOG_FORMAT`: `auto` (the default) is pretty on a terminal and JSON otherwise. */
export type LogFormat = 'auto' | 'json' | 'pretty';

/**
 * Pretty only where a person reads: standard output a TTY. A pipe, a file, systemd's journal, CI
 * and the tests are not TTYs and get JSON lines, which log shippers parse (issue 24 §5).
 */
export function chooseLogFormat(format: LogFormat, stdoutIsTTY: boolean): 'json' | 'pretty' {
  if (format !== 'auto') return format;
  return stdoutIsTTY ? 'pretty' : 'json';
}

/** `?value=` sets a setting, a password for secret keys: its value never reaches the log. */
export const maskQuery = (url: string): string =>
  url.replace(/([?&](?:value|[^=&#]*password[^=&#]*)=)[^&#]*/gi, '$1[redacted]');

/**
 * A logger to `destination` (always JSON: a given stream is a machine's) or to standard output,
 * in the format `chooseLogFormat` picks.
 */
export function createLogger(
  level: string,
  destination?: DestinationStream,
  format: LogFormat = 'auto',
): Logger {
  const options = {
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
  };
  if (destination) return pino(options, destination);
  if (chooseLogFormat(format, process.stdout.isTTY === true) === 'json') return pino(options);
  return pino(options, prettyStream());
}

/**
 * pino-pretty as an in-process stream, not a worker-thread transport: no extra thread resident in
 * the server, and lines keep their order with what the CLI writes to the terminal itself (the
 * generated admin password). Loaded only here, so a JSON-logging server never loads it.
 */
function prettyStream(): DestinationStream {
  const build = createRequire(import.meta.url)('pino-pretty') as typeof PinoPretty;
  return build({
    colorize: true,
    sync: true,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname',
    // One line per event: a request's fields follow its message instead of a block below it.
    singleLine: true,
  });
}
