/**
 * The legacy tracker DTOs a DHIS2 ≤2.41 local pushes inside META_DATA_SYNC
 * (`dxf2.deprecated.tracker.*`: Event, DataValue, TrackedEntityInstance, Attribute, Enrollment),
 * as its NON_NULL mapper writes them: null members left out, String dates in
 * `toIso8601NoTz` form, Date members (enrollment dates) through `WriteDateStdSerializer` (same
 * form), defaults such as `deleted: false`, `featureType: "NONE"`, `providedElsewhere: false`.
 * Property order is the DTO's getter order.
 */
import { isoNoTz } from './payloads.ts';

type Json = Record<string, unknown>;

const compact = (o: Json): Json =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null && v !== undefined));

export interface EventInput {
  event: string;
  program: string;
  programStage: string;
  orgUnit: string;
  eventDate: Date;
  status?: string;
  attributeOptionCombo?: string;
  storedBy?: string;
  dataValues?: { dataElement: string; value: string }[];
  deleted?: boolean;
  enrollment?: string;
  trackedEntityInstance?: string;
  at?: Date;
}

export function legacyEvent(e: EventInput): Json {
  const at = isoNoTz(e.at ?? e.eventDate);
  return compact({
    event: e.event,
    status: e.status ?? 'COMPLETED',
    program: e.program,
    programStage: e.programStage,
    enrollment: e.enrollment,
    orgUnit: e.orgUnit,
    trackedEntityInstance: e.trackedEntityInstance,
    relationships: [],
    eventDate: isoNoTz(e.eventDate),
    storedBy: e.storedBy ?? 'admin',
    dataValues: (e.dataValues ?? []).map((dv) => ({
      created: at,
      lastUpdated: at,
      value: dv.value,
      dataElement: dv.dataElement,
      providedElsewhere: false,
      storedBy: e.storedBy ?? 'admin',
    })),
    notes: [],
    followup: false,
    deleted: e.deleted ?? false,
    created: at,
    lastUpdated: at,
    createdAtClient: at,
    lastUpdatedAtClient: at,
    attributeOptionCombo: e.attributeOptionCombo ?? 'HllvX50cXC0',
    attributeCategoryOptions: 'xYerKDKCefk',
    completedDate: (e.status ?? 'COMPLETED') === 'COMPLETED' ? isoNoTz(e.eventDate) : undefined,
  });
}

export interface TrackedEntityInput {
  trackedEntityInstance: string;
  trackedEntityType: string;
  orgUnit: string;
  attributes: { attribute: string; value: string; valueType?: string }[];
  enrollments: {
    enrollment: string;
    program: string;
    enrollmentDate: Date;
    incidentDate?: Date;
    status?: string;
    events: Omit<EventInput, 'enrollment' | 'trackedEntityInstance' | 'orgUnit' | 'program'>[];
  }[];
  at: Date;
}

export function legacyTrackedEntity(t: TrackedEntityInput): Json {
  const at = isoNoTz(t.at);
  return {
    trackedEntityType: t.trackedEntityType,
    trackedEntityInstance: t.trackedEntityInstance,
    orgUnit: t.orgUnit,
    created: at,
    lastUpdated: at,
    createdAtClient: at,
    lastUpdatedAtClient: at,
    relationships: [],
    attributes: t.attributes.map((a) => ({
      attribute: a.attribute,
      created: at,
      lastUpdated: at,
      valueType: a.valueType ?? 'TEXT',
      value: a.value,
      storedBy: 'admin',
    })),
    enrollments: t.enrollments.map((en) =>
      compact({
        enrollment: en.enrollment,
        created: at,
        lastUpdated: at,
        createdAtClient: at,
        lastUpdatedAtClient: at,
        trackedEntityType: t.trackedEntityType,
        trackedEntityInstance: t.trackedEntityInstance,
        program: en.program,
        status: en.status ?? 'ACTIVE',
        orgUnit: t.orgUnit,
        enrollmentDate: isoNoTz(en.enrollmentDate),
        incidentDate: isoNoTz(en.incidentDate ?? en.enrollmentDate),
        events: en.events.map((ev) =>
          legacyEvent({
            ...ev,
            enrollment: en.enrollment,
            trackedEntityInstance: t.trackedEntityInstance,
            orgUnit: t.orgUnit,
            program: en.program,
            at: t.at,
          }),
        ),
        attributes: [],
        notes: [],
        followup: false,
        deleted: false,
        storedBy: 'admin',
        relationships: [],
      }),
    ),
    programOwners: t.enrollments.map((en) => ({
      ownerOrgUnit: t.orgUnit,
      program: en.program,
      trackedEntityInstance: t.trackedEntityInstance,
    })),
    inactive: false,
    deleted: false,
    featureType: 'NONE',
    storedBy: 'admin',
    potentialDuplicate: false,
  };
}
