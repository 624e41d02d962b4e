/**
 * What an emulated DHIS2 local holds between runs (issue 16 §12): its `metadataversion` rows,
 * its METADATASTORE snapshots, the sync settings the job reads and writes, and the e-mails it
 * sent. The metadata itself is not imported; the snapshots accepted stand for it.
 */
import type { MetadataVersion, VersionType } from './jackson.ts';

/** A `metadataversion` row as `addNewMetadataVersion` saves it. */
export interface SavedVersion {
  id: string;
  name: string;
  type: VersionType | null;
  hashCode: string;
  created: Date | null;
  importDate: Date;
}

export interface Email {
  subject: string;
  body: string;
}

export interface LocalState {
  versions: SavedVersion[];
  /** METADATASTORE: snapshot text by version name. */
  snapshots: Map<string, string>;
  settings: {
    keyStopMetadataSync: boolean;
    keyRemoteMetadataVersion: string | null;
    keyMetadataFailedVersion: string | null;
    keyMetadataLastFailedTime: Date | null;
  };
  emails: Email[];
}

export const emptyState = (): LocalState => ({
  versions: [],
  snapshots: new Map(),
  settings: {
    keyStopMetadataSync: false,
    keyRemoteMetadataVersion: null,
    keyMetadataFailedVersion: null,
    keyMetadataLastFailedTime: null,
  },
  emails: [],
});

/** `MetadataVersionStore.getCurrentVersion`: the row with the latest `created`. */
export function currentVersion(state: LocalState): SavedVersion | null {
  let best: SavedVersion | null = null;
  for (const v of state.versions)
    if (!best || (v.created?.getTime() ?? 0) > (best.created?.getTime() ?? 0)) best = v;
  return best;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = 'Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec'.split(' ');

/** `java.util.Date.toString()` on a UTC server: `Tue Jan 02 03:04:05 UTC 2024`. */
export function javaDate(d: Date | null): string {
  if (!d) return 'null';
  const p = (n: number) => String(n).padStart(2, '0');
  return (
    `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${p(d.getUTCDate())} ` +
    `${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} UTC ${d.getUTCFullYear()}`
  );
}

/** `MetadataVersion.toString()`, as the failure e-mail prints the `version` entry. */
export const versionString = (v: {
  name: string | null;
  type: VersionType | null;
  hashCode: string | null;
  importDate?: Date | null;
}) =>
  `MetadataVersion{importDate=${javaDate(v.importDate ?? null)}, type=${String(v.type)}, name='${String(v.name)}', hashCode='${String(v.hashCode)}'}`;

export type RemoteVersion = MetadataVersion;
