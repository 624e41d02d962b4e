/**
 * A CentralClient (src/domain/sync/central-client.ts) in memory, for unit tests of the sync run:
 * a central's versions with snapshots in the byte format a metasync central serves
 * (src/store/snapshot-query.ts: `system` first, then each type in import order with its objects
 * by id, then `deletedObjects`), hashCode the MD5 of those bytes, each version chained to the one
 * before by `parentHashCode` (a DHIS2 central sends none: `dhis2: true`). Calls fail on demand
 * with the RemoteError the HTTP client would throw for that answer (same kinds and messages).
 */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { redirected } from '../../../src/central/http-central-client.ts';
import { METADATA_TYPES } from '../../../src/domain/metadata/types.ts';
import {
  RemoteError,
  type CentralClient,
  type CentralInfo,
  type RemoteVersion,
  type Snapshot,
} from '../../../src/domain/sync/central-client.ts';
import { versionName } from '../../../src/domain/versioning/version.ts';

type Json = Record<string, unknown>;
export type CentralCall = 'ping' | 'systemInfo' | 'history' | 'version' | 'snapshot';

export const CENTRAL_URL = 'http://central.test';

/** The errors the HTTP client throws for each kind of answer, worded as it words them. */
export const remote = {
  notConfigured: () => new RemoteError('NOT_CONFIGURED', 'Remote server is not configured'),
  unreachable: (cause = 'connect ECONNREFUSED 127.0.0.1:9') =>
    new RemoteError('UNREACHABLE', `Network is unreachable: ${CENTRAL_URL} (${cause})`),
  auth: () => new RemoteError('AUTH', 'Authentication failed', 401),
  redirect: (location: string, path = '/api/system/ping', status = 302) =>
    redirected(new Response(null, { status, headers: { location } }), `${CENTRAL_URL}${path}`),
  notFound: (path: string) =>
    new RemoteError('NOT_FOUND', `Not found: ${path} ({"httpStatusCode":404})`, 404),
  http: (status: number, body = 'Database is down') =>
    new RemoteError(
      'HTTP',
      `${status >= 500 ? 'Server Error' : 'Client Error'}. Http call failed with status code: ${status} Caused by: ${body}`,
      status,
    ),
  parse: (message: string) =>
    new RemoteError(
      'PARSE',
      `Exception occurred while trying to do JSON conversion. Caused by: ${message}`,
    ),
};

export interface SnapshotInput {
  /** The snapshot's `system` (no `system` key when null: DHIS2's oldest snapshots). */
  system?: { id: string; rev: string; version: string; date: string } | null;
  objects?: Record<string, Json[]>;
  deletions?: { type: string; uid: string; code?: string | null }[];
}

/** A snapshot's bytes as a metasync central writes them. */
export function snapshotBytes(input: SnapshotInput): Buffer {
  const system = input.system === undefined ? centralSystem('2.41.0') : input.system;
  const parts: string[] = [];
  if (system) parts.push(`"system":${JSON.stringify(system)}`);
  for (const type of METADATA_TYPES) {
    const list = input.objects?.[type.key];
    if (!list?.length) continue;
    const byId = [...list].sort((a, b) => String(a.id).localeCompare(String(b.id)));
    parts.push(`${JSON.stringify(type.key)}:${JSON.stringify(byId)}`);
  }
  if (input.deletions?.length)
    parts.push(
      `"deletedObjects":${JSON.stringify(
        input.deletions.map((d) => ({
          type: d.type,
          klass: METADATA_TYPES.find((t) => t.key === d.type)?.klass ?? d.type,
          uid: d.uid,
          code: d.code ?? null,
          deletedAt: '2026-01-01T00:00:00.000Z',
          deletedBy: 'M5zQapPyTZI',
        })),
      )}`,
    );
  return Buffer.from(`{${parts.join(',')}}`);
}

export const centralSystem = (version: string) => ({
  id: 'central-system',
  rev: 'a1b2c3d',
  version,
  date: '2026-01-01T00:00:00.000+0000',
});

export const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');

interface Served {
  entity: RemoteVersion;
  bytes: Buffer;
  gzip: boolean;
}

type Failure = RemoteError | Error;

