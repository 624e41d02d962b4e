/**
 * The local's outbound POSTs of the data push (contract §11): JSON with Basic auth, like the
 * version calls of http-central-client.ts. A 4xx answer's body is returned (DHIS2 parses its
 * `response`); 5xx is retried up to `maxAttempts` more times (DHIS2 `syncMaxAttempts`);
 * a connection error fails at once.
 *
 * Over a poor link (issue 19 §3, §5): a body goes gzip-compressed when the push says so (a
 * metasync central); a call fails on silence, not on slowness (link-watch.ts). The body is sent
 * in slices, each handed to the socket keeping the call alive; once all is sent the central
 * imports the page and says nothing until it answers, so that wait is allowed
 * max(inactivity, 2 min): a 10 000-value page takes a real DHIS2 tens of seconds, and cutting
 * it would only resend the same page. The answer's bytes keep the call alive again.
 */
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { RemoteError, type TransferMeter } from '../domain/sync/central-client.ts';
import { redirected } from './http-central-client.ts';
import { LinkWatch, watched } from './link-watch.ts';

const deflate = promisify(gzip);

/** The least silence allowed while the central imports a page it has received (issue 19 §3). */
export const PROCESSING_MS = 120_000;
/** The overall bound of one POST when `metadata.sync.remote.timeout.millisec` is not set. */
export const PUSH_OVERALL_MS = 30 * 60_000;
/** Slices of a body, each a sign of life when the socket takes it. */
const SLICE = 64 * 1024;

export interface DataClientConfig {
  url: string;
  username: string;
  password: string;
  maxAttempts: number;
  /** No byte moved for this long fails a call (`metadata.sync.remote.inactivity.millisec`). */
  inactivityMs?: number;
  /** The overall bound of one call (`metadata.sync.remote.timeout.millisec`); 30 min if unset. */
  timeoutMs?: number;
  /** Send bodies gzip-compressed (`Content-Encoding: gzip`): to a metasync central only. */
  gzip?: boolean;
  /** The run's byte counts: heads (estimated) and bodies as sent, answers as read (issue 19 §6). */
  meter?: TransferMeter;
  /** Tests: the least silence allowed while the central imports (default `PROCESSING_MS`). */
  processingMs?: number;
}

/** Why a call failed, for the report: the cause fetch wraps, or the error itself. */
const causeOf = (e: unknown) =>
  e instanceof Error ? ((e.cause as Error | undefined)?.message ?? e.message) : String(e);

/** `bytes` in slices, each keeping `watch()` alive and counted as sent; `sent()` after the last. */
async function* uploaded(
  bytes: Buffer,
  watch: () => LinkWatch,
  meter: TransferMeter | undefined,
  sent: () => void,
): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < bytes.length; at += SLICE) {
    const slice = bytes.subarray(at, at + SLICE);
    watch().alive();
    meter?.sent(slice.length);
    yield slice;
  }
  sent();
}

export interface DataClient {
  post(path: string, body: unknown): Promise<{ status: number; body: unknown }>;
  /** As `post`, with the body already serialised (a data value page, issue 18 §3). */
  postJson(path: string, json: string): Promise<{ status: number; body: unknown }>;
}

export function createHttpDataClient(config: DataClientConfig): DataClient {
  const base = config.url.replace(/\/+$/, '').replace(/\/api$/, '');
  const authorization = `Basic ${Buffer.from(`${config.username}:${config.password}`).toString('base64')}`;
  const inactivityMs = config.inactivityMs ?? 30_000;
  const overallMs = config.timeoutMs ?? PUSH_OVERALL_MS;
  const client: DataClient = {
    post: (path, body) => client.postJson(path, JSON.stringify(body)),
    async postJson(path, payload) {
      if (!config.url || !config.username || !config.password)
        throw new RemoteError('NOT_CONFIGURED', 'Remote server is not configured');
      const plain = Buffer.from(payload, 'utf8');
      const body = config.gzip ? await deflate(plain) : plain;
      for (let attempt = 0; ; attempt++) {
        // One abort for the whole call, from whichever watch fires first: the overall bound (a
        // watch never kept alive, whose inactivity comes after its outer limit), or the current
        // phase's silence: sending, the central's import, the answer.
        const call = new AbortController();
        const follow = (w: LinkWatch) => {
          w.signal.addEventListener('abort', () => call.abort(w.signal.reason), { once: true });
          return w;
        };
        const overall = follow(new LinkWatch({ inactivityMs: overallMs + 1, overallMs }));
        let watch: LinkWatch | undefined;
        const phase = (idleMs: number) => {
          watch?.done();
          watch = follow(new LinkWatch({ inactivityMs: idleMs, overallMs }));
          return watch;
        };
        const settle = () => {
          watch?.done();
          overall.done();
        };
        phase(inactivityMs);
        let answered = false;
        const headers: Record<string, string> = {
          authorization,
          'content-type': 'application/json',
          accept: 'application/json',
          'content-length': String(body.length),
          ...(config.gzip ? { 'content-encoding': 'gzip' } : {}),
        };
        // The request's head, roughly as it goes over the wire, like the metadata client's
        // (the body's slices are counted as they go).
        config.meter?.sent(
          `POST ${path} HTTP/1.1\r\n`.length +
            Object.entries(headers).reduce((n, [k, v]) => n + k.length + v.length + 4, 0),
        );
        let res: Response;
        try {
          res = await fetch(`${base}${path}`, {
            method: 'POST',
            headers,
            body: uploaded(
              body,
              () => watch!,
              config.meter,
              // An answer before the whole body went (a 401, a 413) keeps its own watch.
              () => answered || phase(Math.max(inactivityMs, config.processingMs ?? PROCESSING_MS)),
            ),
            duplex: 'half',
            redirect: 'manual',
            signal: call.signal,
          } as RequestInit);
        } catch (e) {
          settle();
          throw new RemoteError('UNREACHABLE', `Network is unreachable: ${base} (${causeOf(e)})`);
        }
        let text: string;
        try {
          answered = true;
          const answer = phase(inactivityMs);
          const chunks: Buffer[] = [];
          if (res.body)
            for await (const chunk of watched(res.body, answer)) {
              config.meter?.received(chunk.length);
              chunks.push(Buffer.from(chunk));
            }
          text = Buffer.concat(chunks).toString('utf8');
        } catch (e) {
          // The answer broke off mid-body: the page may or may not be on the central, so it is
          // a network failure; the watermark stays and the next run resends (data-push.ts).
          const cause = call.signal.aborted ? causeOf(call.signal.reason) : causeOf(e);
          throw new RemoteError(
            'UNREACHABLE',
            `Network is unreachable: ${base} (the answer to ${path} broke off: ${cause})`,
          );
        } finally {
          settle();
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
