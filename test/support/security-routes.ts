/**
 * The security suite's view of the route table (issue 10 §4): every route the running app has
 * registered, read from Fastify's own router (`printRoutes`), and the access each one is declared
 * to need. The declaration is written out here on purpose, not derived from the route code: a new
 * route without an entry fails the authorization test, and so does an entry whose route is gone.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { METADATA_TYPES } from '../../src/domain/metadata/types.ts';
import { WEB_ROOT } from '../../src/http/routes/web.ts';
import type { TestServer } from './server.ts';

/**
 * `public`: answers without credentials. `session`: needs the UI's session cookie (Basic is not
 * enough). `authenticated`: any user. `anyOf`: a user holding one of these (or ALL).
 */
export type Access = 'public' | 'session' | 'authenticated' | { anyOf: readonly string[] };

const any = (...anyOf: string[]): Access => ({ anyOf });
const MANAGE = any('F_METADATA_MANAGE');
const SETTING = any('F_SYSTEM_SETTING');
const SCHEDULING = any('F_SCHEDULING_ADMIN');
const DATA_ADD = any('F_DATAVALUE_ADD');

/** Every route but the per-type metadata ones, keyed `METHOD url` (HEAD mirrors GET). */
const DECLARED: Record<string, Access> = {
  'GET /': 'public',
  'GET /api/health': 'public',
  'GET /api/health/live': 'public',
  'GET /api/health/ready': 'public',
  'POST /api/metasync/session': 'public',
  'GET /api/metasync/session': 'session',
  'DELETE /api/metasync/session': 'public',
  // Metrics name versions, routes and volumes: scrapers use Basic (docs/operations.md).
  'GET /metrics': 'authenticated',
  'GET /api/system/ping': 'authenticated',
  'GET /api/system/info': 'authenticated',
  'GET /api/me': 'authenticated',
  'GET /api/openapi.json': 'authenticated',
  'POST /api/email/test': 'authenticated',
  'GET /api/systemSettings': 'authenticated',
  'POST /api/systemSettings': SETTING,
  'GET /api/systemSettings/:key': 'authenticated',
  'POST /api/systemSettings/:key': SETTING,
  'DELETE /api/systemSettings/:key': SETTING,
  'GET /api/metasync/secretSettings': SETTING,
  'POST /api/metadata': any('F_METADATA_IMPORT'),
  'GET /api/metadata': any('F_METADATA_EXPORT'),
  'GET /api/metadata/version': 'authenticated',
  'GET /api/metadata/version/history': 'authenticated',
  'GET /api/metadata/versions': 'authenticated',
  'POST /api/metadata/version/create': MANAGE,
  'GET /api/metadata/version/:versionName/data': MANAGE,
  'GET /api/metadata/version/:versionName/data.gz': MANAGE,
  'GET /api/metadata/version/preview': MANAGE,
  'GET /api/metadata/version/fleet': MANAGE,
  // A relay's sync user reports its downstream with what its history calls need (issue 21 §4).
  'POST /api/metasync/fleet/downstream': 'authenticated',
  // Staged rollout (issue 22): the admin's side needs F_METADATA_MANAGE; a local reports its
  // own outcome and asks why its version is gone as it reads the history: any user.
  'GET /api/metasync/rollout': MANAGE,
  'PUT /api/metasync/rollout': MANAGE,
  'GET /api/metasync/rollout/versions': MANAGE,
  'GET /api/metasync/rollout/withdrawn/:hashCode': 'authenticated',
  'POST /api/metadata/version/:versionName/release': MANAGE,
  'POST /api/metadata/version/:versionName/hold': MANAGE,
  'POST /api/metadata/version/:versionName/withdraw': MANAGE,
  'POST /api/metasync/fleet/outcome': 'authenticated',
  // Drift (issue 23): the check and the audited repair, as the rebaseline.
  'GET /api/metasync/drift': MANAGE,
  'POST /api/metasync/drift/repair': MANAGE,
  'GET /api/metasync/bundles': any('F_METADATA_EXPORT', 'F_METADATA_MANAGE'),
  'POST /api/metasync/bundles': MANAGE,
  'GET /api/metadata/sync': MANAGE,
  'POST /api/metadata/sync/run': MANAGE,
  'GET /api/metadata/sync/reports': MANAGE,
  'GET /api/metadata/sync/reports/:id': MANAGE,
  'GET /api/metadata/sync/status': MANAGE,
  'POST /api/metadata/sync/rebaseline': MANAGE,
  'GET /api/metadata/sync/audit': MANAGE,
  // Issue 20 §1: public keys for any user; the pin changes only with F_METADATA_MANAGE.
  'GET /api/metasync/signing-key': 'authenticated',
  'GET /api/metasync/signing-key/pinned': 'authenticated',
  'PUT /api/metasync/signing-key/pinned': MANAGE,
  'DELETE /api/metasync/signing-key/pinned': MANAGE,
  // Issue 20 §5: the locals' keys a central pins, on the same terms; a local's data bundle is
  // exported with what its data push needs (MANAGE: the sync), imported with the push's own.
  'GET /api/metasync/signing-key/locals': 'authenticated',
  'PUT /api/metasync/signing-key/locals/:systemId': MANAGE,
  'DELETE /api/metasync/signing-key/locals/:systemId': MANAGE,
  'GET /api/metasync/data-bundles': MANAGE,
  'POST /api/metasync/data-bundles': DATA_ADD,
  'GET /api/jobConfigurations': SCHEDULING,
  'POST /api/jobConfigurations': SCHEDULING,
  'GET /api/jobConfigurations/:id': SCHEDULING,
  'PUT /api/jobConfigurations/:id': SCHEDULING,
  'DELETE /api/jobConfigurations/:id': SCHEDULING,
  'POST /api/jobConfigurations/:id/execute': SCHEDULING,
  'GET /api/jobConfigurations/:id/executions': SCHEDULING,
  'POST /api/dataValueSets': DATA_ADD,
  'GET /api/dataValueSets': 'authenticated',
  'POST /api/dataValues': DATA_ADD,
  'GET /api/dataValues': 'authenticated',
  'DELETE /api/dataValues': any('F_DATAVALUE_DELETE'),
  // DHIS2 puts no authority on these pushes (issue 16 §5, src/domain/auth/data-write.ts).
  'POST /api/completeDataSetRegistrations': 'authenticated',
  'GET /api/completeDataSetRegistrations': 'authenticated',
  'POST /api/events': 'authenticated',
  'GET /api/events': 'authenticated',
  'POST /api/trackedEntityInstances': 'authenticated',
  'GET /api/trackedEntityInstances': 'authenticated',
  'GET /api/trackedEntityInstances/:id': 'authenticated',
};

