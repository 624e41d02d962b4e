/**
 * The release tests' world (issue 16 §12): the central's metadata (the data tests' aggregate and
 * event model plus a tracker program), two versions on the central, and a DHIS2 local's queued
 * data — values, a registration, and (≤2.41) anonymous events and tracked entities — with ids
 * that differ per release so the releases' data do not meet on one central.
 */
import assert from 'node:assert/strict';
import { DATA_METADATA, IDS, importDataMetadata } from '../data.ts';
import { ADMIN_PASSWORD, type TestServer } from '../server.ts';
import { createVersion, importMetadata, newDataElement } from '../sync.ts';
import { fetchJson, listVersions, resetVersions, type VersionJson } from '../versions.ts';
import { legacyEvent, legacyTrackedEntity } from './dtos.ts';
import { Dhis2Local } from './index.ts';
import { at, dataValue, registration } from './rows.ts';
import type { Release } from './releases.ts';

export { dataValue, registration };

type Json = Record<string, unknown>;

export const TRACKER = {
  teType: 'RelTeType01',
  attribute: 'RelTeAttr01',
  program: 'RelProgTr01',
  stage: 'RelStageT01',
} as const;

const TRACKER_METADATA: Json = {
  trackedEntityAttributes: [
    {
      id: TRACKER.attribute,
      name: 'Release first name',
      shortName: 'Release first name',
      valueType: 'TEXT',
      aggregationType: 'NONE',
    },
  ],
  trackedEntityTypes: [
    {
      id: TRACKER.teType,
      name: 'Release person',
      trackedEntityTypeAttributes: [{ trackedEntityAttribute: { id: TRACKER.attribute } }],
    },
  ],
  programs: [
    ...(DATA_METADATA.programs as Json[]),
    {
      id: TRACKER.program,
      name: 'Release tracker program',
      shortName: 'Release tracker program',
      programType: 'WITH_REGISTRATION',
      trackedEntityType: { id: TRACKER.teType },
      programStages: [{ id: TRACKER.stage }],
      programTrackedEntityAttributes: [{ trackedEntityAttribute: { id: TRACKER.attribute } }],
      organisationUnits: [{ id: IDS.ouRoot }],
    },
  ],
  programStages: [
    ...(DATA_METADATA.programStages as Json[]),
    {
      id: TRACKER.stage,
      name: 'Release tracker stage',
      program: { id: TRACKER.program },
      programStageDataElements: [{ dataElement: { id: IDS.deText } }],
    },
  ],
};

/** The central's metadata: the data model, then the tracker program (both idempotent). */
export async function prepareCentral(central: TestServer): Promise<void> {
  await importDataMetadata(central);
  await importMetadata(central, TRACKER_METADATA, '?atomicMode=NONE');
}

/** Version_1 (ATOMIC, everything) and Version_2 (BEST_EFFORT, one new data element). */
export async function twoVersions(central: TestServer): Promise<VersionJson[]> {
  await resetVersions(central);
  await createVersion(central, 'ATOMIC');
  await importMetadata(central, { dataElements: [newDataElement('Release')] });
  await createVersion(central, 'BEST_EFFORT');
  return listVersions(central);
}

export const localFor = (
  central: TestServer,
  rel: Release,
  password = ADMIN_PASSWORD,
  username = 'admin',
) => new Dhis2Local({ release: rel, remote: { url: central.url, username, password } });

/** A stable uid per release and role, e.g. `uidFor(rel, 'E', 1)`. */
export const uidFor = (rel: Release, role: string, n: number) =>
  `R${rel.line.replace('.', '')}${role}${String(n).padStart(6, '0')}`;

/** The periods a release's values use: one year per release line, so they never collide. */
export const yearOf = (rel: Release) =>
  ({ '2.39': 2019, '2.41': 2021, '2.42': 2022, '2.43': 2023 })[rel.line];

/** Queues what the release's local has changed: values, a registration, events, a tracked entity. */
export function queueData(local: Dhis2Local): void {
  const rel = local.rel;
  const y = yearOf(rel);
  local.queues.dataValues.push(
    dataValue(`${y}01`, '11'),
    dataValue(`${y}02`, '12', { comment: 'second' }),
    dataValue(`${y}03`, '13', { storedBy: null }),
  );
  local.queues.registrations.push(registration(`${y}01`));
  if (!rel.trackerPush) return;
  for (const n of [1, 2])
    local.queues.events.push(
      legacyEvent({
        event: uidFor(rel, 'E', n),
        program: IDS.program,
        programStage: IDS.stage,
        orgUnit: IDS.ouRoot,
        eventDate: new Date(Date.UTC(y, n - 1, 10)),
        dataValues: [{ dataElement: IDS.deText, value: `event ${n}` }],
      }),
    );
  local.queues.trackedEntities.push(
    legacyTrackedEntity({
      trackedEntityInstance: uidFor(rel, 'T', 1),
      trackedEntityType: TRACKER.teType,
      orgUnit: IDS.ouRoot,
      attributes: [{ attribute: TRACKER.attribute, value: `Person ${rel.line}` }],
      enrollments: [
        {
          enrollment: uidFor(rel, 'N', 1),
          program: TRACKER.program,
          enrollmentDate: new Date(Date.UTC(y, 0, 2)),
          events: [
            {
              event: uidFor(rel, 'V', 1),
              programStage: TRACKER.stage,
              eventDate: new Date(Date.UTC(y, 0, 3)),
              dataValues: [{ dataElement: IDS.deText, value: 'tracked' }],
            },
          ],
        },
      ],
      at,
    }),
  );
}

/** GET a central path that must answer 200 JSON. */
export async function centralJson<T = Json>(central: TestServer, path: string): Promise<T> {
  const r = await fetchJson<T>(central, path);
  assert.equal(r.status, 200, `${path}: ${r.text.slice(0, 500)}`);
  return r.body;
}

/** Sync users on the central: `relnone` holds no authority, `relsync` only F_METADATA_MANAGE. */
export const SYNC_USERS = {
  none: { username: 'relnone', password: 'Rel-None-123!' },
  manage: { username: 'relsync', password: 'Rel-Sync-123!' },
} as const;

export async function createSyncUsers(central: TestServer): Promise<void> {
  const users = [
    { ...SYNC_USERS.none, role: 'RelRoleNon1', authorities: [] as string[] },
    { ...SYNC_USERS.manage, role: 'RelRoleMan1', authorities: ['F_METADATA_MANAGE'] },
  ];
  await importMetadata(central, {
    userRoles: users.map((u) => ({
      id: u.role,
      name: `Release ${u.username}`,
      authorities: u.authorities,
    })),
    users: users.map((u, i) => ({
      id: `RelUser000${i + 1}`,
      username: u.username,
      password: u.password,
      firstName: u.username,
      surname: 'Release',
      userRoles: [{ id: u.role }],
    })),
  });
}
