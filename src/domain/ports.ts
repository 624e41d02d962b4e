/**
 * Ports: what the domain needs from the outside world, with their contracts. This file holds the
 * shared ones (clock, users, login failures, settings, instance, password hashing, secret box,
 * metadata, versions); a feature's own ports sit with it: `data/data-store.ts` and
 * `data/tracker-store.ts`, `jobs/job.ts` (JobStore), `notifications/mailer.ts` (Mailer),
 * `sync/central-client.ts` (CentralClient). `src/store` implements the stores over Kysely,
 * `src/security` the hasher and the box, `src/central` and `src/mail` the clients; the
 * composition root (`src/compose`) hands them to the use cases. Store conformance suites run on
 * PGlite and PostgreSQL: `test/support/store-conformance.ts` and `tracker-store-conformance.ts`
 * (from `test/integration/store-conformance.test.ts`) and `test/integration/store-jobs.test.ts`;
 * the others are covered through the integration tests that use them.
 */
import type { User, UserCredentials, UserRole } from './auth/users.ts';
import type { ImportLookups, PlannedDelete, PlannedWrite } from './metadata/plan-import.ts';
import type { BaselineRow } from './metadata/plan-import-types.ts';
import type { LookupKeys } from './metadata/prepare-entries.ts';
import type { Withdrawal } from './rollout/rollout-store.ts';
import type { VersionState } from './rollout/rollout.ts';
import type { MetadataVersion } from './versioning/version.ts';
import type { ObjectKey } from './versioning/snapshot-scope.ts';

export interface Clock {
  now(): Date;
}

export interface NewUser {
  id: string;
  username: string;
  passwordHash: string;
  email: string | null;
  firstName: string;
  surname: string;
  roleIds: string[];
}

/** Users and roles. Usernames are unique case-sensitively, as DHIS2 stores them. */
export interface UserStore {
  countUsers(): Promise<number>;
  /** Creates the user; throws AppError CONFLICT when the id or username is taken. */
  createUser(user: NewUser): Promise<User>;
  /** Creates the role or, when its id exists, replaces name, code and authorities. */
  upsertRole(role: UserRole): Promise<UserRole>;
  findRole(id: string): Promise<UserRole | null>;
  findRoleByName(name: string): Promise<UserRole | null>;
  /** The user, its password hash and the union of its roles' authorities; null when unknown. */
  findCredentials(username: string): Promise<UserCredentials | null>;
  setPassword(userId: string, passwordHash: string): Promise<void>;
}

/** What failed logins are counted by: a username and a client (issue 16 §6, `auth/client-address.ts`). */
export interface LoginKey {
  username: string;
  client: string;
}

/** Failed-login bookkeeping, shared by every process on one database. */
export interface LoginFailureStore {
  record(key: LoginKey, at: Date): Promise<void>;
  /** Failure times for exactly this username and client at or after `since`, oldest first. */
  since(key: LoginKey, since: Date): Promise<Date[]>;
  /** Forgets this username and client's failures; the same username's other clients keep theirs. */
  clear(key: LoginKey): Promise<void>;
}

/**
 * System settings as stored: JSON values by key. Secrets arrive here already encrypted; this
 * port never sees a plain secret.
 */
export interface SettingStore {
  all(): Promise<Map<string, unknown>>;
  get(key: string): Promise<unknown | undefined>;
  /** Writes all entries and deletes the `remove` keys in one transaction. */
  putMany(entries: ReadonlyMap<string, unknown>, remove?: readonly string[]): Promise<void>;
  delete(key: string): Promise<boolean>;
}

/** Facts about this instance that are created once and never change. */
export interface InstanceInfo {
  systemId: string;
  /** Salt for deriving the secret-settings key from `encryption.password`. */
  secretSalt: string;
  /** Random fallback secret used when `encryption.password` is not configured. */
  fallbackSecret: string;
  created: Date;
}

/** The instance's signing key as stored (issue 20 §1): the private half sealed by the SecretBox. */
export interface StoredSigningKey {
  publicKeyPem: string;
  sealedPrivateKey: string;
}

export interface InstanceStore {
  /** Returns the instance row, creating it with `fresh` on first call (race-safe). */
  ensure(fresh: InstanceInfo): Promise<InstanceInfo>;
  /**
   * The instance's signing key, storing `fresh` only when none is stored yet (race-safe: two
   * processes making a key at once agree on one). A stored key is never replaced.
   */
  ensureSigningKey(fresh: () => StoredSigningKey): Promise<StoredSigningKey>;
}

/** Hashes and checks passwords (scrypt in `src/security`). */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(password: string, hash: string): Promise<boolean>;
}

/** Encrypts secret settings at rest (AES-GCM in `src/security`). */
export interface SecretBox {
  seal(plain: string): string;
  open(sealed: string): string;
}

/**
 * The write side of the metadata store, valid only inside `MetadataStore.write` (the transaction
 * that holds the change-sequence lock).
 */
