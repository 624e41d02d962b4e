/**
 * Helpers for the sync tests (issue 6): a central and a local on their own databases, pointing
 * the local at a central (or a proxy / fake DHIS2 central), running a sync over HTTP, comparing
 * what both serve, and a reset so one pair of servers serves several tests of a describe.
 */
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import type { Config } from '../../src/config.ts';
import { createTestDatabase, postgresAvailable, type Backend } from './databases.ts';
import { ADMIN_PASSWORD, startServer, useServer, type TestServer } from './server.ts';
import { resetMetadata } from './reset.ts';
import {
  enableVersioning,
  fetchJson,
  listVersions,
  resetVersions,
  uid,
  type VersionJson,
} from './versions.ts';

export { listVersions };
import type {
  SyncReport,
  SyncStatus,
  SyncVersionReport,
} from '../../src/http/schemas/api-types.ts';
import { before } from 'node:test';

type Json = Record<string, unknown>;

// The wire types the routes' schemas give (issue 17 §5), shared with the web UI.
export type SyncReportJson = SyncReport;
export type SyncVersionJson = SyncVersionReport;
export type SyncStepJson = SyncReport['steps'][number];

/** GET /api/metadata/sync/status. */
export type StatusJson = SyncStatus;

/** A server and how to dispose of it and its database. */
export interface Started {
  server: TestServer;
  dispose(): Promise<void>;
}

export async function start(backend: Backend, overrides: Partial<Config> = {}): Promise<Started> {
  const database = await createTestDatabase(backend);
  const server = await startServer(database, overrides);
  return {
    server,
    async dispose() {
      await server.stop();
      await database.dispose();
    },
  };
}

/**
 * The central's backend for a round whose local runs on `local`: PostgreSQL whenever it is
 * reachable, so that a PGlite round has one PGlite instance alive, not two.
 */
export const centralBackend = async (): Promise<Backend> =>
  (await postgresAvailable()) ? 'postgres' : 'pglite';

/**
 * A central with versioning on and a local on `backend`, for one `describe` block (both started
 * in its `before`, stopped in its `after`); the central's backend is `centralBackend()`'s.
 */
export function useCentralAndLocal(backend: Backend, localOverrides: Partial<Config> = {}) {
  const central = useServer(backend === 'pglite' ? centralBackend() : backend);
  const local = useServer(backend, localOverrides);
  before(() => enableVersioning(central));
  return { central, local };
}

export async function postSettings(server: TestServer, values: Json): Promise<void> {
  const r = await fetchJson(server, '/api/systemSettings', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(values),
  });
  assert.equal(r.status, 200, r.text);
}

/** Points the local at a central (or anything that answers like one). */
export const connect = (
  local: TestServer,
  url: string,
  username = 'admin',
  password = ADMIN_PASSWORD,
) =>
  postSettings(local, {
    keyRemoteInstanceUrl: url,
    keyRemoteInstanceUsername: username,
    keyRemoteInstancePassword: password,
  });

export async function setting(server: TestServer, key: string): Promise<unknown> {
  const r = await fetchJson<Json>(server, `/api/systemSettings/${key}`);
  assert.equal(r.status, 200, r.text);
  return r.body[key];
}

/** POST /api/metadata/sync/run?wait=true: the finished report. */
export async function runSync(local: TestServer): Promise<SyncReportJson> {
  const r = await fetchJson<SyncReportJson>(local, '/api/metadata/sync/run?wait=true', {
    method: 'POST',
  });
  assert.equal(r.status, 200, r.text.slice(0, 2000));
  return r.body;
}

/** A run that must succeed; returns its report. */
export async function syncOk(local: TestServer): Promise<SyncReportJson> {
  const report = await runSync(local);
  assert.equal(report.status, 'SUCCESS', JSON.stringify(report.error ?? report, null, 1));
  return report;
}

export const step = (report: SyncReportJson, name: string): SyncStepJson => {
  const s = report.steps.find((x) => x.name === name);
  assert.ok(s, `no step ${name} in ${JSON.stringify(report.steps)}`);
  return s;
};

/** The status; `refresh` asks the central for its newest version first. */
export async function syncStatus(
  local: TestServer,
  options: { refresh?: boolean } = {},
): Promise<StatusJson> {
  const query = options.refresh ? '?refresh=true' : '';
  const r = await fetchJson<StatusJson>(local, `/api/metadata/sync/status${query}`);
  assert.equal(r.status, 200, r.text);
  return r.body;
}

