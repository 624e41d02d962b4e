/**
 * Anonymous events to a DHIS2 ≥ 2.42 central (issue 16 §4, contract §11.3, §17): DHIS2 2.43's
 * single-event sync (`SingleEventDataSynchronizationService`) posts the tracker view of each
 * event to `/api/tracker?importStrategy=CREATE_AND_UPDATE` and the deleted ones, reduced to
 * `{"event": uid}`, in a second request with `importStrategy=DELETE`. This module builds those
 * bodies and reads the tracker ImportReport the central answers (`status` OK/WARNING/ERROR,
 * `stats`, `validationReport.errorReports`; 409 when the status is ERROR).
 */
import type { AnonymousEvent } from '../data/events.ts';

export const TRACKER_PATH = '/api/tracker';

/**
 * The query of each request. DHIS2's own sync sends only `importStrategy` and so gets the
 * default asynchronous import: the central answers "Tracker job added" at once and the local
 * marks the events synchronized whether the job later imports them or not. metasync asks for
 * the synchronous answer (`async=false`, accepted by 2.42 and 2.43) so that a rejected event
 * stays queued (docs/deviations.md).
 */
export const trackerQuery = (strategy: 'CREATE_AND_UPDATE' | 'DELETE') =>
  `${TRACKER_PATH}?async=false&importStrategy=${strategy}`;

/** The tracker view of an event (DHIS2 2.42/2.43 `tracker.view.Event`, UIDs). */
export function trackerEvent(e: AnonymousEvent): Record<string, unknown> {
  return {
    event: e.event,
    status: e.status,
    program: e.program,
    programStage: e.programStage,
    orgUnit: e.orgUnit,
    // A single event's date is `occurredAt` (mandatory); it has no scheduled date here.
    occurredAt: e.eventDate,
    storedBy: e.storedBy,
    followUp: false,
    deleted: false,
    createdAt: e.created,
    updatedAt: e.lastUpdated,
    attributeOptionCombo: e.attributeOptionCombo,
    dataValues: e.dataValues.map((v) => ({
      dataElement: v.dataElement,
      value: v.value,
      providedElsewhere: v.providedElsewhere === true,
    })),
    notes: [],
    relationships: [],
  };
}

/** What DHIS2 sends for a deleted event: its uid only. */
export const trackerDeletion = (e: AnonymousEvent) => ({ event: e.event });

export interface TrackerError {
  errorCode: string;
  message: string;
  uid: string;
}

export interface TrackerOutcome {
  ok: boolean;
  /** The report's status, or the HTTP answer when there is no report. */
  status: string;
  stats: Record<string, number> | null;
  errors: TrackerError[];
  /** Set when the answer is not an ImportReport: what it was instead. */
  description?: string;
}

const record = (v: unknown): Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
const text = (v: unknown) => (typeof v === 'string' ? v : v == null ? '' : JSON.stringify(v));

/**
 * Reads the answer to one tracker POST. Success: an ImportReport whose status is not ERROR and
 * that ignored nothing (the ≤ 2.41 rule that nothing may be left behind, contract §11).
 */
export function readTrackerAnswer(httpStatus: number, body: unknown): TrackerOutcome {
  const o = record(body);
  // A WebMessage has a status too ("Tracker job added" is OK): only a report counts as one.
  const isReport = !('httpStatus' in o) && ('stats' in o || 'validationReport' in o);
  if (isReport && (o.status === 'OK' || o.status === 'WARNING' || o.status === 'ERROR')) {
    const rawStats = record(o.stats);
    const stats = Object.fromEntries(
      Object.entries(rawStats).filter((e): e is [string, number] => typeof e[1] === 'number'),
    );
    const reports = record(o.validationReport).errorReports;
    const errors = (Array.isArray(reports) ? reports : []).map((r) => {
      const e = record(r);
      return { errorCode: text(e.errorCode), message: text(e.message), uid: text(e.uid) };
    });
    return {
      ok: o.status !== 'ERROR' && !(stats.ignored ?? 0) && errors.length === 0,
      status: o.status,
      stats: Object.keys(stats).length ? stats : null,
      errors,
      ...(typeof o.message === 'string' && o.message ? { description: o.message } : {}),
    };
  }
  // Not a report: a WebMessage (400 bad request, 403, …) or something else entirely.
  const response = record(o.response);
  const description =
    response.responseType === 'TrackerJob'
      ? `HTTP ${httpStatus}: the central queued the import as job ${text(response.id)} instead of answering its report`
      : typeof o.message === 'string'
        ? `HTTP ${httpStatus} ${o.message}`
        : `HTTP ${httpStatus} without an import report`;
  return { ok: false, status: text(o.status) || 'ERROR', stats: null, errors: [], description };
}

/**
 * Deleting an event the central does not hold live (E1032 "does not exist": created and deleted
 * here between two pushes; E1082 "already deleted") leaves it as wanted: not a failure.
 */
export const GONE_CODES: ReadonlySet<string> = new Set(['E1032', 'E1082']);

export const onlyGone = (o: TrackerOutcome): boolean =>
  o.status === 'ERROR' && o.errors.length > 0 && o.errors.every((e) => GONE_CODES.has(e.errorCode));

/** The report text of a rejected page: what failed, the status, stats and the first errors. */
export function describeTrackerFailure(what: string, o: TrackerOutcome, limit = 20): string {
  const shown = o.errors
    .slice(0, limit)
    .map((e) => `${e.errorCode} ${e.message}${e.uid ? ` (${e.uid})` : ''}`)
    .join('; ');
  const more = o.errors.length > limit ? ` (and ${o.errors.length - limit} more)` : '';
  const stats = o.stats ? ` ${JSON.stringify(o.stats)}` : '';
  const note = o.description ? ` (${o.description})` : '';
  return `${what} failed: the central answered ${o.status}${stats}${note}${shown ? `. Errors: ${shown}${more}` : ''}`;
}