export interface MetadataWriter {
  /** Stored objects matching the payload's ids, codes, names and unique values (issue 4 §2). */
  lookups(keys: LookupKeys, options: { referrers: boolean }): Promise<ImportLookups>;
  /**
   * Every object of a type as this transaction sees it: the escalation check reads the users
   * and roles it judges here, so no write between the check and the import can slip past it.
   */
  list(type: string): Promise<Record<string, unknown>[]>;
  /**
   * Writes creates/updates and deletes, each numbered with the next change sequence number;
   * keeps references, tombstones and the users/userRoles auth projection in step.
   */
  apply(
    changes: { writes: readonly PlannedWrite[]; deletes: readonly PlannedDelete[] },
    meta: { actorId: string; now: Date; passwordHashes: ReadonlyMap<string, string> },
  ): Promise<void>;
  /**
   * Local: records a version pulled from the central, with its gzipped snapshot, in the same
   * transaction as its import (issue 6 §2: never half-imported, never imported but unrecorded).
   */
  recordVersion(version: MetadataVersion, gzip: Buffer): Promise<void>;
  /**
   * Local (issue 23 §2): records what `version` says these objects' content is (their hashes),
   * in the version's import transaction: the drift baseline.
   */
  setBaseline(version: string, rows: readonly BaselineRow[]): Promise<void>;
  /** Local (issue 23 §2): the version deletes these objects; they leave the baseline. */
  dropBaseline(keys: readonly ObjectKey[]): Promise<void>;
}

export interface MetadataStore {
  /**
   * Runs `fn` in one transaction that first locks the change counter: metadata writers are
   * serialised, and change numbers follow commit order (issue 4 §4). A throw rolls back all.
   */
  write<T>(fn: (writer: MetadataWriter) => Promise<T>): Promise<T>;
  get(type: string, id: string): Promise<Record<string, unknown> | null>;
  /** Every object of a type, ordered by name then id. */
  list(type: string): Promise<Record<string, unknown>[]>;
  /**
   * Objects of a type whose lastUpdated is at or after `since` (null = all) and, given `ids`,
   * whose id is one of them; ordered by name then id. Both narrow through indexes.
   */
  listSince(
    type: string,
    since: Date | null,
    ids?: readonly string[],
  ): Promise<Record<string, unknown>[]>;
  countByType(): Promise<Map<string, number>>;
  /** Objects that reference `id`. */
  referencing(id: string): Promise<{ type: string; id: string }[]>;
  /** The committed change sequence number. */
  changeSeq(): Promise<number>;
}

/** The `system` header of a snapshot (contract §5), minus the date stamped at creation. */
export interface SnapshotSystem {
  id: string;
  rev: string;
  version: string;
}

export interface VersionPreview {
  name: string;
  objects: number;
  types: Record<string, number>;
  deletions: number;
  /** Size of the snapshot's object text; the real snapshot adds a few bytes of JSON framing. */
  bytes: number;
}

/** A deletion a snapshot may carry: the tombstone of an object deleted in the range. */
export interface Deletion {
  type: string;
  id: string;
  code: string | null;
  deletedAt: Date;
  deletedBy: string | null;
}

/**
 * The changes committed since the previous version, as one consistent read (the store's
 * REPEATABLE READ transaction): objects whose latest change is in (previous cut, this cut], and
 * deletions in that range that still hold at the cut (an object deleted and created again with
 * the same uid is an object, not a deletion). `excluded` objects are left out everywhere.
 */
export interface ChangeReader {
  /** The stored JSON text of the changed objects of one type, ordered by id, a page at a time. */
  objectPages(type: string, excluded: readonly ObjectKey[]): AsyncIterable<string[]>;
  /** The deletions, in change order. */
  deletions(excluded: readonly ObjectKey[]): Promise<Deletion[]>;
  deletionCount(excluded: readonly ObjectKey[]): Promise<number>;
  /** Whether the range holds any object change or deletion. */
  anyChange(excluded: readonly ObjectKey[]): Promise<boolean>;
  /** Changed objects per type, their stored text's total size, and the deletions' number. */
  counts(
    excluded: readonly ObjectKey[],
  ): Promise<{ types: Record<string, number>; bytes: number; deletions: number }>;
}

/** A version being created: what the store holds for the domain inside its transaction. */
export interface VersionDraft {
  /** The newest version at the start of the transaction, or null. */
  latest: MetadataVersion | null;
  changes: ChangeReader;
  /** Stores the snapshot's bytes (gzipped once, in chunks) for `versionId`; the gzip's size. */
  writeSnapshot(versionId: string, bytes: AsyncIterable<Uint8Array>): Promise<number>;
  /** Records `version` as covering this draft's range of changes. */
  insert(version: MetadataVersion): Promise<void>;
  /** The settings, written in this transaction (keySystemMetadataVersion commits with the version). */
  settings: SettingStore;
}

/** Bytes `start` to `end` of a snapshot, both included (RFC 9110 §14.1.2 counts so). */
export interface ByteRange {
  start: number;
  end: number;
}

/** How a metasync local's last finished run ended, as it tells its central (issue 21 §4). */
export type SyncRunState = 'SUCCESS' | 'FAILED' | 'DIVERGED';

