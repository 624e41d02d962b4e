/**
 * Plans a metadata import (issue 4 §2): decides per object create / update / unchanged / delete
 * / ignored, with DHIS2 error reports, from the prepared payload and the store look-ups. Pure:
 * the caller runs it inside the write transaction, so the look-ups cannot go stale.
 *
 * Under atomicMode ALL any error means nothing is written; under NONE the invalid objects (and,
 * transitively, objects whose references only pointed at invalid ones) are skipped.
 */
import { checkObjects, newItem } from './plan-import-objects.ts';
import {
  checkDeletes,
  checkParentChains,
  deletedIdsOf,
  resolveReferences,
} from './plan-import-references.ts';
import type { ImportLookups, ImportPlan, PlanContext } from './plan-import-types.ts';
import { assemble } from './plan-import-writes.ts';
import type { PreparedEntry } from './prepare-entries.ts';

export type {
  ImportLookups,
  ImportPlan,
  PlanContext,
  PlannedDelete,
  PlannedWrite,
  StoredMeta,
} from './plan-import-types.ts';

export function planImport(
  prepared: readonly PreparedEntry[],
  lookups: ImportLookups,
  ctx: PlanContext,
): ImportPlan {
  const items = prepared.map(newItem);
  checkObjects(items, lookups, ctx);
  const deletedIds = deletedIdsOf(items);
  resolveReferences(items, lookups, deletedIds);
  checkParentChains(items, lookups);
  if (ctx.params.importStrategy === 'DELETE') checkDeletes(items, lookups, deletedIds);
  return assemble(items, ctx);
}
