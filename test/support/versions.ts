/**
 * Helpers for the metadata versioning tests (issue 5): switching versioning on, creating and
 * downloading versions over HTTP, data elements to change, and a reset of the version tables so
 * one server per backend can serve tests that each start with no versions.
 */
import assert from 'node:assert/strict';
import { createHash, randomInt } from 'node:crypto';
import { sql } from 'kysely';
import { generateUid } from '../../src/domain/uid.ts';
import type { TestServer } from './server.ts';
import type { MetadataVersion, MetadataVersionListItem } from '../../src/http/schemas/api-types.ts';

type Auth = [string, string] | null | undefined;
type Json = Record<string, unknown>;

/** DHIS2's entity/list date format `yyyy-MM-dd'T'HH:mm:ss.SSS` (contract §6.1). */
export const DHIS2_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}$/;
/** The snapshot's `system.date`: `yyyy-MM-dd'T'HH:mm:ss.SSSZ` (contract §5). */
export const DHIS2_DATE_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}[+-]\d{4}$/;
export const UID = /^[a-zA-Z][a-zA-Z0-9]{10}$/;

export const md5 = (b: Buffer | string) => createHash('md5').update(b).digest('hex');
export const uid = (): string => generateUid((n) => randomInt(n));

/** A version as a list item, or as the entity (with `lastUpdated`, `displayName`). */
export type VersionJson = MetadataVersionListItem &
  Partial<Pick<MetadataVersion, 'lastUpdated' | 'displayName'>>;

export async function setSetting(server: TestServer, key: string, value: boolean | string) {
  const res = await server.request(
    `/api/systemSettings/${key}?value=${encodeURIComponent(String(value))}`,
    { method: 'POST' },
  );
  assert.equal(res.status, 200, await res.text());
}

export const enableVersioning = (server: TestServer, on = true) =>
  setSetting(server, 'keyVersionEnabled', on);

/**
 * Removes every version, snapshot and fleet entry (not the metadata), and switches versioning on:
 * the next create is Version_1 again, a full export. For DHIS2's tests, which start with none.
 */
export async function resetVersions(server: TestServer): Promise<void> {
  const { db } = server.instance.database;
  await db.transaction().execute(async (trx) => {
    for (const t of [
      'snapshot_chunk',
      'metadata_version',
      'fleet_local',
      'rollout_config',
      'rollout_outcome',
      'withdrawn_version',
    ])
      await sql`delete from ${sql.table(t)}`.execute(trx);
  });
  await setSetting(server, 'keyVersionIncludeDeletions', false);
  await setSetting(server, 'keyVersionIncludeBootstrapAdmin', false);
  await enableVersioning(server);
}

export async function fetchJson<T = Json>(
  server: TestServer,
  path: string,
  init: RequestInit & { auth?: Auth } = {},
): Promise<{ status: number; body: T; text: string; headers: Headers }> {
  const res = await server.request(path, init);
  const text = await res.text();
  return {
    status: res.status,
    body: (text ? JSON.parse(text) : null) as T,
    text,
    headers: res.headers,
  };
}

export function createVersionRequest(
  server: TestServer,
  type = 'BEST_EFFORT',
  opts: { force?: boolean; auth?: Auth } = {},
) {
  return fetchJson<VersionJson & Json>(
    server,
    `/api/metadata/version/create?type=${type}${opts.force ? '&force=true' : ''}`,
    { method: 'POST', auth: opts.auth },
  );
}

/** Creates a version; it must succeed. */
export async function createVersion(
  server: TestServer,
  type = 'BEST_EFFORT',
  opts: { force?: boolean; auth?: Auth } = {},
): Promise<VersionJson> {
  const r = await createVersionRequest(server, type, opts);
  assert.equal(r.status, 200, r.text);
  return r.body;
}

export async function listVersions(server: TestServer): Promise<VersionJson[]> {
  const r = await fetchJson<{ metadataversions: VersionJson[] }>(server, '/api/metadata/versions');
  assert.equal(r.status, 200, r.text);
  return r.body.metadataversions;
}

