/**
 * The central's DHIS2 release and what it means for the local's data push (issue 16 §4,
 * contract §11, §17). DHIS2 2.42 removed `/api/events` (and `/api/trackedEntityInstances`):
 * single events go to `/api/tracker` in DHIS2's tracker shape. The release is read from
 * `/api/system/info` `version` once per run; a central that does not say is treated as
 * ≤ 2.41 (what every DHIS2 local before 2.42 assumed), and a metasync central, whatever DHIS2
 * release it follows, takes `/api/events` (it models the 2.41 data API).
 */
import type { CentralInfo } from './central-client.ts';

export interface Release {
  major: number;
  minor: number;
  patch: number;
  hotfix: number;
}

/**
 * Reads a DHIS2 build string: `2.42.1`, `2.41.9.1`, `2.40.5-SNAPSHOT`, `2.39.0-rc1`, `v2.43`,
 * `2.42.0 (EMBARGOED)`. Missing parts are 0; null when there is no `<n>.<n>` at the start.
 */
export function parseRelease(version: string | null | undefined): Release | null {
  const m = /^\s*v?(\d{1,4})\.(\d{1,4})(?:\.(\d{1,4}))?(?:\.(\d{1,4}))?/i.exec(version ?? '');
  if (!m) return null;
  const [major, minor, patch, hotfix] = [m[1], m[2], m[3], m[4]].map((p) => Number(p ?? 0)) as [
    number,
    number,
    number,
    number,
  ];
  return { major, minor, patch, hotfix };
}

/**
 * DHIS2's release line: the `42` of `2.42.1`. A future `42.1.0`-style string (DHIS2 has talked
 * of dropping the leading `2.`) reads as 42 too; anything else is unknown (null).
 */
export function releaseLine(version: string | null | undefined): number | null {
  const r = parseRelease(version);
  if (!r) return null;
  if (r.major === 2) return r.minor;
  return r.major >= 30 ? r.major : null;
}

export type EventApi = 'EVENTS' | 'TRACKER';

/** How the local pushes anonymous events to this central. */
export function eventApi(central: CentralInfo): EventApi {
  if (central.metasync) return 'EVENTS';
  const line = releaseLine(central.version);
  return line !== null && line >= 42 ? 'TRACKER' : 'EVENTS';
}

/** One phrase for the run report: what the local took the central for. */
export function describeCentral(central: CentralInfo): string {
  if (central.version === null)
    return `the central did not tell its release (/api/system/info: ${central.unavailable ?? 'no version'}); its data is pushed as to DHIS2 2.41 and earlier`;
  const what = central.metasync
    ? `the central is metasync, following DHIS2 ${central.version}`
    : `the central runs DHIS2 ${central.version}`;
  if (releaseLine(central.version) === null && !central.metasync)
    return `${what}, a release this instance cannot read; its data is pushed as to DHIS2 2.41 and earlier`;
  return eventApi(central) === 'TRACKER' ? `${what}; events go to /api/tracker` : what;
}

/**
 * Whether the data push sends its bodies gzip-compressed (`Content-Encoding: gzip`, issue 19 §5):
 * to a metasync central, which inflates any request body that says so (src/http/plugins/
 * gzip-body.ts). Not to DHIS2: it honours no `Content-Encoding` on requests; some of its import
 * paths sniff the gzip magic of a body instead, path by path and release by release, which is
 * no promise (docs/protocol.md, "Compressed data push").
 */
export const gzipsPush = (central: CentralInfo | undefined): boolean => central?.metasync === true;
