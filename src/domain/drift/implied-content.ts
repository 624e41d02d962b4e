/**
 * The content the applied versions imply for some objects (issue 23 §1, §4): read from the
 * snapshot of the version that last gave each its content, or, for a base a rebaseline laid, from
 * the copy kept then. Only the objects asked for are kept; each snapshot is read as a stream,
 * a slice of a type at a time, so a large version costs time, not memory.
 */
import type { SnapshotMember } from '../sync/central-client.ts';
import type { ObjectKey } from '../versioning/snapshot-scope.ts';
import { keyOf } from './drift-store.ts';

/** The stored snapshots of the versions this instance applied (an adapter inflates them). */
export interface StoredSnapshots {
  /** The members of `version`'s stored snapshot; null when none is stored. */
  members(version: string): Promise<AsyncIterable<SnapshotMember> | null>;
}

export interface ImpliedSource {
  snapshots: StoredSnapshots;
  /** The copies a rebaseline kept (key `type \0 id`). */
  basePayloads(keys: readonly ObjectKey[]): Promise<Map<string, Record<string, unknown>>>;
}

const SLICE = 1000;

/** Implied objects by `type \0 id`; an object found nowhere is absent from the map. */
export async function impliedObjects(
  source: ImpliedSource,
  wanted: readonly (ObjectKey & { version: string | null })[],
): Promise<Map<string, Record<string, unknown>>> {
  const found = await source.basePayloads(wanted);
  const byVersion = new Map<string, Map<string, Set<string>>>();
  for (const w of wanted) {
    if (!w.version || found.has(keyOf(w.type, w.id))) continue;
    const types = byVersion.get(w.version) ?? new Map<string, Set<string>>();
    byVersion.set(w.version, types);
    const ids = types.get(w.type) ?? new Set<string>();
    types.set(w.type, ids);
    ids.add(w.id);
  }
  for (const [version, types] of byVersion) {
    const members = await source.snapshots.members(version);
    if (!members) continue;
    for await (const m of members) {
      const ids = types.get(m.key);
      if (!ids) continue;
      for (const slice of m.batches(SLICE) ?? [])
        for (const o of slice) {
          const id = (o as { id?: unknown } | null)?.id;
          if (typeof id === 'string' && ids.has(id))
            found.set(keyOf(m.key, id), o as Record<string, unknown>);
        }
    }
  }
  return found;
}
