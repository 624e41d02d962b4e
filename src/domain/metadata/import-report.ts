/**
 * DHIS2's metadata import report (issue 4 §2): status, stats, typeReports with objectReports
 * and errorReports. Expected failures are data here, never exceptions (house rule 6).
 */
export type ImportStatus = 'OK' | 'WARNING' | 'ERROR';

export interface ImportStats {
  created: number;
  updated: number;
  deleted: number;
  ignored: number;
  total: number;
  /** metasync extension: updates that changed nothing and wrote nothing (counted in `updated`). */
  unchanged?: number;
}

export interface ErrorReport {
  message: string;
  mainKlass: string;
  errorCode: string;
  errorProperty?: string;
  errorProperties?: string[];
  value?: string;
  mainId?: string;
}

export interface ObjectReport {
  klass: string;
  index: number;
  uid?: string;
  displayName?: string;
  errorReports: ErrorReport[];
}

export interface TypeReport {
  klass: string;
  stats: ImportStats;
  objectReports: ObjectReport[];
}

export interface ImportReport {
  responseType: 'ImportReport';
  status: ImportStatus;
  importParams?: Record<string, unknown>;
  stats: ImportStats;
  typeReports: TypeReport[];
}

export const emptyStats = (): ImportStats => ({
  created: 0,
  updated: 0,
  deleted: 0,
  ignored: 0,
  total: 0,
});

export function addStats(into: ImportStats, from: ImportStats): void {
  into.created += from.created;
  into.updated += from.updated;
  into.deleted += from.deleted;
  into.ignored += from.ignored;
  into.total += from.total;
  if (from.unchanged) into.unchanged = (into.unchanged ?? 0) + from.unchanged;
}

/**
 * DHIS2 error codes used in import reports (DHIS2's ErrorCode enum where it has one; the
 * metasync-only ones are listed in docs/errors.md).
 */
export const ImportErrorCode = {
  /** Missing required property. */
  E4000: 'E4000',
  /** A property is longer than DHIS2's schema allows. */
  E4001: 'E4001',
  /** Invalid UID for a property. */
  E4014: 'E4014',
  /** Object could not be deleted because it is associated with another object. */
  E4030: 'E4030',
  /** Found matching object, but import strategy is CREATE. */
  E5000: 'E5000',
  /** No matching object, but import strategy is UPDATE or DELETE. */
  E5001: 'E5001',
  /** Invalid reference. */
  E5002: 'E5002',
  /** A unique property's value already exists on another object. */
  E5003: 'E5003',
  /** The same id appears more than once in the payload. */
  E5004: 'E5004',
  /** metasync: a property has the wrong JSON type. */
  E4061: 'E4061',
  /** metasync: the object's parent chain loops back to itself. */
  E4062: 'E4062',
  /** metasync: DHIS2's built-in default objects cannot be deleted. */
  E4063: 'E4063',
  /** metasync: an array key that is not a known metadata type; its objects are ignored. */
  E4064: 'E4064',
  /** metasync: a DHIS2 metadata type metasync does not store (jobs, credentials); ignored. */
  E4065: 'E4065',
} as const;
