/**
 * The in-memory fake of the sync ports (test/support/fakes/memory-sync-store.ts) passes the same
 * conformance suite as the PGlite and PostgreSQL store.
 */
import { beforeEach, describe } from 'node:test';
import { createMemorySyncStore, type MemorySyncStore } from '../support/fakes/memory-sync-store.ts';
import { registerSyncStoreTests } from '../support/sync-store-conformance.ts';

describe('sync store conformance on the in-memory fake', () => {
  let store: MemorySyncStore;
  beforeEach(() => {
    store = createMemorySyncStore();
  });
  registerSyncStoreTests({
    store: () => store,
    advance: async (ms) => store.advance(ms),
    ownClock: true,
  });
});
