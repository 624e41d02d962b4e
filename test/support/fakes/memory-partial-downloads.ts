/**
 * An in-memory PartialDownloadStore (issue 19 §2); it passes the same conformance suite as the
 * database store (test/support/partial-download-conformance.ts). `imported` stands for the
 * version table the database store's prune reads: the newest version number this instance has.
 */
import type { PartialDownload, PartialDownloadStore } from '../../../src/domain/ports.ts';
import { versionNumber } from '../../../src/domain/versioning/version.ts';

export function createMemoryPartialDownloads(
  newestImported: () => number | null,
): PartialDownloadStore {
  const partials = new Map<string, PartialDownload & { chunks: Buffer[] }>();
  return {
    async find(version) {
      const p = partials.get(version);
      return p ? { version, versionId: p.versionId, etag: p.etag, bytes: p.bytes } : null;
    },
    async *read(version) {
      for (const chunk of [...(partials.get(version)?.chunks ?? [])]) yield Buffer.from(chunk);
    },
    async begin(p) {
      partials.set(p.version, { ...p, bytes: 0, chunks: [] });
    },
    async append(version, offset, bytes) {
      const p = partials.get(version);
      if (!p || p.bytes !== offset) return false;
      if (bytes.length === 0) return true;
      p.chunks.push(Buffer.from(bytes));
      p.bytes += bytes.length;
      return true;
    },
    async discard(version) {
      partials.delete(version);
    },
    async pruneImported() {
      const newest = newestImported() ?? -1;
      const gone = [...partials.keys()].filter((v) => (versionNumber(v) ?? 0) <= newest);
      for (const v of gone) partials.delete(v);
      return gone;
    },
  };
}