/**
 * The per-type metadata routes (issue 4 §3), one set per registry type: reads for any user,
 * writes for DHIS2's type authorities (`F_DATA_ELEMENT_ADD`-style names come from the registry's
 * `authorityName`) or F_METADATA_MANAGE; opaque types (issue 16 §8) only have the reads.
 */
function perTypeRoutes(): Record<string, Access> {
  const out: Record<string, Access> = {};
  for (const t of METADATA_TYPES) {
    const base = `F_${t.authorityName}`;
    const add = any(
      `${base}_ADD`,
      `${base}_PUBLIC_ADD`,
      `${base}_PRIVATE_ADD`,
      'F_METADATA_MANAGE',
    );
    out[`GET /api/${t.key}`] = 'authenticated';
    out[`GET /api/${t.key}/:id`] = 'authenticated';
    if (t.opaque) continue; // written only through POST /api/metadata (issue 16 §8)
    out[`POST /api/${t.key}`] = add;
    out[`PUT /api/${t.key}/:id`] = add;
    out[`DELETE /api/${t.key}/:id`] = any(`${base}_DELETE`, 'F_METADATA_MANAGE');
  }
  return out;
}

/** The web UI's built files, served publicly by @fastify/static (absent without a build). */
function staticRoutes(): Record<string, Access> {
  const out: Record<string, Access> = {};
  const walk = (dir: string) => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return; // no build: no static routes
    }
    for (const e of entries) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) walk(full);
      else out[`GET /${path.relative(WEB_ROOT, full).split(path.sep).join('/')}`] = 'public';
    }
  };
  walk(WEB_ROOT);
  return out;
}

