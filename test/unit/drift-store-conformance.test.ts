/** The DriftStore conformance suite on the in-memory fake (the databases run: test/integration/). */
import { describe } from 'node:test';
import { registerDriftStoreTests } from '../support/drift-store-conformance.ts';
import { createMemoryDriftStore } from '../support/fakes/memory-drift-store.ts';
import { createMemoryMetadataStore } from '../support/fakes/memory-metadata-store.ts';

describe('DriftStore conformance on the in-memory fake', () => {
  registerDriftStoreTests(async () => {
    const metadata = createMemoryMetadataStore();
    return { metadata, drift: createMemoryDriftStore(metadata) };
  });
});
