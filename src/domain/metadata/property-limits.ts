/**
 * The lengths DHIS2's schema allows for the properties metasync indexes (`name`, `code` and the
 * per-type unique ones such as `username`), checked before anything reaches the store. DHIS2
 * refuses longer values with E4001 (`BaseIdentifiableObject`: name 230, code 50; `User.username`
 * 255); metasync must refuse them too, because a value past PostgreSQL's btree row limit (about
 * 2,700 bytes) failed the import's index write with a 500 (found by the write fuzzer, issue 16).
 * Lengths count UTF-16 code units, as Java's `String.length()` does.
 */
export const MAX_LENGTH: Readonly<Record<string, number>> = {
  name: 230,
  code: 50,
  username: 255,
};

/** The E4001 message for `value` of `property`, or null when it fits (or has no limit). */
export function lengthViolation(property: string, value: string | null): string | null {
  const max = MAX_LENGTH[property];
  if (max === undefined || value === null || value.length <= max) return null;
  // DHIS2's E4001 text, including its missing space before "is".
  return `Maximum length of property \`${property}\`is ${max}, but given length was ${value.length}`;
}
