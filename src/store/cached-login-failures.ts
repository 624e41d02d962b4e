/**
 * Every API request checks its username's recent login failures. Most usernames have none, so a
 * short-lived per-process cache spares that round trip. This process's own writes invalidate
 * it at once; another process's failures are seen within `ttlMs` (a lock may start up to that
 * much later on a second process, never earlier or shorter).
 */
import type { Clock, LoginFailureStore } from '../domain/ports.ts';

export function cacheLoginFailures(
  inner: LoginFailureStore,
  clock: Clock,
  ttlMs = 1000,
): LoginFailureStore {
  const cache = new Map<string, { at: number; since: number; failures: Date[] }>();
  return {
    async record(username, at) {
      cache.delete(username);
      await inner.record(username, at);
    },
    async clear(username) {
      cache.delete(username);
      await inner.clear(username);
    },
    async since(username, since) {
      const now = clock.now().getTime();
      const hit = cache.get(username);
      if (hit && now - hit.at < ttlMs && since.getTime() >= hit.since)
        return hit.failures.filter((d) => d.getTime() >= since.getTime());
      const failures = await inner.since(username, since);
      if (cache.size > 10_000) cache.clear();
      cache.set(username, { at: now, since: since.getTime(), failures });
      return failures;
    },
  };
}