export interface FleetEntry {
  key: string;
  systemId: string | null;
  name: string | null;
  username: string;
  address: string;
  baseline: string | null;
  lastSeen: Date;
  state: SyncRunState | null;
  /** The relay whose report brought this entry (its system id); null: the local polls us. */
  via: string | null;
  /** The system id of the server the local hangs under; null for a direct local. */
  relay: string | null;
}

/**
 * Metadata versions and their snapshots (issue 5). A snapshot is written once, gzipped, in 1 MiB
 * chunks, and never changes; what a version holds is decided in src/domain/versioning/.
 */
export interface VersionStore {
  list(): Promise<MetadataVersion[]>;
  byName(name: string): Promise<MetadataVersion | null>;
  /** The newest version (highest number), or null. */
  latest(): Promise<MetadataVersion | null>;
  /**
   * Central: runs `build` under a lock (concurrent creates, from any process, queue up) in one
   * REPEATABLE READ transaction, so the range the draft reads and the rows it reads come from one
   * snapshot: every committed change lands in exactly one version. A throw rolls back all.
   */
  create<T>(build: (draft: VersionDraft) => Promise<T>): Promise<T>;
  /** Reads the pending changes as `create` would, without the lock and without writing. */
  pending<T>(read: (draft: Pick<VersionDraft, 'latest' | 'changes'>) => Promise<T>): Promise<T>;
  /**
   * The snapshot's bytes in order, chunk by chunk; null when no snapshot is stored. With `range`
   * only bytes `start`..`end` (both included, as HTTP counts them; an end past the last byte is
   * the last byte, a start past it yields nothing): a resumed download (issue 19 §1). For `gz`
   * the stored chunks before `start` are skipped without being read.
   */
  readSnapshot(
    versionId: string,
    kind: 'json' | 'gz',
    range?: ByteRange,
  ): Promise<AsyncIterable<Uint8Array> | null>;
  /**
   * Local recovery (issue 6 §6): removes the local versions numbered at or above `version`'s and
   * records `version` (the central's) as the current one, without importing. Returns the names
   * of the versions removed.
   */
  rebaseline(version: MetadataVersion): Promise<string[]>;
  /** Central (issue 22 §4): moves the named versions to `state`, stamping when. */
  setState(names: readonly string[], state: VersionState, at: Date): Promise<void>;
  /**
   * Central (issue 22 §4): under the create lock, removes every version numbered `from` or above
   * with its snapshot and its canaries' outcomes and keeps a note of each, then calls `after`
   * with what it removed, the version left newest and the transaction's settings
   * (keySystemMetadataVersion), all in one transaction: a throw from `after` undoes it all. The next version created holds the withdrawn changes again: its range
   * starts at the newest left's cut. Returns the versions removed, newest first.
   */
  withdraw(
    from: number,
    note: { by: string; at: Date; reason: string },
    after: (left: {
      removed: MetadataVersion[];
      latest: MetadataVersion | null;
      settings: SettingStore;
    }) => Promise<void>,
  ): Promise<MetadataVersion[]>;
  /** The notes `withdraw` kept, newest first. */
  withdrawals(): Promise<Withdrawal[]>;
  /** A direct local's history call (`via` null). */
  recordFleet(entry: FleetEntry): Promise<void>;
  /**
   * A relay's report (issue 21 §4): in one transaction, drops every entry reported via `via`
   * and stores `entries` (each with that `via`) in their place.
   */
  replaceReported(via: string, entries: readonly FleetEntry[]): Promise<void>;
  fleet(): Promise<FleetEntry[]>;
}

/** What is kept of a snapshot download that broke off (issue 19 §2). */
export interface PartialDownload {
  /** The version's name (`Version_<n>`): at most one partial per version. */
  version: string;
  /** The version's id from the central's history: a partial is for this id only. */
  versionId: string;
  /** The strong ETag the central sent with the bytes kept; a resume asks `If-Range` with it. */
  etag: string;
  /** How many bytes of the file are kept, from byte 0. */
  bytes: number;
}

/**
 * The bytes of broken-off snapshot downloads, kept so a later attempt, run or process resumes
 * them with `Range` + `If-Range` instead of starting from byte 0 (issue 19 §2). Shared by every
 * process on the database; a partial survives kill -9 up to its last append.
 */
export interface PartialDownloadStore {
  find(version: string): Promise<PartialDownload | null>;
  /** The kept bytes in order, from byte 0 (nothing when there is no partial). */
  read(version: string): AsyncIterable<Uint8Array>;
  /** Starts an empty partial for `version`, replacing any earlier one of that version. */
  begin(partial: Omit<PartialDownload, 'bytes'>): Promise<void>;
  /**
   * Adds `bytes` at `offset`, which must be the kept length: false (nothing written) when it is
   * not, or when there is no partial of `version` (another attempt replaced or discarded it).
   */
  append(version: string, offset: number, bytes: Uint8Array): Promise<boolean>;
  discard(version: string): Promise<void>;
  /**
   * Drops the partials of versions this instance already has or has passed (numbered at or below
   * its newest version): run at the start of a sync, so partials never pile up. Their names.
   */
  pruneImported(): Promise<string[]>;
}
