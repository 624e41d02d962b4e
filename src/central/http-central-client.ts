/**
 * The local's HTTP client for its central (contract §8, §12, §14 direction B). Basic auth on
 * every call; `data.gz` is kept as gzip when its Content-Type says gzip (as DHIS2's client reads
 * it) and inflated as a stream (./snapshot-download.ts, issue 18 §1);
 * an empty history body means "nothing newer". Failures become RemoteErrors with DHIS2's wording,
 * except a 3xx: DHIS2 says "No authentication was provided" (its login redirect), metasync says
 * where the central redirected to, the usual cause being a proxy or an http→https redirect.
 */
import { unstorable } from '../domain/text.ts';
import { versionName, versionNumber } from '../domain/versioning/version.ts';
import {
  RemoteError,
  type CentralClient,
  type CentralInfo,
  type RemoteVersion,
} from '../domain/sync/central-client.ts';
import { downloadSnapshot } from './snapshot-download.ts';

/** Reads at most `limit` bytes of a body, then stops the download. */
async function readCapped(res: Response, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res.body ?? []) {
    chunks.push(Buffer.from(chunk as Uint8Array));
    size += (chunk as Uint8Array).length;
    if (size >= limit) break; // leaving the loop cancels the rest of the download
  }
  return Buffer.concat(chunks).subarray(0, limit);
}

export interface CentralConfig {
  url: string;
  username: string;
  password: string;
  /** Sent as X-Metasync-System-Id / -Name so a metasync central can list this local in its fleet. */
  systemId?: string;
  systemName?: string;
  timeoutMs?: number;
  downloadTimeoutMs?: number;
}

/**
 * DHIS2 dates: `2016-06-30T06:01:28.684` (server time, read in this server's zone, as
 * `dhis2Date` writes them, so that the local shows the central's dates as the central does),
 * with `+0000`/`Z`, or epoch ms.
 */
