/**
 * The local's HTTP client for its central (contract §8, §12, §14 direction B). Basic auth on
 * every call (./central-call.ts), each under a link watch: silence fails a call, slowness does
 * not (issue 19 §3). `data.gz` is kept as gzip when its Content-Type says gzip (as DHIS2's client
 * reads it), inflated as a stream (./snapshot-download.ts, issue 18 §1) and resumed after a break
 * (./resumable-download.ts, issue 19 §2); the history is asked with `If-None-Match`
 * (./history-cache.ts, issue 19 §4); an empty history body means "nothing newer".
 */
import type { PartialDownloadStore, SyncRunState } from '../domain/ports.ts';
import { unstorable } from '../domain/text.ts';
import { versionName, versionNumber } from '../domain/versioning/version.ts';
import {
  RemoteError,
  type CentralClient,
  type CentralInfo,
  type RemoteVersion,
  type TransferMeter,
} from '../domain/sync/central-client.ts';
import { causeOf, createCaller, readCapped, type CentralCall } from './central-call.ts';
import type { HistoryCache } from './history-cache.ts';
import type { LinkLimits } from './link-watch.ts';
import { uploadFleet } from './fleet-upload.ts';
import { postSmall } from './small-post.ts';
import { buildString, systemName } from './info-strings.ts';
import { downloadVersion } from './resumable-download.ts';

export { redirected } from './central-call.ts';

export interface CentralConfig {
  url: string;
  username: string;
  password: string;
  /** Sent as X-Metasync-System-Id / -Name so a metasync central can list this local in its fleet. */
  systemId?: string;
  systemName?: string;
  /**
   * The state of this local's last finished run, sent on each history call as
   * X-Metasync-Sync-State so a metasync central counts failing locals (issue 21 §4).
   */
  syncState?: () => Promise<SyncRunState | null>;
  /** No byte for this long fails a call (issue 19 §3; metadata.sync.remote.inactivity.millisec). */
  inactivityMs?: number;
  /**
   * metadata.sync.remote.timeout.millisec: when set, the overall bound of every call (and the
   * inactivity limit is at most this); otherwise 10 min for a JSON call, 6 h for a snapshot.
   */
  timeoutMs?: number;
  /** Where broken-off downloads are kept to be resumed (issue 19 §2); none: nothing is kept. */
  partials?: PartialDownloadStore;
  /** The last history answers and their ETags, across runs (issue 19 §4). */
  historyCache?: HistoryCache;
  /** The run's byte counter (issue 19 §6). */
  meter?: TransferMeter;
}

/** Defaults of issue 19 §3: generous outer bounds; silence is what fails a call. */
export const INACTIVITY_MS = 30_000;
const CALL_MS = 10 * 60_000;
const SNAPSHOT_MS = 6 * 60 * 60_000;

