/**
 * An in-memory LoginFailureStore: the fake the unit tests of `authenticate` use. It passes the
 * same conformance suite as the database stores (test/unit/store-conformance-memory.test.ts), so what those
 * tests show holds for the real store too.
 */
import type { LoginFailureStore, LoginKey } from '../../../src/domain/ports.ts';

const RETAIN_MS = 24 * 60 * 60_000;

export function createMemoryLoginFailures(): LoginFailureStore & { size(): number } {
  let rows: { username: string; client: string; at: Date }[] = [];
  const same = (k: LoginKey) => (r: { username: string; client: string }) =>
    r.username === k.username && r.client === k.client;
  return {
    async record(key, at) {
      rows.push({ ...key, at });
      rows = rows.filter((r) => r.at.getTime() >= at.getTime() - RETAIN_MS);
    },
    async since(key, since) {
      return rows
        .filter((r) => same(key)(r) && r.at.getTime() >= since.getTime())
        .map((r) => r.at)
        .sort((a, b) => a.getTime() - b.getTime());
    },
    async clear(key) {
      rows = rows.filter((r) => !same(key)(r));
    },
    size: () => rows.length,
  };
}
