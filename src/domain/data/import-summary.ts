/**
 * DHIS2's ImportSummary / ImportSummaries for data imports (contract §11; DHIS2 2.38+ wraps them
 * in a WebMessage). Expected failures are conflicts in the summary, never exceptions (house rule 6).
 */

export interface ImportCount {
  imported: number;
  updated: number;
  ignored: number;
  deleted: number;
}

export interface ImportConflict {
  object: string;
  value: string;
  /** DHIS2 2.38+ data import error code (E76xx) and the index of the offending value. */
  errorCode?: string;
  indexes?: number[];
}

export type SummaryStatus = 'SUCCESS' | 'WARNING' | 'ERROR';

export interface ImportSummary {
  responseType: 'ImportSummary';
  status: SummaryStatus;
  description?: string;
  importCount: ImportCount;
  conflicts: ImportConflict[];
  /** Events and tracker objects: the uid the summary is about. */
  reference?: string;
  /** Tracked entities: where the stored object can be read (DHIS2 sets it for each one written). */
  href?: string;
  /** Tracked entities: their enrollments' summaries; enrollments: their events' (issue 16 §1). */
  enrollments?: ImportSummaries;
  events?: ImportSummaries;
}

export interface ImportSummaries {
  responseType: 'ImportSummaries';
  status: SummaryStatus;
  imported: number;
  updated: number;
  deleted: number;
  ignored: number;
  /** imported + updated + deleted + ignored (DHIS2 writes it; locals ignore it). */
  total: number;
  importSummaries: ImportSummary[];
}

export const emptyCount = (): ImportCount => ({ imported: 0, updated: 0, ignored: 0, deleted: 0 });

/**
 * The conflict codes every DHIS2 release 2.39–2.43 knows (issue 16 §11). A DHIS2 local binds
 * `ImportConflict.errorCode` to its own `ErrorCode` enum and fails on a name it lacks, losing
 * the whole summary; 2.43 retired E7600–E7645 except E7611 and E7617 (and has E7622, which 2.39
 * lacks), while its new E8xxx codes are unknown before 2.43. A push names neither the local nor
 * its release, so the central cannot answer each release in its own codes: it keeps a code only
 * when all of them know it, and otherwise leaves `errorCode` out (a null code, which every
 * release reads; the conflict keeps its object, message and indexes).
 */
export const PORTABLE_ERROR_CODES: ReadonlySet<string> = new Set([
  'E7611',
  'E7617',
  'E7650',
  'E7651',
  'E7652',
  'E7653',
]);

/** A conflict as it may go on the wire: its code only when every DHIS2 local can read it. */
export function portable(conflict: ImportConflict): ImportConflict {
  if (conflict.errorCode === undefined || PORTABLE_ERROR_CODES.has(conflict.errorCode))
    return conflict;
  const { errorCode: _dropped, ...rest } = conflict;
  return rest;
}

/**
 * The status rule metasync uses (docs/protocol.md "Data (issue 7)"): no conflict → SUCCESS;
 * conflicts but something was written or accepted unchanged → WARNING; conflicts and nothing
 * accepted → ERROR. A local's push fails on either of the last two (contract §11).
 */
export function summarize(
  count: ImportCount,
  conflicts: ImportConflict[],
  rejected: number,
  description?: string,
): ImportSummary {
  const total = count.imported + count.updated + count.deleted + count.ignored;
  const status: SummaryStatus =
    conflicts.length === 0 ? 'SUCCESS' : rejected >= total && total > 0 ? 'ERROR' : 'WARNING';
  return {
    responseType: 'ImportSummary',
    status,
    description:
      description ??
      (status === 'SUCCESS'
        ? 'Import process completed successfully'
        : 'Import process completed with conflicts'),
    importCount: count,
    conflicts: conflicts.map(portable),
  };
}

/**
 * Summaries of events (or tracked entities): one per object, rolled up (DHIS2 ImportSummaries).
 * The status and counts are those of the direct children only, as DHIS2 adds them; a local
 * still finds an error nested deeper, since it checks every level (SyncUtils).
 */
export function rollUp(summaries: ImportSummary[]): ImportSummaries {
  const sum = (k: keyof ImportCount) => summaries.reduce((n, s) => n + s.importCount[k], 0);
  const statuses = new Set(summaries.map((s) => s.status));
  const count = {
    imported: sum('imported'),
    updated: sum('updated'),
    deleted: sum('deleted'),
    ignored: sum('ignored'),
  };
  return {
    responseType: 'ImportSummaries',
    status: statuses.has('ERROR') ? 'ERROR' : statuses.has('WARNING') ? 'WARNING' : 'SUCCESS',
    ...count,
    total: count.imported + count.updated + count.deleted + count.ignored,
    importSummaries: summaries,
  };
}
