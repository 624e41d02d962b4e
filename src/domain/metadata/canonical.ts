/**
 * Canonical content of a metadata object: what an import compares to decide "unchanged", so that
 * re-importing the same export writes nothing (issue 4 benchmark). Server-maintained properties
 * and computed display properties do not count; key order does not count.
 */
import { hash } from 'node:crypto';

/** Properties the server maintains or computes; a client's values for them are not content. */
export const SERVER_PROPERTIES = new Set([
  'created',
  'lastUpdated',
  'createdBy',
  'lastUpdatedBy',
  'href',
  'access',
  'displayName',
  'displayShortName',
  'displayDescription',
  'displayFormName',
  'favorite',
  'favorites',
]);

/** Key-order-independent JSON text of a value (arrays keep their order). */
export function canonical(value: unknown): string {
  if (typeof value !== 'object' || value === null) return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    let s = `[${canonical(value[0])}`;
    for (let i = 1; i < value.length; i++) s += `,${canonical(value[i])}`;
    return `${s}]`;
  }
  return members(value as Record<string, unknown>, Object.keys(value).sort());
}

/**
 * `{"k":v,…}` over the given keys, already sorted. String concatenation rather than map/join:
 * hashing every object of an import is the largest CPU cost of planning it (issue 18 §2).
 */
function members(object: Record<string, unknown>, keys: readonly string[]): string {
  let s = '{';
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    s += `${i === 0 ? '' : ','}${JSON.stringify(k)}:${canonical(object[k])}`;
  }
  return `${s}}`;
}

/** `serverProperties`: count them as content too (opaque objects, kept as received). */
export function contentHash(
  object: Record<string, unknown>,
  options: { serverProperties?: boolean } = {},
): string {
  // The keys are read, not copied into a new object (where a `__proto__` key would be lost).
  let keys = Object.keys(object);
  if (!options.serverProperties) keys = keys.filter((k) => !SERVER_PROPERTIES.has(k));
  // One-shot `hash`: createHash().update().digest() costs more than the hashing of a small text.
  return hash('sha256', members(object, keys.sort()), 'base64url');
}
