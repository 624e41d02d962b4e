/**
 * What a tracked entity push does (issue 16 §1), as DHIS2 2.41's legacy importer decides it, one
 * level at a time: tracked entities, then (for each one that succeeded) its enrollments, then
 * (for each enrollment that succeeded) its events. Each level answers an ImportSummary per
 * object, nested as DHIS2 nests them (`enrollments`, `events`).
 *
 * Counts follow DHIS2: an object that exists and is imported again counts as `updated`, even
 * when nothing in it changed; but only rows whose content changed are written, so the same push
 * twice takes no new change number. A deletion is soft and cascades to the enrollments and
 * events below it (DHIS2 soft-deletes them too).
 */
import { DEFAULT_COC } from './data-values.ts';
import { parseDhisDate } from './dhis-date.ts';
import { emptyCount, rollUp, type ImportConflict, type ImportCount, type ImportSummaries, type ImportSummary } from './import-summary.ts';
import type { TrackerState, TrackerWrites } from './tracker-store.ts';
import { asList, payloadOf, sameContent, str, type EnrollmentEventRow, type EnrollmentRow, type Json, type TrackedEntityRow } from './tracker.ts';
import { isValidUid } from '../uid.ts';
import { attributeConflicts, enrollmentProblem, eventProblem, geometryConflict, type Problem, type TrackerRefs } from './tracker-validate.ts';

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
const STRATEGY_OF: Record<TrackerStrategy, 'CREATE' | 'UPDATE' | 'CREATE_AND_UPDATE' | 'DELETE' | 'SYNC'> = {
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

/** The working copy of the stored state: what the push has planned so far is visible to what follows. */
class Work {
  readonly teis: Map<string, TrackedEntityRow>;
  readonly enrollments: Map<string, EnrollmentRow>;
  readonly events: Map<string, EnrollmentEventRow>;
  constructor(readonly stored: TrackerState) {
    this.teis = new Map(stored.trackedEntities);
    this.enrollments = new Map(stored.enrollments);
    this.events = new Map(stored.events);
  }
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
const success = (key: keyof ImportCount, reference?: string, description?: string): ImportSummary => ({
  responseType: 'ImportSummary',
  status: 'SUCCESS',
  ...(description ? { description } : {}),
  importCount: count(key),
  conflicts: [],
  ...(reference ? { reference } : {}),
});
const failure = (reference: string | undefined, p: Problem): ImportSummary => ({
  responseType: 'ImportSummary',
  status: 'ERROR',
  ...(p.description ? { description: p.description } : {}),
  importCount: count('ignored'),
  conflicts: p.conflicts,
  ...(reference ? { reference } : {}),
});
const fails = (reference: string | undefined, description: string, conflicts: ImportConflict[] = []) =>
  failure(reference, { description, conflicts });

/** Which way an object goes (DHIS2's per-strategy sorting of creates, updates and deletes). */
function decide(strategy: TrackerStrategy, input: Json, stored: { deleted: boolean } | undefined): Action {
  const s = STRATEGY_OF[strategy];
  if (s === 'DELETE') return 'delete';
  if (s === 'CREATE') return 'create';
  if (s === 'UPDATE') return 'update';
  if (s === 'SYNC') return input.deleted === true ? 'delete' : stored && !stored.deleted ? 'update' : 'create';
  return stored ? 'update' : 'create';
}

/** A given uid if it is one (DHIS2 generates one for a new object otherwise). */
const uidOf = (given: string | undefined, newUid: () => string) => (given && isValidUid(given) ? given : newUid());

/** Attribute values after an update: DHIS2 updates and adds the sent ones and keeps the others. */
function mergeAttributes(stored: Json[], incoming: Json[]): Json[] {
  const out = new Map(stored.map((a) => [String(a.attribute), a]));
  for (const a of incoming) {
    const id = String(a.attribute);
    if (a.value === null || a.value === undefined || a.value === '') out.delete(id);
    else out.set(id, a);
  }
  return [...out.values()].sort((a, b) => String(a.attribute).localeCompare(String(b.attribute)));
}
const withoutEmpty = (attributes: Json[]) =>
  attributes.filter((a) => a.value !== null && a.value !== undefined && a.value !== '');

export function planTrackedEntities(
  items: readonly Json[],
  stored: TrackerState,
  p: TrackerPlanInput,
): { summaries: ImportSummaries; writes: TrackerWrites } {
  const w = new Work(stored);
  const stamp = <T extends Row>(row: Omit<T, 'created' | 'lastUpdated'>, before: T | undefined): T => {
    const next = { ...row, created: before?.created ?? p.now, lastUpdated: before?.lastUpdated ?? p.now } as T;
    return before && sameContent(before, next) ? before : { ...next, lastUpdated: p.now };
  };

  const deleteEvent = (e: EnrollmentEventRow) => w.events.set(e.uid, stamp({ ...e, deleted: true }, e));
  const deleteEnrollment = (en: EnrollmentRow) => {
    w.enrollments.set(en.uid, stamp({ ...en, deleted: true }, en));
    for (const e of w.events.values()) if (e.enrollment === en.uid && !e.deleted) deleteEvent(e);
  };

  function planEvent(input: Json, en: EnrollmentRow): ImportSummary {
    const given = str(input.event);
    const stored = given ? w.events.get(given) : undefined;
    const action = decide(p.strategy, input, stored);
    const live = stored && !stored.deleted ? stored : undefined;
    if (action === 'delete') {
      if (!live) return success('ignored', undefined, `Event ${given ?? ''} cannot be deleted as it is not present in the system`);
      deleteEvent(live);
      return success('deleted', live.uid, `Deletion of event ${live.uid} was successful`);
    }
    if (action === 'create' && stored)
      return fails(stored.uid, `Event ${stored.uid} already exists or was deleted earlier`);
    if (action === 'update' && !live)
      return stored
        ? fails(stored.uid, `Event ID ${stored.uid} was already used and/or deleted. This event can not be modified.`)
        : fails(given, `Event ID ${given ?? ''} doesn't point to valid event`, [{ object: 'Invalid Event ID', value: given ?? '' }]);
    const uid = live?.uid ?? uidOf(given, p.newUid);
    const program = p.refs.programs.get(en.program);
    if (!program) return fails(uid, `Event.program does not point to a valid program: ${en.program}`);
    const wrong = eventProblem(input, program, p.refs);
    if (wrong) return failure(uid, wrong);
    const stage = str(input.programStage)!;
    if (!live && program.stages.get(stage)?.repeatable === false) {
      const taken = [...w.events.values()].some((e) => e.enrollment === en.uid && e.programStage === stage && !e.deleted);
      if (taken) return fails(uid, 'Program stage is not repeatable and an event already exists');
    }
    const date = (k: string) => (str(input[k]) ? parseDhisDate(str(input[k])!) : null);
    w.events.set(
      uid,
      stamp<EnrollmentEventRow>(
        {
          uid,
          enrollment: en.uid,
          program: en.program,
          programStage: stage,
          orgUnit: str(input.orgUnit)!,
          status: str(input.status) ?? 'ACTIVE',
          eventDate: date('eventDate'),
          dueDate: date('dueDate'),
          attributeOptionCombo: str(input.attributeOptionCombo) ?? DEFAULT_COC,
          payload: payloadOf({ ...input, event: uid }, []),
          deleted: false,
        },
        stored,
      ),
    );
    return success(live ? 'updated' : 'imported', uid);
  }

  const eventsOf = (input: Json, en: EnrollmentRow): ImportSummaries =>
    rollUp(asList(input.events).map((e) => planEvent(e, en)));

  function planEnrollment(input: Json, tei: TrackedEntityRow): ImportSummary {
    const given = str(input.enrollment);
    const stored = given ? w.enrollments.get(given) : undefined;
    const action = decide(p.strategy, input, stored);
    const live = stored && !stored.deleted ? stored : undefined;
    if (action === 'delete') {
      if (!live)
        return success('ignored', undefined, `Enrollment ${given ?? ''} cannot be deleted as it is not present in the system`);
      const events = STRATEGY_OF[p.strategy] === 'SYNC' ? eventsOf(input, live) : rollUp([]);
      deleteEnrollment(w.enrollments.get(live.uid)!);
      return { ...success('deleted', live.uid, `Deletion of enrollment ${live.uid} was successful`), events };
    }
    if (action === 'create' && stored)
      return fails(stored.uid, `Enrollment ${stored.uid} already exists or was deleted earlier`);
    if (action === 'update' && !live)
      return fails(undefined, `ID ${given ?? ''} doesn't point to a valid enrollment.`);
    const uid = live?.uid ?? uidOf(given, p.newUid);
    // The DTO requires `program`; the stored one is not looked up again (refs come from the push).
    const programId = str(input.program) ?? '';
    const program = p.refs.programs.get(programId);
    const orgUnit = str(input.orgUnit) ?? live?.orgUnit ?? '';
    const wrong = enrollmentProblem(input, program, programId, p.refs, !live);
    if (wrong) return failure(live ? undefined : uid, wrong);
    const status = str(input.status) ?? 'ACTIVE';
    const owner = live?.trackedEntity ?? tei.uid;
    if (!live && status !== 'CANCELLED') {
      const siblings = [...w.enrollments.values()].filter(
        (e) => e.trackedEntity === owner && e.program === programId && !e.deleted && e.uid !== uid,
      );
      if (status === 'ACTIVE' && siblings.some((e) => e.status === 'ACTIVE'))
        return fails(uid, `TrackedEntity ${owner} already has an active enrollment in program ${programId}`);
      if (program!.onlyEnrollOnce && siblings.some((e) => e.status !== 'CANCELLED'))
        return fails(
          uid,
          `TrackedEntity ${owner} already has an active or completed enrollment in program ${programId}, and this program only allows enrolling one time`,
        );
    }
    const row = stamp<EnrollmentRow>(
      {
        uid,
        trackedEntity: owner,
        program: programId,
        orgUnit,
        status,
        enrollmentDate: str(input.enrollmentDate) ? parseDhisDate(str(input.enrollmentDate)!) : null,
        incidentDate: str(input.incidentDate) ? parseDhisDate(str(input.incidentDate)!) : null,
        payload: payloadOf({ ...input, enrollment: uid }, ['events']),
        deleted: false,
      },
      stored,
    );
    w.enrollments.set(uid, row);
    return { ...success(live ? 'updated' : 'imported', uid), events: eventsOf(input, row) };
  }

  const enrollmentsOf = (input: Json, tei: TrackedEntityRow): ImportSummaries =>
    rollUp(asList(input.enrollments).map((en) => planEnrollment(en, tei)));

  function planTrackedEntity(input: Json): ImportSummary {
    const given = str(input.trackedEntityInstance);
    const stored = given ? w.teis.get(given) : undefined;
    const action = decide(p.strategy, input, stored);
    const live = stored && !stored.deleted ? stored : undefined;
    if (action === 'delete') {
      if (!live)
        return success('ignored', undefined, `Tracked entity instance ${given ?? ''} cannot be deleted as it is not present in the system`);
      const enrollments = STRATEGY_OF[p.strategy] === 'SYNC' ? enrollmentsOf(input, live) : rollUp([]);
      w.teis.set(live.uid, stamp({ ...live, deleted: true }, live));
      for (const en of w.enrollments.values()) if (en.trackedEntity === live.uid && !en.deleted) deleteEnrollment(en);
      return {
        ...success('deleted', live.uid, `Deletion of tracked entity instance ${live.uid} was successful`),
        enrollments,
      };
    }
    if (action === 'create' && stored)
      return fails(stored.uid, `Tracked entity instance ${stored.uid} already exists or was deleted earlier`);
    const uid = live?.uid ?? uidOf(given, p.newUid);
    const attributes = asList(input.attributes);
    const conflicts: ImportConflict[] = [];
    const typeId = str(input.trackedEntityType) ?? live?.trackedEntityType;
    const type = typeId ? p.refs.trackedEntityTypes.get(typeId) : undefined;
    if (!live && !typeId)
      conflicts.push({ object: 'TrackedEntity.trackedEntityType', value: 'Missing required property trackedEntityType' });
    else if (!type)
      conflicts.push({ object: 'TrackedEntity.trackedEntityType', value: `Invalid trackedEntityType ${typeId ?? ''}` });
    conflicts.push(...attributeConflicts(attributes, p.refs));
    const orgUnit = str(input.orgUnit);
    if (action === 'update' && !live)
      conflicts.push({
        object: 'TrackedEntity',
        value: `You are trying to add or update tracked entity instance ${given ?? ''} that has already been deleted`,
      });
    else if (live && !(orgUnit && p.refs.orgUnits.has(orgUnit)))
      conflicts.push({ object: 'OrganisationUnit', value: `Org unit ${orgUnit ?? 'null'} does not exist` });
    else if (!live && !orgUnit) conflicts.push({ object: uid, value: 'No org unit ID in tracked entity instance object' });
    else if (!live && !p.refs.orgUnits.has(orgUnit!)) conflicts.push({ object: uid, value: `Invalid org unit ID: ${orgUnit}` });
    const geometry = type ? geometryConflict(uid, input.geometry, type.featureType) : null;
    if (geometry) conflicts.push(geometry);
    if (conflicts.length > 0) return failure(uid, { conflicts });
    const payload = payloadOf({ ...input, trackedEntityInstance: uid }, ['enrollments']);
    payload.attributes = live ? mergeAttributes(asList(live.payload.attributes), attributes) : withoutEmpty(attributes);
    const row = stamp<TrackedEntityRow>(
      { uid, trackedEntityType: live?.trackedEntityType ?? typeId!, orgUnit: orgUnit!, payload, deleted: false },
      stored,
    );
    w.teis.set(uid, row);
    return {
      ...success(live ? 'updated' : 'imported', uid),
      href: p.href(uid),
      enrollments: enrollmentsOf(input, row),
    };
  }

  const summaries = rollUp(items.map(planTrackedEntity));
  return { summaries, writes: w.writes() };
}
