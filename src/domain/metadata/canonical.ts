/**
 * Canonical content of a metadata object: what an import compares to decide "unchanged", so that
 * re-importing the same export writes nothing (issue 4 benchmark). Server-maintained properties
 * and computed display properties do not count; key order does not count.
 */
import { createHash } from 'node:crypto';

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
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** `serverProperties`: count them as content too (opaque objects, kept as received). */
export function contentHash(
  object: Record<string, unknown>,
  options: { serverProperties?: boolean } = {},
): string {
  // fromEntries keeps a `__proto__` key as a key (an assignment would set the prototype).
  const content = Object.fromEntries(
    Object.entries(object).filter(([k]) => options.serverProperties || !SERVER_PROPERTIES.has(k)),
  );
  return createHash('sha256').update(canonical(content)).digest('base64url');
}
