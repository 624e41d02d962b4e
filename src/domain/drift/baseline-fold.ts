/**
 * The baseline of a local whose versions were applied before drift was tracked (issue 23 §2):
 * the fold of its stored snapshots in order (the newest object wins, carried deletions apply),
 * each hashed as the import hashes it. Run once, on the first check that finds no baseline; from
 * then on every version's import keeps it up to date in its own transaction.
 */
import { contentHash } from '../metadata/canonical.ts';
import { DEFAULT_IMPORT_PARAMS } from '../metadata/import-params.ts';
import type { BaselineRow } from '../metadata/plan-import-types.ts';
import { storedForm } from '../metadata/plan-import-writes.ts';
import { metadataType } from '../metadata/types.ts';
import type { MetadataStore } from '../ports.ts';
import type { ObjectKey } from '../versioning/snapshot-scope.ts';
import { DELETIONS_KEY } from '../versioning/snapshot-format.ts';
import type { StoredSnapshots } from './implied-content.ts';

const SLICE = 5000;

/** Whether a version's stored object hashes as a version import would record it. */
export function baselineRow(typeKey: string, object: unknown): BaselineRow | null {
  const type = metadataType(typeKey);
  const o = object as Record<string, unknown> | null;
  if (!type || typeof o !== 'object' || o === null || typeof o.id !== 'string') return null;
  const form = storedForm(type, o, o.id, DEFAULT_IMPORT_PARAMS.skipSharing);
  return { type: type.key, id: o.id, hash: contentHash(form, { serverProperties: type.opaque }) };
}

/** Folds the snapshots of `versions` (ascending) into the baseline, one transaction each. */
export async function foldBaseline(
  deps: { snapshots: StoredSnapshots; metadata: Pick<MetadataStore, 'write'> },
  versions: readonly string[],
): Promise<number> {
  let folded = 0;
  for (const version of versions) {
    const members = await deps.snapshots.members(version);
    if (!members) continue;
    await deps.metadata.write(async (w) => {
      for await (const m of members) {
        if (m.key === DELETIONS_KEY) {
          const list = m.value();
          const keys: ObjectKey[] = [];
          for (const d of Array.isArray(list) ? (list as { type?: unknown; uid?: unknown }[]) : [])
            if (typeof d?.type === 'string' && typeof d.uid === 'string')
              keys.push({ type: d.type, id: d.uid });
          if (keys.length) await w.dropBaseline(keys);
          continue;
        }
        if (!metadataType(m.key)) continue;
        for (const slice of m.batches(SLICE) ?? []) {
          const rows = slice.flatMap((o) => baselineRow(m.key, o) ?? []);
          if (rows.length) await w.setBaseline(version, rows);
        }
      }
    });
    folded++;
  }
  return folded;
}
