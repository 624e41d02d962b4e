/**
 * The lower two levels of a tracked entity push (issue 16 §1), as DHIS2 2.41's enrollment and
 * event importers decide them: an enrollment's events are only planned once it succeeded, and
 * their summaries nest in its own (`events`).
 */
import { DEFAULT_COC } from './data-values.ts';
import { parseDhisDate } from './dhis-date.ts';
import { rollUp, type ImportSummaries, type ImportSummary } from './import-summary.ts';
import {
  failure,
  fails,
  isSync,
  locate,
  notPresent,
  success,
  uidOf,
  type TrackerPlanInput,
  type Work,
} from './tracker-rules.ts';
import { eventProblem, enrollmentProblem } from './tracker-validate.ts';
import {
  asList,
  payloadOf,
  str,
  type EnrollmentEventRow,
  type EnrollmentRow,
  type Json,
  type TrackedEntityRow,
} from './tracker.ts';

const dateOf = (input: Json, key: string) => {
  const text = str(input[key]);
  return text ? parseDhisDate(text) : null;
};

function planEvent(w: Work, p: TrackerPlanInput, input: Json, en: EnrollmentRow): ImportSummary {
  const { given, stored, live, action } = locate(p.strategy, input, 'event', w.events);
  if (action === 'delete') {
    if (!live) return notPresent('Event', given);
    w.deleteEvent(live);
    return success('deleted', live.uid, `Deletion of event ${live.uid} was successful`);
  }
  if (action === 'create' && stored)
    return fails(stored.uid, `Event ${stored.uid} already exists or was deleted earlier`);
  if (action === 'update' && !live)
    return stored
      ? fails(
          stored.uid,
          `Event ID ${stored.uid} was already used and/or deleted. This event can not be modified.`,
        )
      : fails(given, `Event ID ${given ?? ''} doesn't point to valid event`, [
          { object: 'Invalid Event ID', value: given ?? '' },
        ]);
  const uid = live?.uid ?? uidOf(given, p.newUid);
  const program = p.refs.programs.get(en.program);
  if (!program) return fails(uid, `Event.program does not point to a valid program: ${en.program}`);
  const wrong = eventProblem(input, program, p.refs);
  if (wrong) return failure(uid, wrong);
  const stage = str(input.programStage)!;
  if (!live && program.stages.get(stage)?.repeatable === false) {
    const taken = [...w.events.values()].some(
      (e) => e.enrollment === en.uid && e.programStage === stage && !e.deleted,
    );
    if (taken) return fails(uid, 'Program stage is not repeatable and an event already exists');
  }
  w.events.set(
    uid,
    w.stamp<EnrollmentEventRow>(
      {
        uid,
        enrollment: en.uid,
        program: en.program,
        programStage: stage,
        orgUnit: str(input.orgUnit)!,
        status: str(input.status) ?? 'ACTIVE',
        eventDate: dateOf(input, 'eventDate'),
        dueDate: dateOf(input, 'dueDate'),
        attributeOptionCombo: str(input.attributeOptionCombo) ?? DEFAULT_COC,
        payload: payloadOf({ ...input, event: uid }, []),
        deleted: false,
      },
      stored,
    ),
  );
  return success(live ? 'updated' : 'imported', uid);
}

const eventsOf = (w: Work, p: TrackerPlanInput, input: Json, en: EnrollmentRow): ImportSummaries =>
  rollUp(asList(input.events).map((e) => planEvent(w, p, e, en)));

function planEnrollment(
  w: Work,
  p: TrackerPlanInput,
  input: Json,
  tei: TrackedEntityRow,
): ImportSummary {
  const { given, stored, live, action } = locate(p.strategy, input, 'enrollment', w.enrollments);
  if (action === 'delete') {
    if (!live) return notPresent('Enrollment', given);
    const events = isSync(p.strategy) ? eventsOf(w, p, input, live) : rollUp([]);
    w.deleteEnrollment(w.enrollments.get(live.uid)!);
    return {
      ...success('deleted', live.uid, `Deletion of enrollment ${live.uid} was successful`),
      events,
    };
  }
  if (action === 'create' && stored)
    return fails(stored.uid, `Enrollment ${stored.uid} already exists or was deleted earlier`);
  if (action === 'update' && !live)
    return fails(undefined, `ID ${given ?? ''} doesn't point to a valid enrollment.`);
  const uid = live?.uid ?? uidOf(given, p.newUid);
  // The DTO requires `program`; the stored one is not looked up again (refs come from the push).
  const programId = str(input.program) ?? '';
  const program = p.refs.programs.get(programId);
  const wrong = enrollmentProblem(input, program, programId, p.refs, !live);
  if (wrong) return failure(live ? undefined : uid, wrong);
  const status = str(input.status) ?? 'ACTIVE';
  const owner = live?.trackedEntity ?? tei.uid;
  if (!live && status !== 'CANCELLED') {
    const siblings = [...w.enrollments.values()].filter(
      (e) => e.trackedEntity === owner && e.program === programId && !e.deleted && e.uid !== uid,
    );
    if (status === 'ACTIVE' && siblings.some((e) => e.status === 'ACTIVE'))
      return fails(
        uid,
        `TrackedEntity ${owner} already has an active enrollment in program ${programId}`,
      );
    if (program!.onlyEnrollOnce && siblings.some((e) => e.status !== 'CANCELLED'))
      return fails(
        uid,
        `TrackedEntity ${owner} already has an active or completed enrollment in program ${programId}, and this program only allows enrolling one time`,
      );
  }
  const row = w.stamp<EnrollmentRow>(
    {
      uid,
      trackedEntity: owner,
      program: programId,
      orgUnit: str(input.orgUnit) ?? live?.orgUnit ?? '',
      status,
      enrollmentDate: dateOf(input, 'enrollmentDate'),
      incidentDate: dateOf(input, 'incidentDate'),
      payload: payloadOf({ ...input, enrollment: uid }, ['events']),
      deleted: false,
    },
    stored,
  );
  w.enrollments.set(uid, row);
  return { ...success(live ? 'updated' : 'imported', uid), events: eventsOf(w, p, input, row) };
}

/** The enrollments of a tracked entity that succeeded, with their events. */
export const enrollmentsOf = (
  w: Work,
  p: TrackerPlanInput,
  input: Json,
  tei: TrackedEntityRow,
): ImportSummaries => rollUp(asList(input.enrollments).map((en) => planEnrollment(w, p, en, tei)));
