/**
 * What a local needs from its central (contract §6, §8, §12): the ping, its release (issue 16
 * §4), the version history and single versions, and snapshots. Implemented over HTTP in `src/central/`; works against a DHIS2
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
  'NOT_CONFIGURED' | 'UNREACHABLE' | 'AUTH' | 'REDIRECT' | 'NOT_FOUND' | 'HTTP' | 'PARSE';

/** What a local knows of its central's release (issue 16 §4, §11). */
export interface CentralInfo {
  /** `/api/system/info` `version` as the central sent it (e.g. `2.43.0`); null when unknown. */
  version: string | null;
  revision: string | null;
  /** The central is a metasync server (its info carries `metasyncVersion`). */
  metasync: boolean;
  /** Why `version` is null: what the central answered to `/api/system/info`. */
  unavailable?: string;
}

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
  /**
   * `GET /api/system/info`: the central's build string. A central that does not answer it (an
   * old or odd one) gives `version: null` and the reason; only network and auth failures throw.
   */
  systemInfo(): Promise<CentralInfo>;
  /** `history` (no baseline when null); an empty body is an empty list. */
  history(baseline: string | null): Promise<RemoteVersion[]>;
  /** `GET /api/metadata/version?versionName=`; null when the central does not know it. */
  version(name: string): Promise<RemoteVersion | null>;
  /** `data.gz` (gunzipped when its Content-Type says gzip), or `/data` when there is no data.gz. */
  snapshot(name: string): Promise<Snapshot>;
}
