/**
 * Ports: what the domain needs from the outside world. Adapters in `src/store`, `src/security`
 * and elsewhere implement them; every store port has one conformance suite run on PGlite and
 * PostgreSQL (`test/integration/store-*.test.ts`).
 */
import type { User, UserCredentials, UserRole } from './auth/users.ts';

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

/** Failed-login bookkeeping, shared by every process on one database. */
export interface LoginFailureStore {
  record(username: string, at: Date): Promise<void>;
  /** Failure times for `username` at or after `since`. */
  since(username: string, since: Date): Promise<Date[]>;
  clear(username: string): Promise<void>;
}

/**
 * System settings as stored: JSON values by key. Secrets arrive here already encrypted; this
 * port never sees a plain secret.
 */
export interface SettingStore {
  all(): Promise<Map<string, unknown>>;
  get(key: string): Promise<unknown | undefined>;
  /** Writes all entries in one transaction. */
  putMany(entries: ReadonlyMap<string, unknown>): Promise<void>;
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

export interface InstanceStore {
  /** Returns the instance row, creating it with `fresh` on first call (race-safe). */
  ensure(fresh: InstanceInfo): Promise<InstanceInfo>;
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
