/**
 * What the field-link fault tests (issue 19 §7) share: a central whose versions have snapshots
 * of a chosen size, the partial downloads a local keeps, and the proxy's view of one version's
 * `data.gz` requests.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { FaultProxy, Hit } from '../support/fault-proxy.ts';
import type { TestServer } from '../support/server.ts';
import type { SyncReportJson } from '../support/sync.ts';
import type { Central } from './harness.ts';

/**
 * Stored gzip bytes per data element with a 3,000-character random description (measured: about
 * 2,290; base64 of random bytes gzips to ~¾ of its length). Random, so it does not compress away.
 */
const GZIP_PER_OBJECT = 2290;

export interface BigVersion {
  name: string;
  /** The length of its `data.gz`, as the central serves it. */
  size: number;
  /** Matches the target of its `data.gz` requests. */
  path: RegExp;
}

/** Creates the central's next version with a `data.gz` of about `bytes` bytes. */
export async function bigVersion(central: Central, bytes: number): Promise<BigVersion> {
  const name = await central.nextVersion(Math.ceil(bytes / GZIP_PER_OBJECT), () => ({
    description: randomBytes(2250).toString('base64'),
  }));
  const res = await central.server.request(`/api/metadata/version/${name}/data.gz`);
  assert.equal(res.status, 200);
  const size = (await res.arrayBuffer()).byteLength;
  return { name, size, path: new RegExp(`/version/${name}/data\\.gz$`) };
}

/** The version's `data.gz` requests the proxy has seen. */
export const downloads = (proxy: FaultProxy, v: BigVersion): Hit[] =>
  proxy.hits.filter((h) => h.path !== null && v.path.test(h.path));

/** The `N` of a request's `Range: bytes=N-`, or null when it asked for the whole file. */
export function rangeFrom(hit: Hit): number | null {
  const m = /^bytes=(\d+)-$/.exec(hit.headers.range ?? '');
  return m ? Number(m[1]) : null;
}

export interface KeptPartial {
  version: string;
  etag: string;
  bytes: number;
}

/** The partial downloads an in-process local keeps (issue 19 §2, table partial_download). */
export async function partials(local: TestServer): Promise<KeptPartial[]> {
  const { rows } = await sql<KeptPartial>`
    select version, etag, bytes::int as bytes from partial_download order by version
  `.execute(local.instance.database.db);
  return rows;
}

/** The run's download record of `version`, which must be there. */
export function downloadOf(report: SyncReportJson, version: string) {
  const v = report.versions.find((x) => x.name === version);
  assert.ok(v?.download, `no download recorded for ${version}: ${JSON.stringify(report.versions)}`);
  return v.download;
}

/** One line for the test's diagnostics: what a download cost against the file. */
export function costLine(proxy: FaultProxy, v: BigVersion, seconds: number): string {
  const sent = proxy.forwarded(v.path);
  const requests = downloads(proxy, v).length;
  return (
    `${v.name}: ${v.size} B file, ${sent} B forwarded (${(sent / v.size).toFixed(3)}×) ` +
    `in ${requests} request(s), ${seconds.toFixed(1)} s`
  );
}