export interface FakeCentral extends CentralClient {
  readonly calls: string[];
  info: CentralInfo;
  /**
   * Publishes the next version (`Version_<n+1>`) with this snapshot; `type` null lists it
   * without a type (a DHIS2 central may), which the HTTP client reads as ATOMIC.
   */
  publish(
    snapshot: SnapshotInput | Buffer,
    options?: { type?: 'ATOMIC' | 'BEST_EFFORT' | null; gzip?: boolean },
  ): RemoteVersion;
  /** Replaces what a listed version says about itself (a tampered or odd central). */
  alter(name: string, change: Partial<RemoteVersion>): void;
  /** Serves other bytes for a version than the ones its hashCode was made of. */
  tamper(name: string, bytes: Buffer): void;
  /** Forgets a version (a reset central). */
  remove(name: string): void;
  /** The next `times` calls of `call` throw `error` (Infinity: every call). */
  fail(call: CentralCall, error: Failure, times?: number): void;
  count(call: CentralCall): number;
}

export function createFakeCentral(
  options: { release?: string; metasync?: boolean; dhis2?: boolean } = {},
): FakeCentral {
  const served: Served[] = [];
  const calls: string[] = [];
  const failures = new Map<CentralCall, { error: Failure; left: number }[]>();
  let created = Date.UTC(2026, 0, 1);

  const enter = (call: CentralCall, arg?: string) => {
    calls.push(arg === undefined ? call : `${call} ${arg}`);
    const queue = failures.get(call) ?? [];
    const next = queue[0];
    if (!next) return;
    if (--next.left <= 0) queue.shift();
    throw next.error;
  };
  const copy = (v: RemoteVersion): RemoteVersion => ({ ...v, created: new Date(v.created) });

  const fake: FakeCentral = {
    calls,
    info: {
      version: options.release ?? '2.41.0',
      revision: 'a1b2c3d',
      metasync: options.metasync ?? !options.dhis2,
    },
    async ping() {
      enter('ping');
    },
    async systemInfo() {
      enter('systemInfo');
      return { ...fake.info };
    },
    async history(baseline) {
      enter('history', baseline ?? undefined);
      const from = baseline ? served.findIndex((s) => s.entity.name === baseline) : -1;
      if (baseline && from < 0)
        throw remote.notFound(`/api/metadata/version/history?baseline=${baseline}`);
      // Newest first, as DHIS2 lists them; the run sorts them itself.
      return served
        .slice(from + 1)
        .map((s) => copy(s.entity))
        .reverse();
    },
    async version(name) {
      enter('version', name);
      const s = served.find((x) => x.entity.name === name);
      return s ? copy(s.entity) : null;
    },
    async snapshot(name): Promise<Snapshot> {
      enter('snapshot', name);
      const s = served.find((x) => x.entity.name === name);
      if (!s) throw remote.notFound(`/api/metadata/version/${name}/data`);
      const bytes = Buffer.from(s.bytes);
      return { bytes, gzip: s.gzip ? gzipSync(bytes) : null };
    },
    publish(snapshot, { type = 'ATOMIC', gzip = true } = {}) {
      const bytes = Buffer.isBuffer(snapshot) ? snapshot : snapshotBytes(snapshot);
      const previous = served[served.length - 1]?.entity;
      const n = served.length === 0 ? 1 : Number(previous!.name.split('_')[1]) + 1;
      const entity: RemoteVersion = {
        name: versionName(n),
        type: type ?? 'ATOMIC',
        id: `verC${String(n).padStart(7, '0')}`,
        hashCode: md5(bytes),
        created: new Date((created += 60_000)),
        parentHashCode: options.dhis2 ? null : (previous?.hashCode ?? null),
      };
      served.push({ entity, bytes, gzip });
      return copy(entity);
    },
    alter(name, change) {
      const s = served.find((x) => x.entity.name === name);
      if (!s) throw new Error(`no ${name} on the fake central`);
      s.entity = { ...s.entity, ...change };
    },
    tamper(name, bytes) {
      const s = served.find((x) => x.entity.name === name);
      if (!s) throw new Error(`no ${name} on the fake central`);
      s.bytes = bytes;
    },
    remove(name) {
      const at = served.findIndex((x) => x.entity.name === name);
      if (at >= 0) served.splice(at, 1);
    },
    fail(call, error, times = 1) {
      failures.set(call, [...(failures.get(call) ?? []), { error, left: times }]);
    },
    count(call) {
      return calls.filter((c) => c === call || c.startsWith(`${call} `)).length;
    },
  };
  return fake;
}
