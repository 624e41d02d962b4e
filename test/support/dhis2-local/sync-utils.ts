/**
 * `SyncUtils` of a DHIS2 local (issue 16 §12, contract §8, §11): the ping and its reading, the
 * ping retried before each push step, and one push (`runSyncRequest` + `sendSyncRequest`) with
 * Spring's error handling: 4xx read through `WebMessageParseUtils`, 5xx retried `syncMaxAttempts`
 * times then thrown, a connection failure or an unreadable 2xx thrown as ResourceAccessException.
 */
import {
  JacksonError,
  JavaException,
  RESOURCE_ACCESS,
  SERVER_ERROR,
  javaError,
} from './java-errors.ts';
import type { Release } from './releases.ts';
import {
  extractClientError,
  extractOk,
  succeeded,
  type Summaries,
  type Summary,
  type SummaryClass,
} from './summaries.ts';
import { basicAuth, type Wire } from './wire.ts';

export interface Remote {
  url: string;
  username: string;
  password: string;
}

export interface SyncSettings {
  /** `syncMaxRemoteServerAvailabilityCheckAttempts` (default 3). */
  availabilityAttempts: number;
  /** `syncMaxAttempts` (default 3): retries of a push answered 5xx. */
  maxSyncAttempts: number;
}

export interface Availability {
  available: boolean;
  message: string;
  status: number;
}

export interface SyncContext {
  rel: Release;
  wire: Wire;
  remote: Remote;
  settings: SyncSettings;
}

const auth = (r: Remote) => basicAuth(r.username, r.password);

/** One ping, read as `isRemoteServerAvailable` reads it. */
export async function isRemoteServerAvailable(ctx: SyncContext): Promise<Availability> {
  const { remote } = ctx;
  if (!remote.url)
    return { available: false, message: 'Remote server is not configured', status: 502 };
  if (!remote.username || !remote.password)
    return { available: false, message: 'Remote server is not configured', status: 502 };
  let status: number;
  let exchange;
  try {
    ({ exchange } = await ctx.wire.ping(`${remote.url}/api/system/ping`, auth(remote)));
    status = exchange.status!;
  } catch {
    return { available: false, message: 'Network is unreachable', status: 502 };
  }
  const result =
    status === 200
      ? { available: true, message: 'Authentication was successful', status }
      : status === 302
        ? { available: false, message: 'No authentication was provided', status }
        : status === 401
          ? { available: false, message: 'Authentication failed', status }
          : status === 500
            ? { available: false, message: 'Remote server experienced an internal error', status }
            : { available: false, message: `Server is not available: ${String(status)}`, status };
  exchange.outcome = result.message;
  return result;
}

/** `testServerAvailability`: up to `availabilityAttempts` pings (the delay between is skipped). */
export async function testServerAvailability(ctx: SyncContext): Promise<Availability> {
  let status = await isRemoteServerAvailable(ctx);
  for (let i = 1; i < ctx.settings.availabilityAttempts && !status.available; i++)
    status = await isRemoteServerAvailable(ctx);
  return status;
}

export interface PushEndpoint {
  path: string;
  klass: SummaryClass;
  /** ImportSummaries of tracked entities: enrollments and their events are checked too. */
  tracker?: boolean;
}

/**
 * One push: true when the central's summary says it succeeded, false when it failed or could
 * not be read (logged by DHIS2), or a thrown JavaException (NPE on a 4xx without `response`,
 * 5xx after the retries, a connection failure, an unreadable 2xx).
 */
export async function sendSyncRequest(
  ctx: SyncContext,
  endpoint: PushEndpoint,
  body: string,
): Promise<boolean> {
  const url = ctx.remote.url + endpoint.path;
  for (let attempt = 1; ; attempt++) {
    let answer;
    let exchange;
    try {
      ({ answer, exchange } = await ctx.wire.push(url, auth(ctx.remote), body));
    } catch (e) {
      throw javaError(
        RESOURCE_ACCESS,
        `I/O error on POST request for "${url}": ${(e as Error).message}`,
      );
    }
    const text = answer.body.toString('utf8');
    let summary: Summary | Summaries | null;
    try {
      if (answer.status >= 500) {
        exchange.outcome = `HttpServerErrorException (attempt ${attempt})`;
        if (attempt <= ctx.settings.maxSyncAttempts) continue;
        throw javaError(SERVER_ERROR, `${answer.status} : "${text.slice(0, 200)}"`);
      }
      if (answer.status >= 400) {
        const r = extractClientError(endpoint.klass, text, ctx.rel);
        if ('parseError' in r) {
          exchange.outcome = `WebMessageParseException: ${r.parseError}`;
          return false;
        }
        summary = r.summary;
      } else {
        try {
          summary = extractOk(endpoint.klass, text, ctx.rel);
        } catch (e) {
          if (e instanceof JacksonError)
            throw javaError(
              RESOURCE_ACCESS,
              `I/O error on POST request for "${url}": ${e.javaMessage}`,
            );
          throw e;
        }
      }
    } catch (e) {
      if (e instanceof JavaException && !exchange.outcome?.startsWith('HttpServerError'))
        exchange.outcome = `${e.javaClass}: ${String(e.javaMessage)}`;
      throw e;
    }
    if (!summary) {
      exchange.outcome = 'no summary';
      return false;
    }
    const ok = succeeded(endpoint.klass, summary, endpoint.tracker);
    exchange.outcome = `${endpoint.klass} ${String(summary.status)}${ok ? '' : ' (push failed)'}`;
    return ok;
  }
}
