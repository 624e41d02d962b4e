/**
 * The DriftStore port in memory, over the memory MetadataStore's committed state (its objects
 * and the baseline its writer keeps), for the domain's unit tests and the conformance suite.
 */
import { keyOf, type DriftRow, type DriftStore } from '../../../src/domain/drift/drift-store.ts';
import type { DriftKind, DriftSummary } from '../../../src/domain/drift/drift.ts';
import type { ObjectKey } from '../../../src/domain/versioning/snapshot-scope.ts';
import type { MemoryMetadataStore } from './memory-metadata-store.ts';
import type { DriftBaseRecord } from '../../../src/domain/drift/drift-store.ts';

export function createMemoryDriftStore(metadata: MemoryMetadataStore): DriftStore {
  // A fresh instance, as migration 0015 leaves one: the baseline follows the versions.
  let base: DriftBaseRecord | null = { kind: 'VERSIONS', version: null, at: new Date(0) };
  let summary: DriftSummary | null = null;
  const rowsOf = (kind: DriftKind, exempt: readonly ObjectKey[]): DriftRow[] => {
    const s = metadata.committed();
    const skip = new Set(exempt.map((k) => keyOf(k.type, k.id)));
    const out: DriftRow[] = [];
    if (kind === 'deleted') {
      for (const b of s.baseline.values())
        if (!s.objects.has(keyOf(b.type, b.id)) && !skip.has(keyOf(b.type, b.id)))
          out.push({ type: b.type, id: b.id, name: null, code: null, version: b.version });
    } else
      for (const o of s.objects.values()) {
        const b = s.baseline.get(keyOf(o.type, o.id));
        if (skip.has(keyOf(o.type, o.id))) continue;
        if (kind === 'changed' ? b && b.hash !== o.contentHash : !b)
          out.push({
            type: o.type,
            id: o.id,
            name: o.name,
            code: o.code,
            version: b?.version ?? null,
          });
      }
    return out.sort((a, b) =>
      a.type === b.type ? (a.id < b.id ? -1 : a.id > b.id ? 1 : 0) : a.type < b.type ? -1 : 1,
    );
  };
  return {
    async counts(exempt) {
      const out = [];
      for (const kind of ['changed', 'created', 'deleted'] as const) {
        const per = new Map<string, number>();
        for (const r of rowsOf(kind, exempt)) per.set(r.type, (per.get(r.type) ?? 0) + 1);
        for (const [type, count] of per) out.push({ type, kind, count });
      }
      return out;
    },
    async list(kind, { limit, type, exempt }) {
      return rowsOf(kind, exempt)
        .filter((r) => !type || r.type === type)
        .slice(0, limit);
    },
    async baselineOf(keys) {
      const s = metadata.committed();
      const out = new Map<string, { hash: string; version: string }>();
      for (const k of keys) {
        const b = s.baseline.get(keyOf(k.type, k.id));
        if (b) out.set(keyOf(k.type, k.id), { hash: b.hash, version: b.version });
      }
      return out;
    },
    async basePayloads(keys) {
      const s = metadata.committed();
      const out = new Map<string, Record<string, unknown>>();
      for (const k of keys) {
        const b = s.baseline.get(keyOf(k.type, k.id));
        if (b?.payload)
          out.set(keyOf(k.type, k.id), JSON.parse(b.payload) as Record<string, unknown>);
      }
      return out;
    },
    async rebase(version, at) {
      const s = metadata.committed();
      s.baseline.clear();
      for (const o of s.objects.values())
        s.baseline.set(keyOf(o.type, o.id), {
          type: o.type,
          id: o.id,
          hash: o.contentHash,
          version,
          payload: o.payload,
        });
      base = { kind: 'REBASELINE', version, at };
      summary = null;
    },
    async base() {
      return base;
    },
    async markFolded(at) {
      base ??= { kind: 'VERSIONS', version: null, at };
    },
    async saveSummary(s) {
      summary = { ...s };
    },
    async summary() {
      return summary;
    },
  };
}
