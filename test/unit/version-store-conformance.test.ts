/** The VersionStore conformance suite on the in-memory fake (the database runs: test/integration/). */
import { describe } from 'node:test';
import { createMemoryVersionStore } from '../support/fakes/memory-version-store.ts';
import { registerVersionStoreTests } from '../support/version-store-conformance.ts';

describe('VersionStore conformance on the in-memory fake', () => {
  registerVersionStoreTests(async () => {
    const fake = createMemoryVersionStore();
    return {
      store: fake.store,
      put: fake.put,
      remove: fake.remove,
      setting: (key) => fake.settings.get(key),
    };
  });
});
