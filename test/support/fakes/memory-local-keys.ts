/**
 * An in-memory LocalKeyStore (issue 20 §5); it passes the same conformance suite as the database
 * store (test/support/local-key-conformance.ts).
 */
import type { LocalKeyStore, PinnedLocalKey } from '../../../src/domain/bundle/local-keys.ts';

export function createMemoryLocalKeys(): LocalKeyStore {
  const keys = new Map<string, PinnedLocalKey>();
  const copy = (k: PinnedLocalKey): PinnedLocalKey => ({ ...k, pinnedAt: new Date(k.pinnedAt) });
  return {
    async list() {
      return [...keys.values()]
        .sort((a, b) => (a.systemId < b.systemId ? -1 : a.systemId > b.systemId ? 1 : 0))
        .map(copy);
    },
    async find(systemId) {
      const k = keys.get(systemId);
      return k ? copy(k) : null;
    },
    async put(key) {
      keys.set(key.systemId, copy(key));
    },
    async remove(systemId) {
      return keys.delete(systemId);
    },
  };
}
