/**
 * What `buildServices` is built over: the store adapters of one database, the facts of this
 * instance, and the few outside-world ports the use cases need (time, ids, hashing, secrets).
 * `main.ts` makes them from a real database; a test may hand in its own.
 */
import type { Logger } from 'pino';
import type { BuildInfo } from '../build-info.ts';
import type { Clock, InstanceInfo, PasswordHasher, SecretBox } from '../domain/ports.ts';
import type { Stores } from '../store/stores.ts';

export interface Ports {
  stores: Stores;
  instance: InstanceInfo;
  build: BuildInfo;
  clock: Clock;
  hasher: PasswordHasher;
  /** Seals secret settings at rest. */
  box: SecretBox;
  newUid: () => string;
  /** A fresh random password (the login decoy hash). */
  newPassword: () => string;
  /** True for a value that is already a password hash (DHIS2's bcrypt) the import keeps. */
  isPasswordHash: (value: string) => boolean;
  logger: Logger;
  database: {
    backend: 'pglite' | 'postgres';
    /** Resolves when the database answers; rejects otherwise. */
    check(): Promise<void>;
    /** Migrations this code knows that the database has not applied. */
    pendingMigrations(): Promise<string[]>;
  };
}
