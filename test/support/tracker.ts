/**
 * Helpers for the tracked entity tests (issue 16 §1): DHIS2's own tracker test metadata
 * (`core/dhis-tracker/tracker/base_metadata.json` in ../shared/research/fixtures), bodies in the
 * shape a DHIS2 2.41 local's TrackerSynchronization sends (the legacy TrackedEntityInstance DTO,
 * dates as DHIS2 writes them: no offset), and the POST/GET wrappers.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { TestServer } from './server.ts';
import { fetchJson } from './versions.ts';

type Json = Record<string, unknown>;

export const TRACKER_FIXTURE = path.resolve(
  import.meta.dirname,
  '../../../shared/research/fixtures/core/dhis-tracker/tracker/base_metadata.json',
);
export const hasTrackerFixture = existsSync(TRACKER_FIXTURE);

/** Ids from base_metadata.json: a Person program with registration and its parts. */
export const T = {
  person: 'ja8NY4PW7Xm',
  program: 'BFcipDERJnf',
  stage: 'NpsdDv6kKSO',
  otherStage: 'NpsdDv6kKS2',
  eventProgram: 'BFcipDERJne',
  ou: 'h4w96yEMlzO',
  childOu: 'uoNW0E3xXUy',
  firstName: 'dIVt4l5vIOa',
  weight: 'V66aa7a2122',
  text1: 'DATAEL00001',
  integer: 'DATAEL00006',
  number: 'GieVkTxp4HH',
  coc: 'HllvX50cXC0',
} as const;

/** Imports the fixture whole (its notification template needs its user groups, and so on). */
export async function importTrackerMetadata(server: TestServer): Promise<void> {
  const r = await fetchJson<{ response: { stats: Json } }>(server, '/api/metadata', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: readFileSync(TRACKER_FIXTURE, 'utf8'),
  });
  assert.equal(r.status, 200, r.text.slice(0, 2000));
  assert.equal(r.body.response.stats.ignored, 0, r.text.slice(0, 2000));
}

const at = (day: number, time = '00:00:00.000') =>
  `2024-03-${String(day).padStart(2, '0')}T${time}`;
const userInfo = { uid: 'M5zQapPyTZI', username: 'admin', firstName: 'admin', surname: 'admin' };

/** One event of an enrollment, as the 2.41 DTO (`Event`) serialises it. */
export function eventDto(uid: string, enrollment: string, tei: string, extra: Json = {}): Json {
  return {
    event: uid,
    status: 'COMPLETED',
    program: T.program,
    programStage: T.stage,
    enrollment,
    enrollmentStatus: 'ACTIVE',
    orgUnit: T.ou,
    orgUnitName: 'h4w96yEMlzO name',
    trackedEntityInstance: tei,
    relationships: [],
    eventDate: at(2),
    dueDate: at(2),
    storedBy: 'admin',
    dataValues: [
      {
        created: at(2, '10:00:00.000'),
        lastUpdated: at(2, '10:00:00.000'),
        value: 'seen',
        dataElement: T.text1,
        providedElsewhere: false,
        storedBy: 'admin',
      },
      {
        created: at(2, '10:00:00.000'),
        lastUpdated: at(2, '10:00:00.000'),
        value: '12',
        dataElement: T.integer,
        providedElsewhere: false,
        storedBy: 'admin',
      },
    ],
    notes: [
      {
        note: 'NoteUid0001',
        value: 'first visit',
        storedBy: 'admin',
        storedDate: at(2, '10:00:00.000'),
      },
    ],
    followup: false,
    deleted: false,
    created: at(2, '10:00:00.000'),
    createdByUserInfo: userInfo,
    lastUpdated: at(2, '10:00:00.000'),
    lastUpdatedByUserInfo: userInfo,
    createdAtClient: at(2, '09:59:00.000'),
    lastUpdatedAtClient: at(2, '09:59:00.000'),
    attributeOptionCombo: T.coc,
    attributeCategoryOptions: 'xYerKDKCefk',
    completedBy: 'admin',
    completedDate: at(2),
    programType: 'WITH_REGISTRATION',
    ...extra,
  };
}

