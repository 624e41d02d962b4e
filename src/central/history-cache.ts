/**
 * The last history answer per central, account and baseline, with its ETag (issue 19 §4): a
 * local asks again with `If-None-Match` and a metasync central answers 304 when nothing changed,
 * so a poll costs a few hundred bytes. Owned by the composition root (a client is built per run)
 * and kept in memory only: after a restart the first poll is a full one. A DHIS2 central sends
 * no ETag, and nothing is kept.
 */
import type { RemoteVersion } from '../domain/sync/central-client.ts';

export interface CachedHistory {
  etag: string;
  versions: RemoteVersion[];
}

export interface HistoryCache {
  get(key: string): CachedHistory | undefined;
  set(key: string, entry: CachedHistory | null): void;
}

/** At most `max` answers (a local polls one central from one baseline at a time). */
export function createHistoryCache(max = 8): HistoryCache {
  const entries = new Map<string, CachedHistory>();
  return {
    get(key) {
      const e = entries.get(key);
      // A copy: the run sorts the list it is given.
      return e && { etag: e.etag, versions: e.versions.map((v) => ({ ...v })) };
    },
    set(key, entry) {
      entries.delete(key);
      if (!entry) return;
      entries.set(key, { etag: entry.etag, versions: entry.versions.map((v) => ({ ...v })) });
      for (const old of entries.keys()) {
        if (entries.size <= max) break;
        entries.delete(old);
      }
    },
  };
}
