/**
 * Text PostgreSQL cannot store as sent: U+0000 (refused in text and jsonb), or an unpaired UTF-16
 * surrogate (refused in jsonb, silently turned into U+FFFD in text, and mangled by PGlite's array
 * parameters). Inputs are checked with this before they reach the store (issue 10 §5: fuzzing
 * found each of these answering 500).
 */
// eslint-disable-next-line no-control-regex -- NUL is exactly what this looks for
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export const unstorable = (s: string): boolean => UNSTORABLE.test(s);
