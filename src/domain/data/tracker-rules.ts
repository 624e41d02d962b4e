/**
 * What the three levels of a tracked entity push share (issue 16 §1): DHIS2's import strategies
 * and how each sorts an object into create, update or delete; DHIS2's ImportSummary forms; and
 * the working state a push plans against, where what it has planned so far is visible to what
 * follows (a second enrollment sees the first).
 */
import {
  emptyCount,
  type ImportConflict,
  type ImportCount,
  type ImportSummary,
} from './import-summary.ts';
import type { TrackerState, TrackerWrites } from './tracker-store.ts';
import {
  sameContent,
  str,
  type EnrollmentEventRow,
  type EnrollmentRow,
  type Json,
  type TrackedEntityRow,
} from './tracker.ts';
import type { Problem, TrackerRefs } from './tracker-validate.ts';
import { isValidUid } from '../uid.ts';

export const TRACKER_STRATEGIES = [
  'CREATE_AND_UPDATE',
  'CREATE',
  'UPDATE',
  'DELETE',
  'SYNC',
  'NEW_AND_UPDATES',
  'NEW',
  'UPDATES',
  'DELETES',
] as const;
export type TrackerStrategy = (typeof TRACKER_STRATEGIES)[number];

/** DHIS2's ImportStrategy aliases (NEW = CREATE, …). */
const STRATEGY_OF: Record<
  TrackerStrategy,
  'CREATE' | 'UPDATE' | 'CREATE_AND_UPDATE' | 'DELETE' | 'SYNC'
> = {
  CREATE_AND_UPDATE: 'CREATE_AND_UPDATE',
  NEW_AND_UPDATES: 'CREATE_AND_UPDATE',
  CREATE: 'CREATE',
  NEW: 'CREATE',
  UPDATE: 'UPDATE',
  UPDATES: 'UPDATE',
  DELETE: 'DELETE',
  DELETES: 'DELETE',
  SYNC: 'SYNC',
};

export interface TrackerPlanInput {
  refs: TrackerRefs;
  strategy: TrackerStrategy;
  now: string;
  newUid: () => string;
  /** The `href` of a written tracked entity. */
  href: (uid: string) => string;
}

type Action = 'create' | 'update' | 'delete';
type Row = TrackedEntityRow | EnrollmentRow | EnrollmentEventRow;

/** Whether objects marked `deleted: true` are deleted (SYNC, what locals send). */
export const isSync = (strategy: TrackerStrategy) => STRATEGY_OF[strategy] === 'SYNC';

/**
 * The working copy of the stored state. `stamp` gives a planned row the server's timestamps:
 * unchanged content keeps the stored row as it is, so it is not written.
 */
export class Work {
  readonly teis: Map<string, TrackedEntityRow>;
  readonly enrollments: Map<string, EnrollmentRow>;
  readonly events: Map<string, EnrollmentEventRow>;
  constructor(
    readonly stored: TrackerState,
    readonly now: string,
  ) {
    this.teis = new Map(stored.trackedEntities);
    this.enrollments = new Map(stored.enrollments);
    this.events = new Map(stored.events);
  }

  stamp<T extends Row>(row: Omit<T, 'created' | 'lastUpdated'>, before: T | undefined): T {
    const next = {
      ...row,
      created: before?.created ?? this.now,
      lastUpdated: before?.lastUpdated ?? this.now,
    } as T;
    return before && sameContent(before, next) ? before : { ...next, lastUpdated: this.now };
  }

  deleteEvent(e: EnrollmentEventRow): void {
    this.events.set(e.uid, this.stamp({ ...e, deleted: true }, e));
  }

  /** Deletes an enrollment and its events (DHIS2 soft-deletes them together). */
  deleteEnrollment(en: EnrollmentRow): void {
    this.enrollments.set(en.uid, this.stamp({ ...en, deleted: true }, en));
    for (const e of this.events.values())
      if (e.enrollment === en.uid && !e.deleted) this.deleteEvent(e);
  }

