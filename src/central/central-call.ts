/**
 * One call of the local to its central (contract §8, §12): Basic auth, no redirect followed, and
 * a link watch (issue 19 §3) that fails the call once no byte has moved for the inactivity limit
 * or once it has run past its overall bound. Every body byte is read through the watch (each
 * chunk keeps the call alive) and counted on the run's transfer meter (issue 19 §6).
 * Failures become RemoteErrors with DHIS2's wording, except a 3xx: DHIS2 says "No authentication
 * was provided" (its login redirect), metasync says where the central redirected to, the usual
 * cause being a proxy or an http→https redirect.
 */
import { RemoteError, type TransferMeter } from '../domain/sync/central-client.ts';
import { LinkWatch, watched, type LinkLimits } from './link-watch.ts';

export interface CentralCall {
  res: Response;
  /** The body through the watch and the meter; the watch ends with it. */
  body(): AsyncIterable<Uint8Array>;
  /**
   * Gives up the call (a refused 206, a download left early): ends the watch and aborts the
   * request, so that a read waiting on a silent link returns at once.
   */
  cancel(): Promise<void>;
  /** True when the link watch failed the call: silence or the overall bound, not a break. */
  timedOut(): boolean;
}

/** A 3xx answer (fetch follows none: credentials must not travel to another host). */
export function redirected(res: Response, requested: string): RemoteError {
  const location = res.headers.get('location');
  let target = '(no Location header)';
  if (location)
    try {
      target = new URL(location, requested).href;
    } catch {
      target = JSON.stringify(location.slice(0, 200));
    }
  return new RemoteError(
    'REDIRECT',
    `The central redirected to ${target} (HTTP ${res.status} for ${requested}): set keyRemoteInstanceUrl to the address it redirects to; a proxy or an http→https redirect is the usual cause`,
    res.status,
  );
}

export const causeOf = (e: unknown) =>
  e instanceof Error ? ((e.cause as Error | undefined)?.message ?? e.message) : String(e);

/** Reads at most `limit` bytes of a body, then stops the download. */
export async function readCapped(body: AsyncIterable<Uint8Array>, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    chunks.push(Buffer.from(chunk));
    size += chunk.length;
    if (size >= limit) break; // leaving the loop cancels the rest of the download
  }
  return Buffer.concat(chunks).subarray(0, limit);
}

/** The longest error body kept for a message. */
const ERROR_BODY = 64 * 1024;

export interface CallerOptions {
  base: string;
  headers: Record<string, string>;
  configured: boolean;
  meter?: TransferMeter;
}

/**
 * `get(path, limits, extra, pass)`: the answer when it is 2xx or one of `pass`; otherwise the
 * classified RemoteError.
 */
export function createCaller({ base, headers, configured, meter }: CallerOptions) {
  async function* counted(body: AsyncIterable<Uint8Array>) {
    for await (const chunk of body) {
      meter?.received(chunk.length);
      yield chunk;
    }
  }

  return async function get(
    path: string,
    limits: LinkLimits,
    extra: Record<string, string> = {},
    pass: readonly number[] = [],
  ): Promise<CentralCall> {
    if (!configured) throw new RemoteError('NOT_CONFIGURED', 'Remote server is not configured');
    const sent = { ...headers, ...extra };
    // The request's head, roughly as it goes over the wire (a GET has no body).
    meter?.sent(
      `GET ${path} HTTP/1.1\r\n`.length +
        Object.entries(sent).reduce((n, [k, v]) => n + k.length + v.length + 4, 0),
    );
    const watch = new LinkWatch(limits);
    let res: Response;
    try {
      res = await fetch(`${base}${path}`, {
        headers: sent,
        redirect: 'manual',
        signal: watch.signal,
      });
    } catch (e) {
      watch.done();
      throw new RemoteError('UNREACHABLE', `Network is unreachable: ${base} (${causeOf(e)})`);
    }
    watch.alive();
    const call: CentralCall = {
      res,
      body: () =>
        res.body ? counted(watched(res.body, watch)) : (watch.done(), (async function* () {})()),
      cancel: async () => {
        watch.giveUp();
        await res.body?.cancel().catch(() => undefined);
      },
      timedOut: () => watch.timedOut,
    };
    if (res.ok || pass.includes(res.status)) return call;
    const text = (await readCapped(call.body(), ERROR_BODY).catch(() => Buffer.alloc(0)))
      .toString('utf8')
      .slice(0, 500);
    if (res.status === 401) throw new RemoteError('AUTH', 'Authentication failed', 401);
    if (res.status >= 300 && res.status < 400) throw redirected(res, `${base}${path}`);
    if (res.status === 404) throw new RemoteError('NOT_FOUND', `Not found: ${path} (${text})`, 404);
    const kind = res.status >= 500 ? 'Server Error' : 'Client Error';
    throw new RemoteError(
      'HTTP',
      `${kind}. Http call failed with status code: ${res.status} Caused by: ${text}`,
      res.status,
    );
  };
}

export type Get = ReturnType<typeof createCaller>;
