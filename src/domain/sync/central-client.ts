/**
 * What a local needs from its central (contract §6, §8, §12): the ping, its release (issue 16
 * §4), the version history and single versions, and snapshots. Implemented over HTTP in `src/central/`; works against a DHIS2
 * central and a metasync central alike.
 */
import type { ReportedLocal } from '../versioning/fleet-report.ts';
import type { VersionOutcome } from './version-outcomes.ts';

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
  /** Its `systemName` (issue 21 §5: "Relay of <name>"); null or absent when unknown. */
  name?: string | null;
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
  download?: DownloadRecord;
}

/**
 * One top-level member of a snapshot, in document order (issue 18 §1). `value()` parses it on
 * demand, so a reader holds one type's array at a time, never the whole snapshot; it throws a
 * BadSnapshotError when the member's text is not valid JSON.
 */
export interface SnapshotMember {
  key: string;
  value(): unknown;
  /**
   * For an array: its elements parsed `size` at a time (issue 18 §1: a large type never sits
   * parsed in memory whole); null when the value is not an array. Read once, like `value()`.
   */
  batches(size: number): Iterable<unknown[]> | null;
}

/**
 * A snapshot read as a stream (issue 18 §1): the gzip to store, the MD5 and length of the
 * uncompressed bytes (computed while inflating), and its members, read afresh from the gzip on
 * each call of `members()` (an adapter inflates and splits them; the domain does no IO).
 */
export interface StreamedSnapshot {
  /** How it was downloaded; absent from fakes and in-memory snapshots. */
  download?: DownloadRecord;
  gzip: Buffer;
  md5: string;
  size: number;
  members(): AsyncIterable<SnapshotMember>;
}

/** The snapshot's text is not JSON, or not a JSON object (issue 18 §1: BAD_SNAPSHOT). */
export class BadSnapshotError extends Error {
  constructor(
    readonly problem: 'syntax' | 'not-object',
    message: string,
  ) {
    super(message);
    this.name = 'BadSnapshotError';
  }
}

/** How one snapshot download went (issue 19 §6), recorded on the version's report. */
export interface DownloadRecord {
  /** Bytes of the file received over the network by this call (not those kept from before). */
  received: number;
  /** The whole file's length: the bytes kept from an earlier attempt plus those received. */
  size: number;
  /** The byte the download resumed from (kept from an earlier attempt or run); 0 from the start. */
  resumedFrom: number;
  /** Time spent receiving, for the rate. */
  seconds: number;
  /**
   * The bytes it continued from after breaks within the same attempt (range requests that
   * followed a broken-off answer at once); absent when the link never broke.
   */
  resumes?: number[];
}

/** A download under way (issue 19 §6): for the CLI bar and the UI's live run view. */
export interface DownloadProgress {
  version: string;
  /** Bytes of the file in hand: the resumed offset plus what has arrived since. */
  received: number;
  /** The whole file's length when the central said it (Content-Length/Content-Range). */
  total: number | null;
  resumedFrom: number;
  /** The rate of this call so far, in bytes per second. */
  bytesPerSecond: number;
}

export interface SnapshotOptions {
  /** The version's id from the history: a kept partial is for this id only (issue 19 §2). */
  versionId?: string;
  onProgress?: (p: DownloadProgress) => void;
}

/**
 * Counts the bytes a run moves over its link (issue 19 §6): every client of the run adds to it,
 * and the run's report and `/metrics` read it.
 */
export interface TransferMeter {
  received(bytes: number): void;
  sent(bytes: number): void;
}

/** Why a version is gone from the central (issue 22 §4). */
export interface WithdrawalNote {
  name: string;
  by: string;
  at: string;
  reason: string;
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
  /**
   * A metasync central's public signing key (`GET /api/metasync/signing-key`, issue 20 §1), as
   * the PEM text it answered; null when it has none (DHIS2: 404). Optional: fakes may lack it.
   */
  signingKey?(): Promise<string | null>;
  /**
   * An offline source's own chain check (issue 20 §3, a bundle): the first version it and this
   * instance both name with different hashes, or null. Absent (a central): the run asks the
   * central for the current version and compares its hash.
   */
  divergence?(current: { name: string; hashCode: string }): Promise<{
    version: string;
    message: string;
  } | null>;
  /**
   * A metasync upstream only (issue 21 §4): stores a relay's downstream fleet in place of what
   * it reported before; the number of entries kept. Absent: the client cannot (fakes, bundles).
   */
  reportFleet?(locals: readonly ReportedLocal[]): Promise<number>;
  /**
   * A metasync central's note of a version it withdrew (issue 22 §4), by the hashCode this
   * instance holds it with: who, when and why, so a DIVERGED run can say so. Null when it has
   * none (or is DHIS2, which has no withdrawals); absent: a source without withdrawals.
   */
  withdrawal?(hashCode: string): Promise<WithdrawalNote | null>;
  /**
   * Tells a metasync central how a version went here (issue 22 §3,
   * `POST /api/metasync/fleet/outcome`). Absent: a source that takes no reports.
   */
  reportOutcome?(outcome: VersionOutcome): Promise<void>;
  /** How the run's ping step names an offline source (a bundle); absent: a central. */
  describe?(): string;
  /**
   * `data.gz`, or `/data` when there is no data.gz: held in memory (`Snapshot`, small answers and
   * fakes) or, from the HTTP client, as its gzip and read as a stream (`StreamedSnapshot`).
   */
  snapshot(name: string, options?: SnapshotOptions): Promise<Snapshot | StreamedSnapshot>;
}