/** The declared table: `METHOD url` → access, HEAD entries mirroring every GET. */
export function declaredRoutes(): Map<string, Access> {
  const all = { ...DECLARED, ...perTypeRoutes(), ...staticRoutes() };
  const out = new Map<string, Access>();
  for (const [key, access] of Object.entries(all)) {
    out.set(key, access);
    if (key.startsWith('GET ')) out.set(`HEAD ${key.slice(4)}`, access);
  }
  return out;
}

/**
 * Every `METHOD url` the router holds, parsed from `printRoutes({ commonPrefix: false })`: a
 * radix tree drawn four columns per level, each node's label continuing its parent's path.
 */
export function registeredRoutes(app: FastifyInstance): Set<string> {
  const out = new Set<string>();
  const prefixes: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const m = /^(.*?)(?:├── |└── )(.*?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!m) continue;
    const depth = [...m[1]!].length / 4;
    const url = (depth > 0 ? prefixes[depth - 1]! : '') + m[2]!;
    prefixes[depth] = url;
    prefixes.length = depth + 1;
    for (const method of m[3]?.split(', ') ?? []) out.add(`${method} ${url}`);
  }
  return out;
}

/** Harmless values for path parameters: names of nothing that exists. */
const PATH_VALUES: Record<string, string> = {
  id: 'noSuchId000',
  key: 'noSuchSettingKey',
  versionName: 'Version_999999',
  systemId: 'noSuchLocal0',
  hashCode: '0'.repeat(32),
};

export const fillPath = (url: string, values: Record<string, string> = PATH_VALUES): string =>
  url.replace(/:(\w+)/g, (_, name: string) => {
    const v = values[name];
    if (v === undefined) throw new Error(`No value for path parameter :${name} in ${url}`);
    return v;
  });

/**
 * A request that passes authentication and authorization but changes nothing: a body or query
 * that fails validation (authorities are checked before validation, as in DHIS2), or a name of
 * nothing. So even the admin's pass leaves the database as it was.
 */
export function harmlessRequest(method: string, url: string): { path: string; init: RequestInit } {
  const query: Record<string, string> = {
    // Without ?wait it would start a real run; an invalid value stops at validation.
    'POST /api/metadata/sync/run': '?wait=maybe',
    'GET /api/metadata/sync': '', // no versionName: 400
    // Without it a real export: an invalid value stops at validation.
    'GET /api/metasync/data-bundles': '?all=maybe',
    'HEAD /api/metasync/data-bundles': '?all=maybe',
  };
  const path = fillPath(url) + (query[`${method} ${url}`] ?? '');
  if (method === 'POST' || method === 'PUT')
    return {
      path,
      // An array where every JSON route wants an object; the settings value route refuses it
      // for the unknown key.
      init: { method, headers: { 'content-type': 'application/json' }, body: '[]' },
    };
  return { path, init: { method } };
}

/**
 * A fingerprint of every table: row count and an md5 over the rows' text. Equal fingerprints mean
 * nothing was written (the in-memory caches and sessions are not in it).
 */
export async function databaseFingerprint(server: TestServer): Promise<Record<string, string>> {
  const { db } = server.instance.database;
  const tables = await sql<{ name: string }>`
    select table_name as name from information_schema.tables
    where table_schema = current_schema() and table_type = 'BASE TABLE' order by 1`.execute(db);
  const out: Record<string, string> = {};
  for (const { name } of tables.rows) {
    const r = await sql<{ n: number; h: string }>`
      select count(*)::int as n, md5(coalesce(string_agg(t::text, '|' order by t::text), '')) as h
      from ${sql.table(name)} t`.execute(db);
    out[name] = `${r.rows[0]!.n}:${r.rows[0]!.h}`;
  }
  return out;
}
