/**
 * What a tracked entity push does (issue 16 §1), as DHIS2 2.41's legacy importer decides it, one
 * level at a time: tracked entities, then (for each one that succeeded) its enrollments, then
 * (for each enrollment that succeeded) its events (./tracker-plan-enrollments.ts). Each level
 * answers an ImportSummary per object, nested as DHIS2 nests them (`enrollments`, `events`).
 *
 * Counts follow DHIS2: an object that exists and is imported again counts as `updated`, even
 * when nothing in it changed; but only rows whose content changed are written, so the same push
 * twice takes no new change number. A deletion is soft and cascades to the enrollments and
 * events below it (DHIS2 soft-deletes them too).
 */
import {
  rollUp,
  type ImportConflict,
  type ImportSummaries,
  type ImportSummary,
} from './import-summary.ts';
import { enrollmentsOf } from './tracker-plan-enrollments.ts';
import {
  failure,
  fails,
  isSync,
  locate,
  mergeAttributes,
  notPresent,
  success,
  uidOf,
  withoutEmpty,
  Work,
  type TrackerPlanInput,
} from './tracker-rules.ts';
import type { TrackerState, TrackerWrites } from './tracker-store.ts';
import { attributeConflicts, geometryConflict } from './tracker-validate.ts';
import { asList, payloadOf, str, type Json, type TrackedEntityRow } from './tracker.ts';

export {
  TRACKER_STRATEGIES,
  type TrackerPlanInput,
  type TrackerStrategy,
} from './tracker-rules.ts';

/** DHIS2's checks of a tracked entity being created or updated, as conflicts. */
function trackedEntityConflicts(
  p: TrackerPlanInput,
  input: Json,
  uid: string,
  live: TrackedEntityRow | undefined,
  deletedOne: boolean,
): ImportConflict[] {
  const conflicts: ImportConflict[] = [];
  const typeId = str(input.trackedEntityType) ?? live?.trackedEntityType;
  const type = typeId ? p.refs.trackedEntityTypes.get(typeId) : undefined;
  if (!live && !typeId)
    conflicts.push({
      object: 'TrackedEntity.trackedEntityType',
      value: 'Missing required property trackedEntityType',
    });
  else if (!type)
    conflicts.push({
      object: 'TrackedEntity.trackedEntityType',
      value: `Invalid trackedEntityType ${typeId ?? ''}`,
    });
  conflicts.push(...attributeConflicts(asList(input.attributes), p.refs));
  const orgUnit = str(input.orgUnit);
  if (deletedOne)
    conflicts.push({
      object: 'TrackedEntity',
      value: `You are trying to add or update tracked entity instance ${uid} that has already been deleted`,
    });
  else if (live && !(orgUnit && p.refs.orgUnits.has(orgUnit)))
    conflicts.push({
      object: 'OrganisationUnit',
      value: `Org unit ${orgUnit ?? 'null'} does not exist`,
    });
  else if (!live && !orgUnit)
    conflicts.push({ object: uid, value: 'No org unit ID in tracked entity instance object' });
  else if (!live && !p.refs.orgUnits.has(orgUnit!))
    conflicts.push({ object: uid, value: `Invalid org unit ID: ${orgUnit}` });
  const geometry = type ? geometryConflict(uid, input.geometry, type.featureType) : null;
  if (geometry) conflicts.push(geometry);
  return conflicts;
}

function planTrackedEntity(w: Work, p: TrackerPlanInput, input: Json): ImportSummary {
  const { given, stored, live, action } = locate(
    p.strategy,
    input,
    'trackedEntityInstance',
    w.teis,
  );
  if (action === 'delete') {
    if (!live) return notPresent('Tracked entity instance', given);
    const enrollments = isSync(p.strategy) ? enrollmentsOf(w, p, input, live) : rollUp([]);
    w.deleteTrackedEntity(w.teis.get(live.uid)!);
    return {
      ...success(
        'deleted',
        live.uid,
        `Deletion of tracked entity instance ${live.uid} was successful`,
      ),
      enrollments,
    };
  }
  if (action === 'create' && stored)
    return fails(
      stored.uid,
      `Tracked entity instance ${stored.uid} already exists or was deleted earlier`,
    );
  const uid = live?.uid ?? uidOf(given, p.newUid);
  const conflicts = trackedEntityConflicts(p, input, uid, live, action === 'update' && !live);
  if (conflicts.length > 0) return failure(uid, { conflicts });
  const attributes = asList(input.attributes);
  const payload = payloadOf({ ...input, trackedEntityInstance: uid }, ['enrollments']);
  payload.attributes = live
    ? mergeAttributes(asList(live.payload.attributes), attributes)
    : withoutEmpty(attributes);
  const row = w.stamp<TrackedEntityRow>(
    {
      uid,
      // DHIS2 does not change a stored tracked entity's type.
      trackedEntityType: live?.trackedEntityType ?? str(input.trackedEntityType)!,
      orgUnit: str(input.orgUnit)!,
      payload,
      deleted: false,
    },
    stored,
  );
  w.teis.set(uid, row);
  return {
    ...success(live ? 'updated' : 'imported', uid),
    href: p.href(uid),
    enrollments: enrollmentsOf(w, p, input, row),
  };
}

export function planTrackedEntities(
  items: readonly Json[],
  stored: TrackerState,
  p: TrackerPlanInput,
): { summaries: ImportSummaries; writes: TrackerWrites } {
  const w = new Work(stored, p.now);
  const summaries = rollUp(items.map((input) => planTrackedEntity(w, p, input)));
  return { summaries, writes: w.writes() };
}
