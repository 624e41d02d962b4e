/**
 * First, pure pass over an import payload: shape checks, identity columns (code with its unique
 * scope, name), and references. Its output says what must be looked up in the store before the
 * import can be planned (`lookupKeys`).
 */
import { unstorable } from '../text.ts';
import { collectReferences, MAX_DEPTH, type References } from './references.ts';
import type { PayloadEntry } from './parse-payload.ts';
import type { MetadataType } from './types.ts';

export interface PreparedEntry {
  entry: PayloadEntry;
  type: MetadataType;
  /** null when the entry is not a JSON object (reported by the planner). */
  object: Record<string, unknown> | null;
  /** Why the object is malformed, if it is. */
  malformed: string | null;
  id: string | null;
  code: string | null;
  name: string | null;
  /** The scope within which `code` is unique ('' = the whole type). */
  scope: string;
  refs: References;
}

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const refId = (v: unknown): string | null =>
  typeof v === 'object' && v !== null && typeof (v as { id?: unknown }).id === 'string'
    ? (v as { id: string }).id
    : null;

const DEEP = 2;
const UNSTORABLE = 1;
// eslint-disable-next-line no-control-regex -- NUL is one of the characters looked for
const SUSPECT = /[\u0000\ud800-\udfff]/;
/** text.ts's `unstorable`, after a plain character-class scan that almost every string passes. */
const unstorableText = (s: string): boolean => SUSPECT.test(s) && unstorable(s);

/**
 * One walk over an object for both of its shape checks (issue 18 §2: they were two walks over
 * every object of an import): DEEP when a value sits more than MAX_DEPTH containers down
 * (it wins: it is reported first), UNSTORABLE when a string or key cannot be stored, else 0.
 * The recursion stops at MAX_DEPTH, so pathological nesting cannot overflow the stack.
 */
function scan(value: unknown, depth: number): number {
  if (depth > MAX_DEPTH) return DEEP;
  if (typeof value === 'string') return unstorableText(value) ? UNSTORABLE : 0;
  if (typeof value !== 'object' || value === null) return 0;
  let flaw = 0;
  if (Array.isArray(value))
    for (const v of value) {
      flaw = Math.max(flaw, scan(v, depth + 1));
      if (flaw === DEEP) return DEEP;
    }
  else
    for (const k in value) {
      if (!Object.hasOwn(value, k)) continue;
      if (unstorableText(k)) flaw = Math.max(flaw, UNSTORABLE);
      flaw = Math.max(flaw, scan((value as Record<string, unknown>)[k], depth + 1));
      if (flaw === DEEP) return DEEP;
    }
  return flaw;
}

export function prepareEntries(entries: readonly PayloadEntry[]): PreparedEntry[] {
  // Options may omit their optionSet back-reference; the set's `options` list then gives the scope.
  const optionScope = new Map<string, string>();
  for (const e of entries) {
    if (e.type.key !== 'optionSets' || typeof e.object !== 'object' || e.object === null) continue;
    const set = e.object as { id?: unknown; options?: unknown };
    if (typeof set.id === 'string' && Array.isArray(set.options))
      for (const o of set.options) {
        const id = refId(o);
        if (id) optionScope.set(id, set.id);
      }
  }

  return entries.map((entry): PreparedEntry => {
    const { type } = entry;
    const empty = {
      entry,
      type,
      object: null,
      id: null,
      code: null,
      name: null,
      scope: '',
      refs: { hard: [], users: [], soft: [] },
    };
    if (typeof entry.object !== 'object' || entry.object === null || Array.isArray(entry.object))
      return { ...empty, malformed: 'must be a JSON object' };
    const object = entry.object as Record<string, unknown>;
    const flaw = scan(object, 0);
    if (flaw === DEEP) return { ...empty, malformed: `is nested deeper than ${MAX_DEPTH} levels` };
    if (flaw === UNSTORABLE)
      return { ...empty, malformed: 'holds text with U+0000 or an unpaired surrogate' };
    for (const p of ['id', 'code', 'name', 'shortName']) {
      const v = object[p];
      if (v !== undefined && v !== null && typeof v !== 'string')
        return { ...empty, object, malformed: `property ${p} must be a string` };
    }
    const id = str(object.id);
    let scope = '';
    if (type.codeScope)
      scope = refId(object[type.codeScope]) ?? (id ? optionScope.get(id) : undefined) ?? '';
    return {
      entry,
      type,
      object,
      malformed: null,
      id,
      code: str(object.code),
      name: str(object.name),
      scope,
      refs: collectReferences(type, object),
    };
  });
}

/** Keys for the store look-ups the planner needs. */
export interface LookupKeys {
  /** The payload's own ids, as idKey(type, id). */
  ids: Set<string>;
  codes: { type: string; scope: string; code: string }[];
  names: { type: string; name: string }[];
  uniques: { type: string; property: string; value: string }[];
  /** Every id referenced (hard or user) by the payload. */
  refs: Set<string>;
}

export function lookupKeys(prepared: readonly PreparedEntry[]): LookupKeys {
  const keys: LookupKeys = { ids: new Set(), codes: [], names: [], uniques: [], refs: new Set() };
  for (const p of prepared) {
    if (!p.object) continue;
    if (p.id) keys.ids.add(idKey(p.type.key, p.id));
    if (p.code) keys.codes.push({ type: p.type.key, scope: p.scope, code: p.code });
    if (p.name && p.type.uniqueName) keys.names.push({ type: p.type.key, name: p.name });
    for (const property of p.type.uniqueProperties) {
      const value =
        str(p.object[property]) ??
        str((p.object.userCredentials as Record<string, unknown> | undefined)?.[property]);
      if (value) keys.uniques.push({ type: p.type.key, property, value });
    }
    for (const r of p.refs.hard) keys.refs.add(r.id);
    for (const r of p.refs.users) keys.refs.add(r.id);
  }
  return keys;
}

/** Ids are unique per type (DHIS2 data reuses ids across types), so stored objects key by both. */
export const idKey = (type: string, id: string) => `${type}\u0000${id}`;
export const codeKey = (type: string, scope: string, code: string) =>
  `${type}\u0000${scope}\u0000${code}`;
export const nameKey = (type: string, name: string) => `${type}\u0000${name}`;
export const uniqueKey = (type: string, property: string, value: string) =>
  `${type}\u0000${property}\u0000${value}`;

/** A unique property's value, also from the legacy `userCredentials` block of users. */
export function uniqueValue(object: Record<string, unknown>, property: string): string | null {
  return (
    str(object[property]) ??
    str((object.userCredentials as Record<string, unknown> | undefined)?.[property])
  );
}
