/**
 * Finds the references inside a metadata object: nested `{"id": <uid>}` objects (issue 4 §2).
 * Not references: the object's own id, the ids of embedded (owned) objects, sharing and other
 * unchecked properties. References to users through createdBy / lastUpdatedBy / user are
 * reported separately, because DHIS2 replaces a missing one with the importing user.
 */
import { isValidUid } from '../uid.ts';
import { UNCHECKED_PROPERTIES, USER_REFERENCE_PROPERTIES, type MetadataType } from './types.ts';

export interface Reference {
  /** Property path, e.g. `dataSetElements[2].dataElement` or `categoryCombo`. */
  path: string;
  id: string;
}

export interface References {
  hard: Reference[];
  users: Reference[];
  /**
   * An opaque object's references (issue 16 §8): not checked on import, only recorded, so what
   * it references cannot be deleted under it.
   */
  soft: Reference[];
}

type Json = unknown;

const isObject = (v: Json): v is Record<string, Json> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const NO_REFERENCES: References = Object.freeze({
  hard: Object.freeze([]) as unknown as Reference[],
  users: Object.freeze([]) as unknown as Reference[],
  soft: Object.freeze([]) as unknown as Reference[],
});

/** Each type's embedded properties as a set, built once (collectReferences runs per object). */
const embeddedSets = new WeakMap<MetadataType, ReadonlySet<string>>();
const embeddedOf = (type: MetadataType): ReadonlySet<string> => {
  let set = embeddedSets.get(type);
  if (!set) embeddedSets.set(type, (set = new Set(type.embedded)));
  return set;
};

/** Only objects and arrays can hold references: scalars are skipped before a path is built. */
const isContainer = (v: Json): boolean => typeof v === 'object' && v !== null;

export function collectReferences(type: MetadataType, object: Record<string, Json>): References {
  const out: References = { hard: [], users: [], soft: [] };
  const embedded = embeddedOf(type);
  for (const prop in object) {
    if (!Object.hasOwn(object, prop) || prop === 'id' || UNCHECKED_PROPERTIES.has(prop)) continue;
    const value = object[prop];
    if (isContainer(value))
      walk(value, prop, embedded.has(prop), USER_REFERENCE_PROPERTIES.has(prop), out, 0);
  }
  if (type.opaque) return { hard: [], users: out.users, soft: out.hard };
  // Most objects reference nothing or only a parent: one shared answer for none saves three
  // arrays per object for as long as the import holds its prepared entries.
  if (out.hard.length === 0 && out.users.length === 0) return NO_REFERENCES;
  return out;
}

/** Depth guard: exports are shallow; anything deeper than this is pathological input. */
export const MAX_DEPTH = 32;

function walk(
  value: Json,
  path: string,
  owned: boolean,
  userRef: boolean,
  out: References,
  depth: number,
): void {
  if (depth > MAX_DEPTH) throw new RangeError(`Nesting deeper than ${MAX_DEPTH} levels at ${path}`);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++)
      if (isContainer(value[i])) walk(value[i], `${path}[${i}]`, owned, userRef, out, depth + 1);
    return;
  }
  if (!isObject(value)) return;
  const id = value.id;
  if (!owned && typeof id === 'string' && isValidUid(id))
    (userRef ? out.users : out.hard).push({ path, id });
  // An embedded object's own properties can hold references (dataSetElements[].dataElement).
  // A plain reference object (`{id, name, code, ...}`) has nothing further to check.
  if (!owned && typeof id === 'string') return;
  for (const prop in value) {
    if (!Object.hasOwn(value, prop) || prop === 'id' || UNCHECKED_PROPERTIES.has(prop)) continue;
    const inner = value[prop];
    if (isContainer(inner))
      walk(inner, `${path}.${prop}`, false, USER_REFERENCE_PROPERTIES.has(prop), out, depth + 1);
  }
}

/** Depth of a JSON value, without recursion on the JS stack (pathological input is deep). */
export function jsonDepthExceeds(value: Json, limit: number): boolean {
  const stack: [Json, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (d > limit) return true;
    if (Array.isArray(v)) for (const x of v) stack.push([x, d + 1]);
    else if (isObject(v)) for (const x of Object.values(v)) stack.push([x, d + 1]);
  }
  return false;
}
