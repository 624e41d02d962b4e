/**
 * DHIS2 authorities metasync checks. `ALL` is the superuser authority and satisfies every check,
 * as in DHIS2. Later issues add the authorities their routes need here, never inline strings.
 */
export const Authority = {
  ALL: 'ALL',
  F_METADATA_MANAGE: 'F_METADATA_MANAGE',
  F_METADATA_EXPORT: 'F_METADATA_EXPORT',
  F_METADATA_IMPORT: 'F_METADATA_IMPORT',
  F_SYSTEM_SETTING: 'F_SYSTEM_SETTING',
  F_SCHEDULING_ADMIN: 'F_SCHEDULING_ADMIN',
  F_USER_ADD: 'F_USER_ADD',
  F_USER_VIEW: 'F_USER_VIEW',
  F_USERROLE_ADD: 'F_USERROLE_ADD',
  F_EXPORT_DATA: 'F_EXPORT_DATA',
  F_DATAVALUE_ADD: 'F_DATAVALUE_ADD',
  F_DATAVALUE_DELETE: 'F_DATAVALUE_DELETE',
} as const;

export type Authority = (typeof Authority)[keyof typeof Authority];

/** True when the holder has `ALL` or at least one of `anyOf` (DHIS2's "one Authority from [...]"). */
export function hasAnyAuthority(held: ReadonlySet<string>, anyOf: readonly string[]): boolean {
  if (held.has(Authority.ALL)) return true;
  return anyOf.some((a) => held.has(a));
}

/** DHIS2 authority names are upper-case words joined by underscores (e.g. F_METADATA_MANAGE, ALL). */
export const AUTHORITY_PATTERN = /^[A-Z][A-Z0-9_]*$/;
