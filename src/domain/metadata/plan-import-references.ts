/**
 * The steps of a metadata import plan (./plan-import.ts) that look across objects: references,
 * organisation unit parent chains, and the stored objects that still hold a deleted one.
 */
import { ImportErrorCode as E } from './import-report.ts';
import { err, type Item } from './plan-import-objects.ts';
import type { ImportLookups } from './plan-import-types.ts';
import { simpleClassName } from './types.ts';

/** The ids of the objects the plan deletes. */
export const deletedIdsOf = (items: readonly Item[]): Set<string> =>
  new Set(items.filter((i) => i.op === 'delete').map((i) => i.id!));

/**
 * 2. References resolve against the payload's valid objects and the store, until stable:
 *    under NONE an object that only pointed at a skipped object is skipped too.
 */
export function resolveReferences(
  items: readonly Item[],
  lookups: ImportLookups,
  deletedIds: ReadonlySet<string>,
): void {
  let changed = true;
  while (changed) {
    changed = false;
    const valid = new Set(
      items.filter((i) => i.op === 'create' || i.op === 'update').map((i) => i.id!),
    );
    for (const it of items) {
      if (it.op !== 'create' && it.op !== 'update') continue;
      for (const ref of it.p.refs.hard) {
        if (valid.has(ref.id) || (lookups.existing.has(ref.id) && !deletedIds.has(ref.id)))
          continue;
        err(
          it,
          E.E5002,
          `Invalid reference [${ref.id}] on object ${simpleClassName(it.p.type)} [${it.id}] for association \`${ref.path}\``,
          { errorProperty: ref.path, value: ref.id },
        );
      }
      if (it.errors.length > 0) {
        it.op = null;
        changed = true;
      }
    }
  }
}

/** 3. Organisation unit hierarchies must not loop, also through stored parents. */
export function checkParentChains(items: readonly Item[], lookups: ImportLookups): void {
  const parentOf = new Map<string, string>(lookups.orgUnitParents ?? []);
  for (const it of items)
    if (it.op && it.op !== 'delete' && it.p.type.key === 'organisationUnits') {
      const parent = (it.p.object!.parent as { id?: unknown } | undefined)?.id;
      if (typeof parent === 'string') parentOf.set(it.id!, parent);
      else parentOf.delete(it.id!);
    }
  for (const it of items) {
    if (!it.op || it.op === 'delete' || it.p.type.key !== 'organisationUnits') continue;
    if (!parentOf.has(it.id ?? '')) continue;
    const seen = new Set<string>([it.id!]);
    for (let at = parentOf.get(it.id!); at !== undefined; at = parentOf.get(at)) {
      if (seen.has(at)) {
        err(
          it,
          E.E4062,
          `The parent chain of OrganisationUnit [${it.id}] loops back through [${at}]`,
          { errorProperty: 'parent', value: at },
        );
        it.op = null;
        break;
      }
      seen.add(at);
    }
  }
}

/** 4. Deletes: nothing that stays may still reference the object. */
export function checkDeletes(
  items: readonly Item[],
  lookups: ImportLookups,
  deletedIds: ReadonlySet<string>,
): void {
  for (const it of items) {
    if (it.op !== 'delete') continue;
    const holders = (lookups.referencedBy.get(it.id!) ?? []).filter((h) => !deletedIds.has(h.id));
    if (holders.length > 0) {
      const list = holders
        .slice(0, 10)
        .map((h) => `${h.type} [${h.id}]`)
        .join(', ');
      err(
        it,
        E.E4030,
        `Object could not be deleted because it is associated with another object: ${list}${holders.length > 10 ? ` and ${holders.length - 10} more` : ''}`,
      );
      it.op = null;
    }
  }
}
