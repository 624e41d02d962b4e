/**
 * The port for tracked entities, enrollments and enrollment events (issue 16 §1), part of the
 * DataStore: the same data change counter numbers their rows (migration 0005's `seq`), so a
 * write that changes nothing takes no number.
 */
import type {
  EnrollmentEventRow,
  EnrollmentRow,
  TrackedEntityRow,
  TrackedEntityTree,
} from './tracker.ts';

/** The uids a push names at each level. */
export interface TrackerKeys {
  trackedEntities: readonly string[];
  enrollments: readonly string[];
  events: readonly string[];
}

/**
 * What is stored for a push, deleted rows included: the named tracked entities; the named
 * enrollments and every enrollment of those tracked entities; the named events and every event
 * of those enrollments (a deletion cascades, and DHIS2's enrollment rules look at siblings).
 */
export interface TrackerState {
  trackedEntities: ReadonlyMap<string, TrackedEntityRow>;
  enrollments: ReadonlyMap<string, EnrollmentRow>;
  events: ReadonlyMap<string, EnrollmentEventRow>;
}

/** Rows to insert or replace; each gets a new change number. */
export interface TrackerWrites {
  trackedEntities: TrackedEntityRow[];
  enrollments: EnrollmentRow[];
  events: EnrollmentEventRow[];
}

export type OrgUnitMode = 'SELECTED' | 'CHILDREN' | 'DESCENDANTS' | 'ALL';

export interface TrackedEntityQuery {
  orgUnits?: readonly string[];
  ouMode: OrgUnitMode;
  /** Tracked entities with an enrollment in this program. */
  program?: string;
  trackedEntityType?: string;
  uids?: readonly string[];
  includeDeleted: boolean;
  /** Ordered by uid; `limit` null = all. */
  offset: number;
  limit: number | null;
}

export interface TrackerStore {
  /** One transaction: loads the state the push touches, plans, writes (unless dryRun). */
  writeTracker<P extends { writes: TrackerWrites }>(
    keys: TrackerKeys,
    plan: (state: TrackerState) => P,
    dryRun: boolean,
  ): Promise<P>;
  /** The matching tracked entities with all their enrollments and events, and how many match. */
  queryTrackedEntities(
    q: TrackedEntityQuery,
  ): Promise<{ trees: TrackedEntityTree[]; total: number }>;
}
