/**
 * Text PostgreSQL cannot store as sent: U+0000 (refused in text and jsonb), or an unpaired UTF-16
 * surrogate (refused in jsonb, silently turned into U+FFFD in text, and mangled by PGlite's array
 * parameters). Inputs are checked with this before they reach the store (issue 10 §5: fuzzing
 * found each of these answering 500).
 */
// eslint-disable-next-line no-control-regex -- NUL is exactly what this looks for
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export const unstorable = (s: string): boolean => UNSTORABLE.test(s);

/**
 * True when a string or key anywhere in a JSON value is `unstorable`: a metadata object holding
 * one is refused as malformed, a data import holding one is refused whole. Otherwise NUL fails
 * the write transaction with a database error, and a lone surrogate is silently stored as U+FFFD
 * (or breaks PGlite's array parameters), so the stored row would differ from what was sent.
 */
export function hasUnstorableText(value: unknown): boolean {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v === 'string') {
      if (unstorable(v)) return true;
    } else if (Array.isArray(v)) for (const x of v) stack.push(x);
    else if (typeof v === 'object' && v !== null)
      // for…in, not Object.entries: no pair array per key (a 10k-value data page has 100k keys).
      for (const k in v) {
        if (!Object.hasOwn(v, k)) continue;
        if (unstorable(k)) return true;
        stack.push((v as Record<string, unknown>)[k]);
      }
  }
  return false;
}