/** The raw bytes of `/data` (json) or `/data.gz` (gz). */
export async function snapshotBytes(
  server: TestServer,
  name: string,
  kind: 'json' | 'gz' = 'json',
): Promise<Buffer> {
  const res = await server.request(
    `/api/metadata/version/${name}/${kind === 'json' ? 'data' : 'data.gz'}`,
  );
  const body = Buffer.from(await res.arrayBuffer());
  assert.equal(res.status, 200, body.toString('utf8', 0, 500));
  return body;
}

export interface Snapshot {
  system: { id: string; rev: string; version: string; date: string };
  deletedObjects?: {
    type: string;
    klass: string;
    uid: string;
    code: string | null;
    deletedAt: string;
    deletedBy: string | null;
  }[];
  [plural: string]: unknown;
}

export const snapshot = async (server: TestServer, name: string): Promise<Snapshot> =>
  JSON.parse((await snapshotBytes(server, name)).toString('utf8')) as Snapshot;

/** The ids of the objects of one type in a snapshot (empty when the type is absent). */
export const idsOf = (s: Snapshot, plural: string): string[] =>
  ((s[plural] as Json[] | undefined) ?? []).map((o) => o.id as string);

/** The metadata arrays of a snapshot: every key except `system` and `deletedObjects`. */
export const typeKeys = (s: Snapshot): string[] =>
  Object.keys(s).filter((k) => k !== 'system' && k !== 'deletedObjects');

export const dataElement = (id: string, name: string, extra: Json = {}): Json => ({
  id,
  name,
  shortName: name.slice(0, 50),
  valueType: 'NUMBER',
  aggregationType: 'SUM',
  domainType: 'AGGREGATE',
  ...extra,
});

/** POST /api/dataElements; must answer 201. */
export async function postDataElement(server: TestServer, de: Json): Promise<void> {
  const r = await fetchJson(server, '/api/dataElements', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(de),
  });
  assert.equal(r.status, 201, r.text);
}

/** PUT /api/dataElements/{id}; must answer 200. */
export async function putDataElement(server: TestServer, de: Json): Promise<void> {
  const r = await fetchJson(server, `/api/dataElements/${de.id as string}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(de),
  });
  assert.equal(r.status, 200, r.text);
}

export async function deleteDataElement(server: TestServer, id: string): Promise<void> {
  const r = await fetchJson(server, `/api/dataElements/${id}`, { method: 'DELETE' });
  assert.equal(r.status, 200, r.text);
}

/** POST /api/metadata with `{dataElements}`; must import with status OK. */
export async function importDataElements(server: TestServer, dataElements: Json[]): Promise<void> {
  const r = await fetchJson<{ response?: { status?: string } }>(server, '/api/metadata', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ dataElements }),
  });
  assert.equal(r.status, 200, r.text.slice(0, 2000));
  assert.equal(r.body.response?.status, 'OK', r.text.slice(0, 2000));
}

/** The core fields DHIS2's web test checks on a version, entity or list item (contract §15.1). */
export function assertVersionFields(v: VersionJson, name: string, type = 'ATOMIC'): void {
  assert.equal(v.name, name);
  assert.match(v.id, UID);
  assert.match(v.created, DHIS2_DATE);
  assert.equal(v.type, type);
  assert.match(v.hashCode, /^[0-9a-f]{32}$/);
}

/** GET a path that must answer 200 JSON. */
export async function okJson<T = Json>(server: TestServer, path: string): Promise<T> {
  const r = await fetchJson<T>(server, path);
  assert.equal(r.status, 200, `${path}: ${r.text.slice(0, 500)}`);
  return r.body;
}

/** Creates `n` versions of `type` from an empty version table: Version_1, then forced ones. */
export async function createVersions(
  server: TestServer,
  n: number,
  type = 'ATOMIC',
): Promise<VersionJson[]> {
  const out: VersionJson[] = [];
  for (let i = 0; i < n; i++) out.push(await createVersion(server, type, { force: i > 0 }));
  return out;
}

/** The names `history` answers for a query string such as `?baseline=Version_1`. */
export const historyNames = async (server: TestServer, query = ''): Promise<string[]> =>
  (
    await okJson<{ metadataversions: VersionJson[] }>(
      server,
      `/api/metadata/version/history${query}`,
    )
  ).metadataversions.map((v) => v.name);