/** A tracked entity with one enrollment and its events, as TrackerSynchronization sends it. */
export function teiDto(uid: string, enrollment: string, events: Json[], extra: Json = {}): Json {
  return {
    trackedEntityType: T.person,
    trackedEntityInstance: uid,
    orgUnit: T.ou,
    created: at(1, '08:00:00.000'),
    lastUpdated: at(1, '08:00:00.000'),
    createdAtClient: at(1, '07:59:00.000'),
    lastUpdatedAtClient: at(1, '07:59:00.000'),
    relationships: [],
    attributes: [
      {
        displayName: 'TA First name',
        attribute: T.firstName,
        created: at(1),
        lastUpdated: at(1),
        valueType: 'TEXT',
        value: 'Ann',
        storedBy: 'admin',
      },
      {
        displayName: 'Weight',
        attribute: T.weight,
        created: at(1),
        lastUpdated: at(1),
        valueType: 'NUMBER',
        value: '61.5',
        storedBy: 'admin',
      },
    ],
    enrollments: [
      {
        enrollment,
        created: at(1, '08:00:00.000'),
        lastUpdated: at(1, '08:00:00.000'),
        createdAtClient: at(1, '07:59:00.000'),
        lastUpdatedAtClient: at(1, '07:59:00.000'),
        trackedEntityType: T.person,
        trackedEntityInstance: uid,
        program: T.program,
        status: 'ACTIVE',
        orgUnit: T.ou,
        orgUnitName: 'h4w96yEMlzO name',
        enrollmentDate: at(1),
        incidentDate: at(1),
        events,
        relationships: [],
        attributes: [
          {
            displayName: 'TA First name',
            attribute: T.firstName,
            created: at(1),
            lastUpdated: at(1),
            valueType: 'TEXT',
            value: 'Ann',
            storedBy: 'admin',
          },
        ],
        notes: [],
        followup: false,
        deleted: false,
        storedBy: 'admin',
        createdByUserInfo: userInfo,
        lastUpdatedByUserInfo: userInfo,
      },
    ],
    programOwners: [{ ownerOrgUnit: T.ou, trackedEntityInstance: uid, program: T.program }],
    inactive: false,
    deleted: false,
    potentialDuplicate: false,
    featureType: 'NONE',
    storedBy: 'admin',
    createdByUserInfo: userInfo,
    lastUpdatedByUserInfo: userInfo,
    ...extra,
  };
}

export interface SummaryJson {
  responseType: string;
  status: string;
  description?: string;
  importCount: { imported: number; updated: number; ignored: number; deleted: number };
  conflicts: { object: string; value: string }[];
  reference?: string;
  href?: string;
  enrollments?: SummariesJson;
  events?: SummariesJson;
}
export interface SummariesJson {
  responseType: string;
  status: string;
  imported: number;
  updated: number;
  deleted: number;
  ignored: number;
  total: number;
  importSummaries: SummaryJson[];
}

/** POSTs tracked entities the way a 2.41 local does (strategy SYNC unless `query` says else). */
export async function postTeis(server: TestServer, teis: Json[], query = '?strategy=SYNC') {
  const r = await fetchJson<{ httpStatusCode: number; status: string; response: SummariesJson }>(
    server,
    `/api/trackedEntityInstances${query}`,
    {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ trackedEntityInstances: teis }),
    },
  );
  return { status: r.status, summaries: r.body?.response, text: r.text };
}

/** Drops the fields the server maintains (`created`, `lastUpdated`, `href`), at every level. */
export function withoutServerFields(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutServerFields);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([k]) => k !== 'created' && k !== 'lastUpdated' && k !== 'href')
      .map(([k, v]) => [k, withoutServerFields(v)]),
  );
}
