/**
 * The checks DHIS2 2.41's legacy tracker importer makes where metasync holds the metadata
 * (issue 16 §1): tracked entity types, attributes, org units, programs, stages, data elements,
 * attribute option combos, dates. Messages are DHIS2's own wording, so a local's log reads the
 * same whichever central answered. Checks on users, sharing and ownership are not made: the
 * central knows only the sync user (docs/deviations.md).
 */
import { EVENT_STATUSES } from './events.ts';
import { parseDhisDate } from './dhis-date.ts';
import type { ImportConflict } from './import-summary.ts';
import { valueTypeProblem } from './data-values.ts';
import { asList, str, type Json } from './tracker.ts';

export interface ProgramRef {
  programType: string;
  /** Org units the program is assigned to (DHIS2 `organisationUnits`). */
  orgUnits: ReadonlySet<string>;
  stages: ReadonlyMap<string, { repeatable: boolean }>;
  onlyEnrollOnce: boolean;
  displayIncidentDate: boolean;
}

export interface TrackerRefs {
  trackedEntityTypes: ReadonlyMap<string, { featureType: string }>;
  attributes: ReadonlyMap<string, { valueType: string }>;
  orgUnits: ReadonlySet<string>;
  programs: ReadonlyMap<string, ProgramRef>;
  dataElements: ReadonlyMap<string, { valueType: string }>;
  optionCombos: ReadonlySet<string>;
}

/** What is wrong with an object: a description, conflicts, or both (DHIS2 uses either). */
export interface Problem {
  description?: string;
  conflicts: ImportConflict[];
}

const problem = (description: string): Problem => ({ description, conflicts: [] });

/** DHIS2's TEA_VALUE_MAX_LENGTH. */
const ATTRIBUTE_VALUE_MAX = 1200;
export const ENROLLMENT_STATUSES = ['ACTIVE', 'COMPLETED', 'CANCELLED'] as const;

/** Attribute values (of a tracked entity or an enrollment); empty values are not checked. */
export function attributeConflicts(attributes: Json[], refs: TrackerRefs): ImportConflict[] {
  const out: ImportConflict[] = [];
  for (const a of attributes) {
    const value = a.value === null || a.value === undefined ? '' : String(a.value as string);
    if (value === '') continue;
    const id = str(a.attribute) ?? '';
    const ref = refs.attributes.get(id);
    if (!ref) {
      out.push({ object: 'Attribute.attribute', value: `Invalid attribute ${id}` });
      continue;
    }
    if (value.length > ATTRIBUTE_VALUE_MAX)
      out.push({
        object: 'Attribute.value',
        value: `Value exceeds the character limit of ${ATTRIBUTE_VALUE_MAX} characters: '${value.slice(0, 25)}...'`,
      });
    const wrong = valueTypeProblem(ref.valueType, value);
    if (wrong) out.push({ object: 'Attribute.value', value: wrong });
  }
  return out;
}

/** GeoJSON geometry type → DHIS2 FeatureType. */
const FEATURE_TYPES: Record<string, string> = {
  Point: 'POINT',
  Polygon: 'POLYGON',
  MultiPolygon: 'MULTI_POLYGON',
};

/** A geometry must match the tracked entity type's feature type (NONE takes none). */
export function geometryConflict(
  uid: string,
  geometry: unknown,
  featureType: string,
): ImportConflict | null {
  if (geometry === null || geometry === undefined) return null;
  const type = str((geometry as Json).type) ?? '';
  if (featureType === 'NONE' || FEATURE_TYPES[type] !== featureType)
    return { object: uid, value: `Geometry does not conform to feature type '${featureType}'` };
  return null;
}

/**
 * The enrollment checks of DHIS2's `validateProgramForEnrollment` and its date checks. An update
 * may leave out the org unit (the stored one stays), and is not checked against the program's
 * org units (DHIS2 checks that on creation only).
 */
export function enrollmentProblem(
  input: Json,
  program: ProgramRef | undefined,
  programId: string,
  refs: TrackerRefs,
  creating: boolean,
): Problem | null {
  if (!program) return problem('Program can not be null');
  const orgUnit = str(input.orgUnit);
  if (creating ? !orgUnit || !refs.orgUnits.has(orgUnit) : orgUnit && !refs.orgUnits.has(orgUnit))
    return problem('OrganisationUnit can not be null');
  if (program.programType !== 'WITH_REGISTRATION')
    return problem(
      `Provided program ${programId} is a program without registration. An enrollment cannot be created into program without registration.`,
    );
  if (creating && !program.orgUnits.has(orgUnit!))
    return problem(`Program is not assigned to this Organisation Unit: ${orgUnit}`);
  const status = str(input.status) ?? 'ACTIVE';
  if (!(ENROLLMENT_STATUSES as readonly string[]).includes(status))
    return problem(`Invalid enrollment status: ${status}`);
  const enrolled = str(input.enrollmentDate);
  if (enrolled && !parseDhisDate(enrolled)) return problem(`Invalid enollment date:  ${enrolled}`);
  const incident = str(input.incidentDate);
  if (incident && !parseDhisDate(incident))
    return problem(`Invalid enollment incident date:  ${incident}`);
  if (program.displayIncidentDate && !incident)
    return problem('DisplayIncidentDate is true but IncidentDate is null ');
  const conflicts = attributeConflicts(asList(input.attributes), refs);
  return conflicts.length > 0 ? { conflicts } : null;
}

/** The event checks of DHIS2's event importer (program stage, org unit, dates, values). */
export function eventProblem(input: Json, program: ProgramRef, refs: TrackerRefs): Problem | null {
  const stage = str(input.programStage) ?? '';
  if (!program.stages.has(stage))
    return problem(`Event.programStage does not point to a valid programStage: ${stage || '-'}`);
  const orgUnit = str(input.orgUnit) ?? '';
  if (!refs.orgUnits.has(orgUnit))
    return problem(`Event.orgUnit does not point to a valid organisation unit: ${orgUnit}`);
  const status = str(input.status) ?? 'ACTIVE';
  if (!(EVENT_STATUSES as readonly string[]).includes(status))
    return problem(`Event status not valid: ${status}`);
  if (status === 'ACTIVE' && !str(input.eventDate)) return problem('Event date is required. ');
  for (const key of ['eventDate', 'dueDate', 'completedDate']) {
    const text = str(input[key]);
    if (text && !parseDhisDate(text))
      return problem('Event date or Execution date format is not correct. ');
  }
  const aoc = str(input.attributeOptionCombo);
  if (aoc && !refs.optionCombos.has(aoc))
    return problem(`Illegal attribute option combo identifier: ${aoc}`);
  const conflicts: ImportConflict[] = [];
  for (const dv of asList(input.dataValues)) {
    const de = str(dv.dataElement) ?? '';
    const ref = refs.dataElements.get(de);
    if (!ref) {
      conflicts.push({ object: 'dataElement', value: `${de} is not a valid data element` });
      continue;
    }
    const value = dv.value === null || dv.value === undefined ? '' : String(dv.value as string);
    const wrong = value === '' ? null : valueTypeProblem(ref.valueType, value);
    if (wrong) conflicts.push({ object: de, value: wrong });
  }
  return conflicts.length > 0 ? { conflicts } : null;
}