/** The limits of a JSON call and of a snapshot download under `config`. */
export function linkLimits(config: Pick<CentralConfig, 'inactivityMs' | 'timeoutMs'>): {
  call: LinkLimits;
  snapshot: LinkLimits;
} {
  const inactivity = config.inactivityMs ?? INACTIVITY_MS;
  if (config.timeoutMs) {
    const limits = {
      inactivityMs: Math.min(inactivity, config.timeoutMs),
      overallMs: config.timeoutMs,
    };
    return { call: limits, snapshot: limits };
  }
  return {
    call: { inactivityMs: inactivity, overallMs: CALL_MS },
    snapshot: { inactivityMs: inactivity, overallMs: SNAPSHOT_MS },
  };
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

/** How long an outcome report may take: it is news, not work. */
const OUTCOME_MS = 10_000;

/** The longest `/api/system/info` answer read (DHIS2's is ~2 KB): a central may be hostile. */
const INFO_LIMIT = 256 * 1024;

export function createHttpCentralClient(config: CentralConfig): CentralClient {
  const base = config.url.replace(/\/+$/, '').replace(/\/api$/, '');
  const authorization = `Basic ${Buffer.from(`${config.username}:${config.password}`).toString('base64')}`;
  const headers: Record<string, string> = { authorization, accept: 'application/json' };
  if (config.systemId) headers['x-metasync-system-id'] = config.systemId;
  if (config.systemName) headers['x-metasync-system-name'] = encodeURIComponent(config.systemName);
  const get = createCaller({
    base,
    headers,
    configured: Boolean(config.url && config.username && config.password),
    ...(config.meter ? { meter: config.meter } : {}),
  });
  const limits = linkLimits(config);

  /**
   * Reads an answer's body. The link can break after the head (a connection reset or closed
   * mid-body, a limit passed during the download): that is the same network failure as one
   * before the head, not an internal error named only "terminated" (issue 10 §1 fault suite).
   */
  async function body<T>(
    call: CentralCall,
    path: string,
    read: (b: AsyncIterable<Uint8Array>) => Promise<T>,
  ) {
    try {
      return await read(call.body());
    } catch (e) {
      throw new RemoteError(
        'UNREACHABLE',
        `Network is unreachable: ${base} (the answer to ${path} broke off: ${causeOf(e)})`,
      );
    }
  }

  /** A metasync-only GET: its JSON, or null when the central answers 404 (DHIS2 has no such route). */
  async function jsonOrNull(path: string): Promise<unknown> {
    try {
      return await json(await get(path, limits.call), path);
    } catch (e) {
      if (e instanceof RemoteError && e.kind === 'NOT_FOUND') return null;
      throw e;
    }
  }

  async function json(call: CentralCall, path: string): Promise<unknown> {
    // As Response.text(): UTF-8 with a leading BOM dropped.
    const text = new TextDecoder().decode(await body(call, path, (b) => readCapped(b, Infinity)));
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

  const versions = (answer: unknown): RemoteVersion[] => {
    const list = (answer as { metadataversions?: unknown } | null)?.metadataversions;
    return (Array.isArray(list) ? list : [])
      .map(toRemoteVersion)
      .filter((v): v is RemoteVersion => v !== null);
  };

  return {
    async ping() {
      // The status is the answer (DHIS2's client reads no more): the body is not waited for.
      await (await get('/api/system/ping', limits.call)).cancel();
    },
    async systemInfo(): Promise<CentralInfo> {
      const path = '/api/system/info';
      const none = (unavailable: string): CentralInfo => ({
        version: null,
        revision: null,
        metasync: false,
        unavailable,
      });
      let call: CentralCall;
      try {
        call = await get(path, limits.call);
      } catch (e) {
        // An old or odd central without the endpoint (or refusing it) still syncs (issue 16 §4).
        if (e instanceof RemoteError && (e.kind === 'NOT_FOUND' || e.kind === 'HTTP'))
          return none(`HTTP ${e.status ?? '?'}`);
        throw e;
      }
      const bytes = await body(call, path, (b) => readCapped(b, INFO_LIMIT));
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
        name: systemName(o.systemName),
        ...(version ? {} : { unavailable: 'no version in the answer' }),
      };
    },
    async history(baseline) {
      const q = baseline ? `?baseline=${encodeURIComponent(baseline)}` : '';
      const path = `/api/metadata/version/history${q}`;
      // Issue 19 §4: the same question as last time is asked with the last answer's ETag; a
      // metasync central answers 304 when its answer has not changed. DHIS2 sends no ETag.
      const cache = config.historyCache;
      const key = `${base}\n${config.username}\n${baseline ?? ''}`;
      const cached = cache?.get(key);
      const state = await config.syncState?.();
      const call = await get(
        path,
        limits.call,
        {
          ...(cached ? { 'if-none-match': cached.etag } : {}),
          ...(state ? { 'x-metasync-sync-state': state } : {}),
        },
        cached ? [304] : [],
      );
      if (call.res.status === 304 && cached) {
        await call.cancel();
        return cached.versions;
      }
      const list = versions(await json(call, path));
      const etag = call.res.headers.get('etag');
      cache?.set(key, etag ? { etag, versions: list } : null);
      return list;
    },
    async version(name) {
      try {
        const path = `/api/metadata/version?versionName=${encodeURIComponent(name)}`;
        return toRemoteVersion(await json(await get(path, limits.call), path));
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
    async signingKey() {
      const answer = await jsonOrNull('/api/metasync/signing-key');
      const pem = (answer as { publicKey?: unknown } | null)?.publicKey;
      return typeof pem === 'string' ? pem : null;
    },
    reportFleet: (locals) => uploadFleet(base, headers, locals),
    async reportOutcome(outcome) {
      // Best effort, bounded, never retried (the next run reports again); the caller sends it to
      // metasync centrals only.
      if (!config.url || !config.username || !config.password) return;
      await postSmall(base, headers, '/api/metasync/fleet/outcome', outcome, {
        timeoutMs: OUTCOME_MS,
        what: 'outcome report',
      });
    },
    async withdrawal(hashCode) {
      // DHIS2 (no such route) and a metasync central without that withdrawal: 404, null.
      const answer = await jsonOrNull(
        `/api/metasync/rollout/withdrawn/${encodeURIComponent(hashCode)}`,
      );
      const o = answer as Record<string, unknown> | null;
      const text = (k: string) => (typeof o?.[k] === 'string' ? o[k].slice(0, 2000) : '');
      return o && text('name')
        ? { name: text('name'), by: text('by'), at: text('at'), reason: text('reason') }
        : null;
    },
    snapshot: (name, options) =>
      downloadVersion(
        {
          get,
          base,
          limits: limits.snapshot,
          ...(config.partials ? { partials: config.partials } : {}),
        },
        name,
        options,
      ),
  };
}
