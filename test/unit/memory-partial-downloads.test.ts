/** The in-memory PartialDownloadStore passes the database stores' conformance suite (issue 19 §2). */
import { describe } from 'node:test';
import { createMemoryPartialDownloads } from '../support/fakes/memory-partial-downloads.ts';
import { registerPartialDownloadTests } from '../support/partial-download-conformance.ts';

describe('partial download store conformance on the in-memory fake', () => {
  let newest: number | null = null;
  const store = createMemoryPartialDownloads(() => newest);
  registerPartialDownloadTests({
    store: () => store,
    importVersion: async (n) => {
      newest = Math.max(newest ?? -1, n);
    },
  });
});