  /** Deletes a tracked entity, its enrollments and their events. */
  deleteTrackedEntity(tei: TrackedEntityRow): void {
    this.teis.set(tei.uid, this.stamp({ ...tei, deleted: true }, tei));
    for (const en of this.enrollments.values())
      if (en.trackedEntity === tei.uid && !en.deleted) this.deleteEnrollment(en);
  }

  /** The rows whose content differs from what was stored. */
  writes(): TrackerWrites {
    const changed = <T extends Row>(now: Map<string, T>, before: ReadonlyMap<string, T>) =>
      [...now.values()].filter((r) => {
        const old = before.get(r.uid);
        return !old || !sameContent(old, r);
      });
    return {
      trackedEntities: changed(this.teis, this.stored.trackedEntities),
      enrollments: changed(this.enrollments, this.stored.enrollments),
      events: changed(this.events, this.stored.events),
    };
  }
}

const count = (key: keyof ImportCount): ImportCount => ({ ...emptyCount(), [key]: 1 });
export const success = (
  key: keyof ImportCount,
  reference?: string,
  description?: string,
): ImportSummary => ({
  responseType: 'ImportSummary',
  status: 'SUCCESS',
  ...(description ? { description } : {}),
  importCount: count(key),
  conflicts: [],
  ...(reference ? { reference } : {}),
});
export const failure = (reference: string | undefined, p: Problem): ImportSummary => ({
  responseType: 'ImportSummary',
  status: 'ERROR',
  ...(p.description ? { description: p.description } : {}),
  importCount: count('ignored'),
  conflicts: p.conflicts,
  ...(reference ? { reference } : {}),
});
export const fails = (
  reference: string | undefined,
  description: string,
  conflicts: ImportConflict[] = [],
) => failure(reference, { description, conflicts });

/** Which way an object goes (DHIS2's per-strategy sorting of creates, updates and deletes). */
function decide(
  strategy: TrackerStrategy,
  input: Json,
  stored: { deleted: boolean } | undefined,
): Action {
  const s = STRATEGY_OF[strategy];
  if (s === 'DELETE') return 'delete';
  if (s === 'CREATE') return 'create';
  if (s === 'UPDATE') return 'update';
  if (s === 'SYNC')
    return input.deleted === true ? 'delete' : stored && !stored.deleted ? 'update' : 'create';
  return stored ? 'update' : 'create';
}

/**
 * Where an object of a push stands: the id it gives (under `idKey`), the stored row of that id,
 * that row if it is not deleted (`live`), and which way the strategy sends the object.
 */
export function locate<T extends Row>(
  strategy: TrackerStrategy,
  input: Json,
  idKey: string,
  rows: ReadonlyMap<string, T>,
): { given: string | undefined; stored: T | undefined; live: T | undefined; action: Action } {
  const given = str(input[idKey]);
  const stored = given ? rows.get(given) : undefined;
  const live = stored && !stored.deleted ? stored : undefined;
  return { given, stored, live, action: decide(strategy, input, stored) };
}

/** DHIS2's answer to a deletion of what it does not hold (or holds deleted): ignored, no error. */
export const notPresent = (label: string, given: string | undefined) =>
  success(
    'ignored',
    undefined,
    `${label} ${given ?? ''} cannot be deleted as it is not present in the system`,
  );

/** A given uid if it is one (DHIS2 generates one for a new object otherwise). */
export const uidOf = (given: string | undefined, newUid: () => string) =>
  given && isValidUid(given) ? given : newUid();

/** Attribute values after an update: DHIS2 updates and adds the sent ones and keeps the others. */
export function mergeAttributes(stored: Json[], incoming: Json[]): Json[] {
  const out = new Map(stored.map((a) => [String(a.attribute), a]));
  for (const a of incoming) {
    const id = String(a.attribute);
    if (a.value === null || a.value === undefined || a.value === '') out.delete(id);
    else out.set(id, a);
  }
  return [...out.values()].sort((a, b) => String(a.attribute).localeCompare(String(b.attribute)));
}
export const withoutEmpty = (attributes: Json[]) =>
  attributes.filter((a) => a.value !== null && a.value !== undefined && a.value !== '');
