/**
 * Every API request checks its username's recent login failures (while the lock is on). Most
 * usernames have none, so a short-lived per-process cache spares that round trip. This process's
 * own writes invalidate it at once; another process's failures are seen within `ttlMs` (a lock
 * may start up to that much later on a second process, never earlier or shorter).
 */
import type { Clock, LoginFailureStore, LoginKey } from '../domain/ports.ts';

/** NUL cannot occur in a username that reaches the store (`unstorable`) nor in a client. */
const cacheKey = ({ username, client }: LoginKey) => `${username}\u0000${client}`;

export function cacheLoginFailures(
  inner: LoginFailureStore,
  clock: Clock,
  ttlMs = 1000,
): LoginFailureStore {
  const cache = new Map<string, { at: number; since: number; failures: Date[] }>();
  return {
    async record(key, at) {
      cache.delete(cacheKey(key));
      await inner.record(key, at);
    },
    async clear(key) {
      cache.delete(cacheKey(key));
      await inner.clear(key);
    },
    async since(key, since) {
      const now = clock.now().getTime();
      const hit = cache.get(cacheKey(key));
      if (hit && now - hit.at < ttlMs && since.getTime() >= hit.since)
        return hit.failures.filter((d) => d.getTime() >= since.getTime());
      const failures = await inner.since(key, since);
      if (cache.size > 10_000) cache.clear();
      cache.set(cacheKey(key), { at: now, since: since.getTime(), failures });
      return failures;
    },
  };
}