export function parseDhis2Date(v: unknown): Date {
  if (typeof v === 'number') return new Date(v);
  if (typeof v !== 'string') return new Date(NaN);
  // A date-time without an offset is local time in ECMAScript (Date Time String Format).
  return new Date(v.trim().replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
}

function toRemoteVersion(v: unknown): RemoteVersion | null {
  if (typeof v !== 'object' || v === null) return null;
  const o = v as Record<string, unknown>;
  if (typeof o.name !== 'string' || typeof o.hashCode !== 'string') return null;
  // Found by fuzzing (issue 10 §5), reported as the central's bad answer: the local orders and
  // numbers versions by `Version_<n>`, so any other name (or Version_01) was recorded as number
  // 0 or a duplicate number and stalled every later run; and text that cannot be stored failed
  // the settings and version writes as an INTERNAL error.
  const n = versionNumber(o.name);
  if (n === null || versionName(n) !== o.name)
    throw new RemoteError(
      'PARSE',
      `The central listed a version named ${JSON.stringify(o.name)}, which is not a DHIS2 version name (Version_<n>)`,
    );
  // DHIS2 reads `type` as its VersionType enum: exactly BEST_EFFORT or ATOMIC, or absent (null,
  // then imported all or nothing: ATOMIC). Anything else fails its JSON conversion.
  if (o.type !== undefined && o.type !== null && o.type !== 'BEST_EFFORT' && o.type !== 'ATOMIC')
    throw new RemoteError(
      'PARSE',
      `Exception occurred while trying to do JSON conversion. Caused by: the central listed ${o.name} with type ${JSON.stringify(o.type)}, not BEST_EFFORT or ATOMIC`,
    );
  for (const k of ['id', 'hashCode', 'parentHashCode'])
    if (typeof o[k] === 'string' && unstorable(o[k]))
      throw new RemoteError(
        'PARSE',
        `The central listed a version whose ${k} holds U+0000 or an unpaired surrogate: ${JSON.stringify(o[k])}`,
      );
  return {
    name: o.name,
    type: typeof o.type === 'string' ? o.type : 'ATOMIC',
    id: typeof o.id === 'string' ? o.id : '',
    hashCode: o.hashCode.toLowerCase(),
    created: parseDhis2Date(o.created),
    parentHashCode: typeof o.parentHashCode === 'string' ? o.parentHashCode : null,
  };
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

/** The longest `/api/system/info` answer read (DHIS2's is ~2 KB): a central may be hostile. */
const INFO_LIMIT = 256 * 1024;

/** A build string fit for a report: printable, at most 100 characters. */
const buildString = (v: unknown): string | null =>
  typeof v === 'string' && v.trim()
    ? v
        .replace(/[^\x20-\x7e]/g, '')
        .trim()
        .slice(0, 100) || null
    : null;

export function createHttpCentralClient(config: CentralConfig): CentralClient {
  const base = config.url.replace(/\/+$/, '').replace(/\/api$/, '');
  const authorization = `Basic ${Buffer.from(`${config.username}:${config.password}`).toString('base64')}`;
  const headers: Record<string, string> = { authorization, accept: 'application/json' };
  if (config.systemId) headers['x-metasync-system-id'] = config.systemId;
  if (config.systemName) headers['x-metasync-system-name'] = encodeURIComponent(config.systemName);

  const causeOf = (e: unknown) =>
    e instanceof Error ? ((e.cause as Error | undefined)?.message ?? e.message) : String(e);

  /**
   * Reads an answer's body. The link can break after the head (a connection reset or closed
   * mid-body, the timeout firing during the download): that is the same network failure as one
   * before the head, not an internal error named only "terminated" (issue 10 §1 fault suite).
   */
  async function body<T>(res: Response, path: string, read: (r: Response) => Promise<T>) {
    try {
      return await read(res);
    } catch (e) {
      throw new RemoteError(
        'UNREACHABLE',
        `Network is unreachable: ${base} (the answer to ${path} broke off: ${causeOf(e)})`,
      );
    }
  }

  async function get(path: string, timeoutMs: number): Promise<Response> {
    if (!config.url || !config.username || !config.password)
      throw new RemoteError('NOT_CONFIGURED', 'Remote server is not configured');
    let res: Response;
    try {
      res = await fetch(`${base}${path}`, {
        headers,
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (e) {
      throw new RemoteError('UNREACHABLE', `Network is unreachable: ${base} (${causeOf(e)})`);
    }
    if (res.ok) return res;
    const body = (await res.text().catch(() => '')).slice(0, 500);
    if (res.status === 401) throw new RemoteError('AUTH', 'Authentication failed', 401);
    if (res.status >= 300 && res.status < 400) throw redirected(res, `${base}${path}`);
    if (res.status === 404) throw new RemoteError('NOT_FOUND', `Not found: ${path} (${body})`, 404);
    const kind = res.status >= 500 ? 'Server Error' : 'Client Error';
    throw new RemoteError(
      'HTTP',
      `${kind}. Http call failed with status code: ${res.status} Caused by: ${body}`,
      res.status,
    );
  }

  async function json(res: Response, path: string): Promise<unknown> {
    const text = await body(res, path, (r) => r.text());
    if (text.trim() === '') return null;
    try {
      return JSON.parse(text);
    } catch (e) {
      throw new RemoteError(
        'PARSE',
        `Exception occurred while trying to do JSON conversion. Caused by: ${(e as Error).message}`,
      );
    }
  }

  const timeout = config.timeoutMs ?? 120_000;
  const downloadTimeout = config.downloadTimeoutMs ?? 300_000;

  return {
    async ping() {
      await get('/api/system/ping', timeout);
    },
    async systemInfo(): Promise<CentralInfo> {
      const path = '/api/system/info';
      const none = (unavailable: string): CentralInfo => ({
        version: null,
        revision: null,
        metasync: false,
        unavailable,
      });
      let res: Response;
      try {
        res = await get(path, timeout);
      } catch (e) {
        // An old or odd central without the endpoint (or refusing it) still syncs (issue 16 §4).
        if (e instanceof RemoteError && (e.kind === 'NOT_FOUND' || e.kind === 'HTTP'))
          return none(`HTTP ${e.status ?? '?'}`);
        throw e;
      }
      const bytes = await body(res, path, (r) => readCapped(r, INFO_LIMIT));
      let info: unknown;
      try {
        info = JSON.parse(bytes.toString('utf8'));
      } catch {
        return none('not JSON');
      }
      const o = typeof info === 'object' && info !== null ? (info as Record<string, unknown>) : {};
      const version = buildString(o.version);
      return {
        version,
        revision: buildString(o.revision),
        metasync: typeof o.metasyncVersion === 'string',
        ...(version ? {} : { unavailable: 'no version in the answer' }),
      };
    },
    async history(baseline) {
      const q = baseline ? `?baseline=${encodeURIComponent(baseline)}` : '';
      const path = `/api/metadata/version/history${q}`;
      const answer = (await json(await get(path, timeout), path)) as {
        metadataversions?: unknown;
      } | null;
      const list = Array.isArray(answer?.metadataversions) ? answer.metadataversions : [];
      return list.map(toRemoteVersion).filter((v): v is RemoteVersion => v !== null);
    },
    async version(name) {
      try {
        const path = `/api/metadata/version?versionName=${encodeURIComponent(name)}`;
        return toRemoteVersion(await json(await get(path, timeout), path));
      } catch (e) {
        // DHIS2 answers 500 for an unknown name (contract §6.1), metasync 404.
        if (
          e instanceof RemoteError &&
          (e.kind === 'NOT_FOUND' || (e.status === 500 && /No metadata version/.test(e.message)))
        )
          return null;
        throw e;
      }
    },
    async snapshot(name) {
      const path = `/api/metadata/version/${encodeURIComponent(name)}`;
      let res: Response;
      let file = `${path}/data.gz`;
      try {
        res = await get(file, downloadTimeout);
      } catch (e) {
        if (!(e instanceof RemoteError && e.kind === 'NOT_FOUND')) throw e;
        file = `${path}/data`;
        res = await get(file, downloadTimeout);
      }
      // Kept as gzip and read as a stream (issue 18 §1): MD5 while inflating, never the whole text.
      const gzipped = (res.headers.get('content-type') ?? '').includes('application/gzip');
      return downloadSnapshot(
        (res.body ?? []) as AsyncIterable<Uint8Array>,
        gzipped,
        name,
        (e) =>
          new RemoteError(
            'UNREACHABLE',
            `Network is unreachable: ${base} (the answer to ${file} broke off: ${causeOf(e)})`,
          ),
      );
    },
  };
}
