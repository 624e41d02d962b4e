/**
 * What a drift comparison ignores (issue 23 §1), in one place: the properties the server
 * maintains or that differ by instance, which the stored content hash already leaves out
 * (metadata/canonical.ts SERVER_PROPERTIES: created, lastUpdated, createdBy, lastUpdatedBy, href,
 * access, favorite(s), display names), and passwords, which are kept hashed apart from the
 * object (metadata/plan-import-writes.ts `storedForm`). docs/drift.md lists them.
 *
 * Also never drift: DHIS2's default category model (fixed ids, on every instance) and the
 * bootstrap superuser and its role (every instance has its own; versions leave them out unless
 * keyVersionIncludeBootstrapAdmin, versioning/snapshot-scope.ts).
 */
import { SERVER_PROPERTIES } from '../metadata/canonical.ts';
import { DEFAULTS } from '../metadata/types.ts';
import { BOOTSTRAP_OBJECTS, type ObjectKey } from '../versioning/snapshot-scope.ts';

export const DRIFT_IGNORED: readonly string[] = [
  ...SERVER_PROPERTIES,
  'password',
  'userCredentials.password',
];

/** Objects that are never drift, whatever their state. */
export const DRIFT_EXEMPT: readonly ObjectKey[] = [
  ...BOOTSTRAP_OBJECTS,
  { type: 'categoryOptions', id: DEFAULTS.categoryOption },
  { type: 'categories', id: DEFAULTS.category },
  { type: 'categoryCombos', id: DEFAULTS.categoryCombo },
  { type: 'categoryOptionCombos', id: DEFAULTS.categoryOptionCombo },
];
