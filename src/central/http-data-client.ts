/**
 * The local's outbound POSTs of the data push (contract §11): JSON with Basic auth, like the
 * version calls of http-central-client.ts. A 4xx answer's body is returned (DHIS2 parses its
 * `response`); 5xx is retried up to `maxAttempts` more times (DHIS2 `syncMaxAttempts`);
 * a connection error fails at once.
 */
import { RemoteError } from '../domain/sync/central-client.ts';
import { redirected } from './http-central-client.ts';

export interface DataClientConfig {
  url: string;
  username: string;
  password: string;
  maxAttempts: number;
  timeoutMs?: number;
}

export interface DataClient {
  post(path: string, body: unknown): Promise<{ status: number; body: unknown }>;
  /** As `post`, with the body already serialised (a data value page, issue 18 §3). */
  postJson(path: string, json: string): Promise<{ status: number; body: unknown }>;
}

export function createHttpDataClient(config: DataClientConfig): DataClient {
  const base = config.url.replace(/\/+$/, '').replace(/\/api$/, '');
  const authorization = `Basic ${Buffer.from(`${config.username}:${config.password}`).toString('base64')}`;
  const client: DataClient = {
    post: (path, body) => client.postJson(path, JSON.stringify(body)),
    async postJson(path, payload) {
      if (!config.url || !config.username || !config.password)
        throw new RemoteError('NOT_CONFIGURED', 'Remote server is not configured');
      for (let attempt = 0; ; attempt++) {
        let res: Response;
        try {
          res = await fetch(`${base}${path}`, {
            method: 'POST',
            headers: {
              authorization,
              'content-type': 'application/json',
              accept: 'application/json',
            },
            body: payload,
            redirect: 'manual',
            signal: AbortSignal.timeout(config.timeoutMs ?? 600_000),
          });
        } catch (e) {
          const cause =
            e instanceof Error ? ((e.cause as Error | undefined)?.message ?? e.message) : String(e);
          throw new RemoteError('UNREACHABLE', `Network is unreachable: ${base} (${cause})`);
        }
        let text: string;
        try {
          text = await res.text();
        } catch (e) {
          // The answer broke off mid-body: the page may or may not be on the central, so it is
          // a network failure; the watermark stays and the next run resends (data-push.ts).
          const cause =
            e instanceof Error ? ((e.cause as Error | undefined)?.message ?? e.message) : String(e);
          throw new RemoteError(
            'UNREACHABLE',
            `Network is unreachable: ${base} (the answer to ${path} broke off: ${cause})`,
          );
        }
        if (res.status >= 500 && attempt < config.maxAttempts) continue;
        if (res.status === 401) throw new RemoteError('AUTH', 'Authentication failed', 401);
        if (res.status >= 300 && res.status < 400) throw redirected(res, `${base}${path}`);
        if (res.status >= 500)
          throw new RemoteError(
            'HTTP',
            `Server Error. Http call failed with status code: ${res.status} Caused by: ${text.slice(0, 500)}`,
            res.status,
          );
        let parsed: unknown = null;
        try {
          parsed = text.trim() === '' ? null : JSON.parse(text);
        } catch {
          // No such endpoint (DHIS2 2.42+ for /api/events): the container's HTML error page. The
          // push reads the status (issue 16 §4); the page is of no use to it.
          if (res.status === 404 || res.status === 405) return { status: res.status, body: null };
          throw new RemoteError(
            'PARSE',
            `The central answered ${res.status} with a body that is not JSON: ${text.slice(0, 200)}`,
          );
        }
        return { status: res.status, body: parsed };
      }
    },
  };
  return client;
}
