/** LocalKeyStore's conformance suite on the in-memory fake (issue 20 §5). */
import { describe } from 'node:test';
import { createMemoryLocalKeys } from '../support/fakes/memory-local-keys.ts';
import { registerLocalKeyTests } from '../support/local-key-conformance.ts';

describe('local key store conformance in memory', () => {
  const store = createMemoryLocalKeys();
  registerLocalKeyTests(() => store);
});
