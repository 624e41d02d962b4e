/**
 * Tracked entities, their enrollments and those enrollments' events, as DHIS2 ≤ 2.41 locals push
 * them with `POST /api/trackedEntityInstances?strategy=SYNC` (issue 16 §1, contract §11.4): the
 * legacy TrackedEntityInstance DTO, the same in 2.39, 2.40 and 2.41.
 *
 * Each object is kept as received (`payload`), so that nothing a local sends is lost and it can
 * be exported again: only its children (stored as rows of their own) and the fields the server
 * maintains are taken out. The fields DHIS2 validates and filters on are lifted into columns.
 */
import { canonical } from '../metadata/canonical.ts';

export type Json = Record<string, unknown>;

interface TrackerRow {
  uid: string;
  /** The object as received, minus children and SERVER_FIELDS. */
  payload: Json;
  deleted: boolean;
  /** When this server first stored the object, and last changed it (ISO, UTC). */
  created: string;
  lastUpdated: string;
}

export interface TrackedEntityRow extends TrackerRow {
  trackedEntityType: string;
  orgUnit: string;
}

export interface EnrollmentRow extends TrackerRow {
  trackedEntity: string;
  program: string;
  orgUnit: string;
  status: string;
  enrollmentDate: string | null;
  incidentDate: string | null;
}

/** An event of a program with registration: it lives in its enrollment (contract §11.4). */
export interface EnrollmentEventRow extends TrackerRow {
  enrollment: string;
  program: string;
  programStage: string;
  orgUnit: string;
  status: string;
  eventDate: string | null;
  dueDate: string | null;
  attributeOptionCombo: string;
}

/** One tracked entity with every enrollment and event stored for it. */
export interface TrackedEntityTree {
  trackedEntity: TrackedEntityRow;
  enrollments: EnrollmentRow[];
  events: EnrollmentEventRow[];
}

/**
 * Fields the server maintains: DHIS2 sets its own `created`/`lastUpdated` on import (the
 * client's are kept in `createdAtClient`/`lastUpdatedAtClient`), computes `href`, and keeps
 * `deleted` as a flag of its own.
 */
const SERVER_FIELDS = ['created', 'lastUpdated', 'deleted', 'href'];

export const asList = (v: unknown): Json[] =>
  Array.isArray(v) ? v.map((x) => (typeof x === 'object' && x !== null ? (x as Json) : {})) : [];
export const str = (v: unknown): string | undefined =>
  typeof v === 'string' && v !== '' ? v : undefined;

const byKey = (key: string) => (a: Json, b: Json) =>
  String(a[key] ?? '').localeCompare(String(b[key] ?? ''));

/**
 * The stored part of a received object. DHIS2 serialises an event's data values from a hash set,
 * so their order changes between two exports of the same event: lists keyed by an id are sorted,
 * so that the same content always compares equal.
 */
export function payloadOf(input: Json, children: readonly string[]): Json {
  const out: Json = {};
  for (const [k, v] of Object.entries(input))
    if (!SERVER_FIELDS.includes(k) && !children.includes(k) && v !== null && v !== undefined)
      out[k] = v;
  if (Array.isArray(out.attributes))
    out.attributes = asList(out.attributes).sort(byKey('attribute'));
  if (Array.isArray(out.dataValues))
    out.dataValues = asList(out.dataValues).sort(byKey('dataElement'));
  return out;
}

/** Whether two rows hold the same content (the server's own timestamps do not count). */
export function sameContent<T extends TrackerRow>(a: T, b: T): boolean {
  const content = ({ created: _c, lastUpdated: _l, ...rest }: T) => canonical(rest);
  return content(a) === content(b);
}

/** An event in DHIS2's shape: the payload with the server's fields and the links restored. */
export function eventWire(e: EnrollmentEventRow, trackedEntity: string): Json {
  return {
    ...e.payload,
    event: e.uid,
    enrollment: e.enrollment,
    program: e.program,
    programStage: e.programStage,
    orgUnit: e.orgUnit,
    status: e.status,
    trackedEntityInstance: trackedEntity,
    attributeOptionCombo: e.attributeOptionCombo,
    deleted: e.deleted,
    created: e.created,
    lastUpdated: e.lastUpdated,
  };
}

/**
 * A tracked entity in DHIS2's shape, with its enrollments and their events nested as a local
 * sends them. Deleted enrollments and events are left out unless `includeDeleted` (DHIS2).
 */
export function trackedEntityWire(tree: TrackedEntityTree, includeDeleted = false): Json {
  const tei = tree.trackedEntity;
  const shown = <T extends TrackerRow>(rows: T[]) =>
    rows.filter((r) => includeDeleted || !r.deleted);
  return {
    ...tei.payload,
    trackedEntityInstance: tei.uid,
    trackedEntityType: tei.trackedEntityType,
    orgUnit: tei.orgUnit,
    deleted: tei.deleted,
    created: tei.created,
    lastUpdated: tei.lastUpdated,
    enrollments: shown(tree.enrollments).map((en) => ({
      ...en.payload,
      enrollment: en.uid,
      trackedEntityInstance: tei.uid,
      trackedEntityType: tei.trackedEntityType,
      program: en.program,
      orgUnit: en.orgUnit,
      status: en.status,
      deleted: en.deleted,
      created: en.created,
      lastUpdated: en.lastUpdated,
      events: shown(tree.events.filter((e) => e.enrollment === en.uid)).map((e) =>
        eventWire(e, tei.uid),
      ),
    })),
  };
}
