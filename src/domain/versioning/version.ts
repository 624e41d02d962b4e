/**
 * DHIS2's MetadataVersion (contract §2): `Version_<n>`, type BEST_EFFORT | ATOMIC, lowercase hex
 * MD5 `hashCode` of the exact snapshot bytes. metasync adds `parentHashCode` (the previous
 * version's hashCode) so a local can prove it follows the same chain (issue 5 §5).
 */
import { errors } from '../errors.ts';
import type { VersionState } from '../rollout/rollout.ts';

export const VERSION_TYPES = ['BEST_EFFORT', 'ATOMIC'] as const;
export type VersionType = (typeof VERSION_TYPES)[number];

/** The `type` of a create request, or DHIS2's messages for a missing or unknown one. */
export function parseVersionType(raw: string | undefined): VersionType {
  if (!raw)
    throw errors.invalidField(
      'type',
      "Required request parameter 'type' for method parameter type VersionType is not present",
    );
  if (!(VERSION_TYPES as readonly string[]).includes(raw))
    throw errors.invalidField(
      'type',
      `Value '${raw}' is not valid for parameter type. Valid values are: [${VERSION_TYPES.join(', ')}]`,
    );
  return raw as VersionType;
}

export interface MetadataVersion {
  id: string;
  name: string;
  number: number;
  type: VersionType;
  hashCode: string;
  parentHashCode: string | null;
  created: Date;
  /** Set on a local when the version was imported; null on the central. */
  importDate: Date | null;
  bytes: number;
  gzipBytes: number;
  objects: number;
  deletions: number;
  types: Record<string, number>;
  /**
   * Its staged rollout state on a central (issue 22, src/domain/rollout): RELEASED when absent,
   * as every version made without rollout and every version a local records.
   */
  state?: VersionState;
}

export const VERSION_PREFIX = 'Version_';

export const versionName = (n: number): string => `${VERSION_PREFIX}${n}`;

/** The number of `Version_<n>`, or null for any other name (contract §2.1). */
export function versionNumber(name: string): number | null {
  const m = /^Version_(\d{1,9})$/.exec(name);
  return m ? Number(m[1]) : null;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** DHIS2's entity date format: `yyyy-MM-dd'T'HH:mm:ss.SSS` in server time, no offset (contract §6.1). */
export function dhis2Date(d: Date): string {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

/** The snapshot's `system.date`: `yyyy-MM-dd'T'HH:mm:ss.SSSZ` with the server's offset (contract §5). */
export function dhis2DateWithOffset(d: Date): string {
  const off = -d.getTimezoneOffset();
  const sign = off >= 0 ? '+' : '-';
  return `${dhis2Date(d)}${sign}${pad(Math.floor(Math.abs(off) / 60))}${pad(Math.abs(off) % 60)}`;
}

/** `GET /api/metadata/version` entity JSON (contract §6.1). */
export function versionEntity(v: MetadataVersion) {
  return {
    name: v.name,
    created: dhis2Date(v.created),
    lastUpdated: dhis2Date(v.created),
    displayName: v.name,
    type: v.type,
    hashCode: v.hashCode,
    id: v.id,
    ...(v.importDate ? { importDate: dhis2Date(v.importDate) } : {}),
    ...(v.parentHashCode ? { parentHashCode: v.parentHashCode } : {}),
  };
}

/** A `metadataversions` list item: keys in DHIS2's order, lowercase `importdate` (contract §6.2). */
export function versionListItem(v: MetadataVersion) {
  return {
    name: v.name,
    type: v.type,
    created: dhis2Date(v.created),
    id: v.id,
    ...(v.importDate ? { importdate: dhis2Date(v.importDate) } : {}),
    hashCode: v.hashCode,
    ...(v.parentHashCode ? { parentHashCode: v.parentHashCode } : {}),
  };
}

/**
 * `history?baseline=`: the versions created at or after the baseline, the baseline itself
 * removed, oldest first (contract §6.2 with an explicit order).
 */
export function versionsAfter(
  all: readonly MetadataVersion[],
  baseline: MetadataVersion | null,
): MetadataVersion[] {
  const sorted = [...all].sort(
    (a, b) => a.created.getTime() - b.created.getTime() || a.number - b.number,
  );
  if (!baseline) return sorted;
  return sorted.filter(
    (v) => v.name !== baseline.name && v.created.getTime() >= baseline.created.getTime(),
  );
}
