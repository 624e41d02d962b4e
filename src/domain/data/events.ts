/**
 * Anonymous events of programs without registration (issue 7 §3, contract §11.3) in DHIS2 2.41's
 * `/api/events` shape: validation and the pure per-event plan. `strategy=SYNC` (what DHIS2 locals
 * send) is CREATE_AND_UPDATE, with `deleted: true` deleting.
 */
import { DEFAULT_COC } from './data-values.ts';
import { parseDhisDate } from './dhis-date.ts';
import type { ImportConflict } from './import-summary.ts';

export const EVENT_STATUSES = [
  'ACTIVE',
  'COMPLETED',
  'VISITED',
  'SCHEDULE',
  'OVERDUE',
  'SKIPPED',
] as const;
export const EVENT_STRATEGIES = [
  'CREATE',
  'UPDATE',
  'CREATE_AND_UPDATE',
  'DELETE',
  'SYNC',
] as const;
export type EventStrategy = (typeof EVENT_STRATEGIES)[number];

export interface EventDataValue {
  dataElement: string;
  value: string | null;
  providedElsewhere?: boolean;
}

export interface AnonymousEvent {
  event: string;
  program: string;
  programStage: string;
  orgUnit: string;
  attributeOptionCombo: string;
  eventDate: string;
  status: string;
  storedBy: string | null;
  dataValues: EventDataValue[];
  deleted: boolean;
  created: string;
  lastUpdated: string;
}

export interface EventRefs {
  /** Program id → its programType and its stages. */
  programs: ReadonlyMap<string, { programType: string; stages: ReadonlySet<string> }>;
  orgUnits: ReadonlySet<string>;
  dataElements: ReadonlyMap<string, string>;
  optionCombos: ReadonlySet<string>;
}

const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
const UID = /^[A-Za-z][A-Za-z0-9]{10}$/;
const sentAt = (v: unknown, now: string) => parseDhisDate(str(v) ?? '') ?? now;

/**
 * Checks one event; returns the conflicts (empty when it may be written). `created` and
 * `lastUpdated` are kept as sent (read as DHIS2 dates, `now` when absent or unparseable), so an
 * event forwarded by a relay keeps the district's (issue 21 §2; DHIS2 keeps them only as
 * `createdAtClient`/`lastUpdatedAtClient`: docs/deviations.md).
 */
export function validateEvent(
  input: Record<string, unknown>,
  refs: EventRefs,
  now: string,
  newUid: () => string,
): { value: AnonymousEvent | null; conflicts: ImportConflict[] } {
  const conflicts: ImportConflict[] = [];
  const event = str(input.event) ?? newUid();
  if (!UID.test(event)) conflicts.push({ object: event, value: 'Event uid is not a valid UID' });
  const programId = str(input.program) ?? '';
  const program = refs.programs.get(programId);
  if (!program) conflicts.push({ object: programId, value: `Program not found: \`${programId}\`` });
  else if (program.programType !== 'WITHOUT_REGISTRATION')
    conflicts.push({
      object: programId,
      value: 'Only programs without registration take anonymous events',
    });
  const stage =
    str(input.programStage) ?? (program?.stages.size === 1 ? [...program.stages][0]! : '');
  if (program && !program.stages.has(stage))
    conflicts.push({ object: stage, value: `Program stage not found in program: \`${stage}\`` });
  const orgUnit = str(input.orgUnit) ?? '';
  if (!refs.orgUnits.has(orgUnit))
    conflicts.push({ object: orgUnit, value: `Organisation unit not found: \`${orgUnit}\`` });
  const aoc = str(input.attributeOptionCombo) ?? DEFAULT_COC;
  if (!refs.optionCombos.has(aoc))
    conflicts.push({ object: aoc, value: `Attribute option combo not found: \`${aoc}\`` });
  // DHIS2 ≤ 2.41 writes `2024-01-15T00:00:00.000` (no offset): read as UTC, whatever this
  // server's time zone, so the event keeps its day (issue 16 §1).
  const dateText = str(input.eventDate) ?? str(input.occurredAt) ?? '';
  const eventDate = parseDhisDate(dateText);
  if (!eventDate)
    conflicts.push({
      object: 'eventDate',
      value: `Event date is not a valid date: \`${dateText}\``,
    });
  const status = str(input.status) ?? 'ACTIVE';
  if (!(EVENT_STATUSES as readonly string[]).includes(status))
    conflicts.push({ object: 'status', value: `Event status not valid: \`${status}\`` });
  const dataValues: EventDataValue[] = [];
  for (const dv of Array.isArray(input.dataValues)
    ? (input.dataValues as Record<string, unknown>[])
    : []) {
    const de = str(dv?.dataElement) ?? '';
    if (!refs.dataElements.has(de)) {
      conflicts.push({ object: de, value: `Data element not found: \`${de}\`` });
      continue;
    }
    const v = dv.value;
    dataValues.push({
      dataElement: de,
      value: v === null || v === undefined ? null : String(v as string),
      ...(dv.providedElsewhere === true ? { providedElsewhere: true } : {}),
    });
  }
  if (conflicts.length > 0) return { value: null, conflicts };
  return {
    value: {
      event,
      program: programId,
      programStage: stage,
      orgUnit,
      attributeOptionCombo: aoc,
      eventDate: eventDate!,
      status,
      storedBy: str(input.storedBy) ?? null,
      dataValues: dataValues.sort((a, b) => a.dataElement.localeCompare(b.dataElement)),
      deleted: input.deleted === true,
      created: sentAt(input.created, now),
      lastUpdated: sentAt(input.lastUpdated, now),
    },
    conflicts,
  };
}

const content = (e: AnonymousEvent) =>
  JSON.stringify([
    e.program,
    e.programStage,
    e.orgUnit,
    e.attributeOptionCombo,
    e.eventDate,
    e.status,
    e.dataValues,
  ]);

export type EventAction = 'imported' | 'updated' | 'deleted' | 'ignored';

/** What importing `e` over `stored` does; `conflict` when the strategy forbids it. */
export function planEvent(
  e: AnonymousEvent,
  stored: AnonymousEvent | undefined,
  strategy: EventStrategy,
): { action: EventAction; write: AnonymousEvent | null; conflict?: string } {
  const live = stored && !stored.deleted ? stored : undefined;
  if (strategy === 'DELETE' || e.deleted)
    return live
      ? { action: 'deleted', write: { ...live, deleted: true, lastUpdated: e.lastUpdated } }
      : { action: 'ignored', write: null };
  if (live && strategy === 'CREATE')
    return { action: 'ignored', write: null, conflict: `Event ${e.event} already exists` };
  if (!live && strategy === 'UPDATE')
    return { action: 'ignored', write: null, conflict: `Event ${e.event} does not exist` };
  if (live && content(live) === content(e)) return { action: 'ignored', write: null };
  return {
    action: live ? 'updated' : 'imported',
    write: { ...e, created: stored?.created ?? e.created },
  };
}
