/**
 * The first step of a metadata import plan (./plan-import.ts): each object on its own, its
 * identity, what the import strategy allows, its required and unique properties. Also the
 * per-object state every step of the plan reads and marks.
 */
import { ImportErrorCode as E, type ErrorReport } from './import-report.ts';
import type { ImportLookups, PlanContext, StoredMeta } from './plan-import-types.ts';
import {
  codeKey,
  idKey,
  nameKey,
  uniqueKey,
  uniqueValue,
  type PreparedEntry,
} from './prepare-entries.ts';
import { lengthViolation } from './property-limits.ts';
import { DEFAULTS, simpleClassName, type MetadataType } from './types.ts';
import { isValidUid } from '../uid.ts';

/** One payload object in the plan: what it matched in the store, its errors, what it becomes. */
export interface Item {
  p: PreparedEntry;
  id: string | null;
  existing: StoredMeta | undefined;
  errors: ErrorReport[];
  op: 'create' | 'update' | 'delete' | null;
}

/** An object of the payload before any step has looked at it. */
export const newItem = (p: PreparedEntry): Item => ({
  p,
  id: null,
  existing: undefined,
  errors: [],
  op: null,
});

/** Adds a DHIS2 error report to an object (its id once known). */
export const err = (
  it: Item,
  errorCode: string,
  message: string,
  extra: Partial<ErrorReport> = {},
) =>
  it.errors.push({
    message,
    mainKlass: it.p.type.klass,
    errorCode,
    ...(it.id ? { mainId: it.id } : {}),
    ...extra,
  });

const DEFAULT_IDS = new Set<string>(Object.values(DEFAULTS));

/** E4001 when an indexed property is longer than DHIS2 allows. */
function tooLong(it: Item, prop: string, value: string | null): void {
  const message = lengthViolation(prop, value);
  if (message) err(it, E.E4001, message, { errorProperty: prop, errorProperties: [prop] });
}

/**
 * The payload's items by type, property, scope and value, in nested maps: with 100k objects,
 * concatenated keys cost a string per object and property to build and hash (issue 18 §2).
 */
class SeenValues {
  readonly #root = new Map<string, Map<string, Map<string, Map<string, Item>>>>();

  values(type: string, property: string, scope: string): Map<string, Item> {
    let byProperty = this.#root.get(type);
    if (!byProperty) this.#root.set(type, (byProperty = new Map()));
    let byScope = byProperty.get(property);
    if (!byScope) byProperty.set(property, (byScope = new Map()));
    let values = byScope.get(scope);
    if (!values) byScope.set(scope, (values = new Map()));
    return values;
  }
}

const classNames = new WeakMap<MetadataType, string>();
/** simpleClassName, computed once per type. */
function classNameOf(type: MetadataType): string {
  let name = classNames.get(type);
  if (name === undefined) classNames.set(type, (name = simpleClassName(type)));
  return name;
}

/**
 * E5003 when a unique property's value is already taken: by an earlier object of the payload,
 * or by a stored object the payload does not also hold (which may be giving the value up).
 */
function checkTwin(
  it: Item,
  seen: SeenValues,
  prop: string,
  value: string | null,
  holder: StoredMeta | undefined,
): void {
  if (value === null) return;
  const { type, scope } = it.p;
  const values = seen.values(type.key, prop, prop === 'code' ? scope : '');
  const twin = values.get(value);
  const taken =
    twin && twin !== it
      ? twin.id
      : holder && holder.id !== it.id && !seen.values(holder.type, 'id', '').has(holder.id)
        ? holder.id
        : undefined;
  if (taken !== undefined)
    err(
      it,
      E.E5003,
      `Property \`${prop}\` with value \`${value}\` on object ${classNameOf(type)} \`${it.id}\` already exists on object \`${taken}\``,
      { errorProperty: prop, value },
    );
  values.set(value, it);
}