/** The versions as a central and a local must agree on them: no importdate, by name number. */
export const comparableVersions = (vs: VersionJson[]) =>
  vs
    .map(({ name, id, hashCode, type, created }) => ({ name, id, hashCode, type, created }))
    .sort((a, b) => Number(a.name.split('_')[1]) - Number(b.name.split('_')[1]));

/** The local lists the central's versions (name, id, hashCode, type, created) with importdate. */
export async function assertSameVersions(central: TestServer, local: TestServer): Promise<void> {
  const [theirs, ours] = [await listVersions(central), await listVersions(local)];
  assert.deepEqual(comparableVersions(ours), comparableVersions(theirs));
  for (const v of ours) assert.match(v.importdate ?? '', /^\d{4}-\d{2}-\d{2}T/, v.name);
}

export const SYNCED_TYPES = [
  'dataElements',
  'categoryOptions',
  'categories',
  'categoryCombos',
  'organisationUnits',
  'optionSets',
  'options',
] as const;

/** What a server serves for one type, sorted by id. */
export async function objects(server: TestServer, type: string, fields: string): Promise<Json[]> {
  const r = await fetchJson<Record<string, Json[]>>(
    server,
    `/api/${type}?paging=false&fields=${fields}`,
  );
  assert.equal(r.status, 200, r.text.slice(0, 500));
  return (r.body[type] ?? []).sort((a, b) => String(a.id).localeCompare(String(b.id)));
}

/** The local serves the central's objects of every synced type. */
export async function assertSameObjects(central: TestServer, local: TestServer): Promise<void> {
  for (const type of SYNCED_TYPES) {
    const fields =
      type === 'dataElements'
        ? 'id,name,shortName,code,valueType,aggregationType,categoryCombo[id]'
        : 'id,name,code';
    assert.deepEqual(
      await objects(local, type, fields),
      await objects(central, type, fields),
      `${type} differ`,
    );
  }
}

export async function count(server: TestServer, type: string): Promise<number> {
  return (await objects(server, type, 'id')).length;
}

/** A data element with a name and code unique to this test run. */
export function newDataElement(label: string, extra: Json = {}): Json {
  const id = uid();
  return {
    id,
    name: `${label} ${id}`,
    shortName: `${label} ${id}`.slice(0, 50),
    code: `${label}_${id}`,
    valueType: 'NUMBER',
    aggregationType: 'SUM',
    domainType: 'AGGREGATE',
    ...extra,
  };
}

/** POST /api/metadata; the import report status must be `status`. */
export async function importMetadata(
  server: TestServer,
  body: Json,
  query = '',
  status = 'OK',
): Promise<void> {
  const r = await fetchJson<{ response?: { status?: string } }>(server, `/api/metadata${query}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  assert.equal(r.body.response?.status, status, r.text.slice(0, 2000));
}

/** Creates a version on the central; it must succeed. */
export async function createVersion(
  central: TestServer,
  type: 'ATOMIC' | 'BEST_EFFORT' = 'ATOMIC',
  force = false,
): Promise<VersionJson> {
  const r = await fetchJson<VersionJson>(
    central,
    `/api/metadata/version/create?type=${type}${force ? '&force=true' : ''}`,
    { method: 'POST' },
  );
  assert.equal(r.status, 200, r.text);
  return r.body;
}

/**
 * Empties a server for the next test: metadata back to a new instance's, no versions, no sync
 * reports, lease or audit, and the sync settings cleared (the remote stays unset).
 */
export async function resetServer(server: TestServer): Promise<void> {
  await resetMetadata(server);
  await resetVersions(server);
  const { db } = server.instance.database;
  await sql`delete from sync_report`.execute(db);
  await sql`delete from sync_audit`.execute(db);
  await sql`update sync_lease set report_id = null, holder = null, expires_at = null`.execute(db);
  for (const key of [
    'keyRemoteInstanceUrl',
    'keyRemoteInstanceUsername',
    'keyRemoteInstancePassword',
    'keyStopMetadataSync',
    'keyRemoteMetadataVersion',
    'keyMetadataFailedVersion',
    'keyMetadataLastFailedTime',
    'keyLastMetaDataSyncSuccess',
  ]) {
    const r = await fetchJson(server, `/api/systemSettings/${key}`, { method: 'DELETE' });
    assert.equal(r.status, 200, r.text);
  }
  server.instance.services.settings.invalidate();
}
