/**
 * What a local needs from its central (contract §6, §8, §12): the ping, the version history and
 * single versions, and snapshots. Implemented over HTTP in `src/central/`; works against a DHIS2
 * central and a metasync central alike.
 */
export interface RemoteVersion {
  name: string;
  type: string;
  id: string;
  hashCode: string;
  created: Date;
  /** Only from a metasync central: the previous version's hashCode. */
  parentHashCode: string | null;
}

export type RemoteErrorKind =
  'NOT_CONFIGURED' | 'UNREACHABLE' | 'AUTH' | 'NOT_FOUND' | 'HTTP' | 'PARSE';

/** A failed call to the central, classified; the message follows DHIS2's wording (contract §9). */
export class RemoteError extends Error {
  constructor(
    readonly kind: RemoteErrorKind,
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'RemoteError';
  }
}

export interface Snapshot {
  /** The snapshot's JSON bytes (gunzipped when the central sent gzip). */
  bytes: Buffer;
  /** The gzip the central sent, when it sent one. */
  gzip: Buffer | null;
}

export interface CentralClient {
  /** Resolves when `/api/system/ping` answers 200 with these credentials. */
  ping(): Promise<void>;
  /** `history` (no baseline when null); an empty body is an empty list. */
  history(baseline: string | null): Promise<RemoteVersion[]>;
  /** `GET /api/metadata/version?versionName=`; null when the central does not know it. */
  version(name: string): Promise<RemoteVersion | null>;
  /** `data.gz` (gunzipped when its Content-Type says gzip), or `/data` when there is no data.gz. */
  snapshot(name: string): Promise<Snapshot>;
}