/** 1. Identity, strategy, required and unique properties: each object on its own. */
export function checkObjects(
  items: readonly Item[],
  lookups: ImportLookups,
  ctx: PlanContext,
): void {
  const { params } = ctx;
  const deleting = params.importStrategy === 'DELETE';
  const seen = new SeenValues();
  for (const it of items) {
    const { p } = it;
    const klass = classNameOf(p.type);
    if (!p.object) {
      err(it, E.E4061, `${klass} at index ${p.entry.index} ${p.malformed}`);
      continue;
    }
    if (p.malformed) {
      err(it, E.E4061, `${klass} at index ${p.entry.index}: ${p.malformed}`);
      continue;
    }
    if (p.id !== null && !isValidUid(p.id)) {
      err(it, E.E4014, `Invalid UID \`${p.id}\` for property \`id\``, {
        errorProperty: 'id',
        value: p.id,
      });
      continue;
    }
    const byCode = p.code ? lookups.byCode.get(codeKey(p.type.key, p.scope, p.code)) : undefined;
    const byId = p.id ? lookups.byId.get(idKey(p.type.key, p.id)) : undefined;
    const matchByCode = params.identifier === 'CODE' || (params.identifier === 'AUTO' && !p.id);
    it.existing = matchByCode ? byCode : byId;
    it.id = it.existing?.id ?? p.id ?? (deleting ? null : ctx.newUid());
    const ids = seen.values(p.type.key, 'id', '');
    if (it.id && ids.has(it.id)) {
      err(
        it,
        E.E5004,
        `Id \`${it.id}\` for type \`${klass}\` exists on more than 1 object in the payload`,
        { errorProperty: 'id', value: it.id },
      );
      continue;
    }
    if (it.id) ids.set(it.id, it);

    if (deleting) {
      if (!it.existing)
        err(
          it,
          E.E5001,
          `No matching object for reference \`${p.id ?? p.code ?? '(none)'}\`; import strategy is DELETE`,
        );
      else if (DEFAULT_IDS.has(it.existing.id))
        err(it, E.E4063, `The default object ${klass} \`${it.existing.id}\` cannot be deleted`);
      else it.op = 'delete';
      continue;
    }
    if (params.importStrategy === 'CREATE' && it.existing)
      err(
        it,
        E.E5000,
        `Found matching object for reference \`${it.id}\`, but import strategy is CREATE`,
      );
    if (params.importStrategy === 'UPDATE' && !it.existing)
      err(
        it,
        E.E5001,
        `No matching object for reference \`${p.id ?? p.code ?? '(none)'}\`, but import strategy is UPDATE`,
      );
    for (const prop of p.type.required) {
      const v = uniqueValue(p.object, prop) ?? p.object[prop];
      if (v === undefined || v === null || v === '')
        err(it, E.E4000, `Missing required property \`${prop}\`.`, {
          errorProperty: prop,
          errorProperties: [prop],
        });
    }
    // Every indexed property, `name` also where it is not unique (property-limits.ts); then
    // each unique one against the payload and the store. No per-object arrays or maps: this
    // runs for every object of an import (issue 18 §2).
    tooLong(it, 'name', p.name);
    tooLong(it, 'code', p.code);
    for (const prop of p.type.uniqueProperties)
      if (prop !== 'name' && prop !== 'code') tooLong(it, prop, uniqueValue(p.object, prop));
    checkTwin(it, seen, 'code', p.code, byCode);
    if (p.type.uniqueName)
      checkTwin(
        it,
        seen,
        'name',
        p.name,
        p.name ? lookups.byName.get(nameKey(p.type.key, p.name)) : undefined,
      );
    for (const prop of p.type.uniqueProperties) {
      const v = uniqueValue(p.object, prop);
      checkTwin(
        it,
        seen,
        prop,
        v,
        v ? lookups.byUnique.get(uniqueKey(p.type.key, prop, v)) : undefined,
      );
    }
    if (it.errors.length === 0) it.op = it.existing ? 'update' : 'create';
  }
}
