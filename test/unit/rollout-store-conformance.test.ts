/** The RolloutStore conformance suite on the in-memory fake (the database runs: test/integration/). */
import { describe } from 'node:test';
import { createMemoryRolloutStore } from '../support/fakes/memory-rollout-store.ts';
import { registerRolloutStoreTests } from '../support/rollout-store-conformance.ts';

describe('RolloutStore conformance on the in-memory fake', () => {
  registerRolloutStoreTests(async () => createMemoryRolloutStore());
});
