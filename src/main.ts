/**
 * The composition root (house rule 2): config → database → ports → services
 * (`compose/build-services.ts`) → HTTP. Whatever starts here is stopped in reverse order by
 * `stop()` (house rule 8). Tests build instances through `createInstance` too, with a database
 * they prepared, or call `buildServices` over ports of their own.
 */
import { removeStaleUploads } from './http/upload-file.ts';
import { startRolloutTimer } from './jobs/rollout-timer.ts';
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { readBuildInfo } from './build-info.ts';
import { buildServices, type Composition } from './compose/build-services.ts';
import type { Ports } from './compose/ports.ts';
import { createLogger } from './logger.ts';
import type { Config } from './config.ts';
import { SUPERUSER_ACTOR } from './domain/auth/users.ts';
import { ensureDefaults } from './domain/metadata/defaults.ts';
import { DEFAULTS } from './domain/metadata/types.ts';
import type { Clock } from './domain/ports.ts';
import { buildApp } from './http/app.ts';
import { createAesSecretBox } from './security/aes-secret-box.ts';
import { newPassword, newSecret, newUid } from './security/random.ts';
import { createScryptHasher, isBcryptHash } from './security/scrypt-hasher.ts';
import type { Services } from './services.ts';
import { migrateToLatest, openDatabase, pendingMigrations, type OpenDatabase } from './store/db.ts';
import { createStores } from './store/stores.ts';

export const systemClock: Clock = { now: () => new Date() };

export interface Instance {
  services: Services;
  app: FastifyInstance;
  database: OpenDatabase;
  /** The generated admin password when this start created the superuser without one configured. */
  generatedAdminPassword: string | null;
  /** Listens on config.host:config.port (0 = any free port); returns the base URL. */
  listen(): Promise<string>;
  stop(): Promise<void>;
}

export interface InstanceOptions {
  logger: Logger;
  /** An already open database (tests); otherwise opened from the config. */
  database?: OpenDatabase;
  clock?: Clock;
}

export async function openConfiguredDatabase(config: Config): Promise<OpenDatabase> {
  return openDatabase(
    config.databaseUrl
      ? { kind: 'postgres', url: config.databaseUrl }
      : { kind: 'pglite', dataDir: config.dataDir },
  );
}

/** The ports over an open database: migrated, with this instance's row (created on first start). */
export async function openPorts(
  config: Config,
  database: OpenDatabase,
  clock: Clock,
  logger: Logger,
): Promise<Ports> {
  await migrateToLatest(database.db);
  const stores = createStores(database.db);
  const instance = await stores.instance.ensure({
    systemId: randomUUID(),
    secretSalt: newSecret(16),
    fallbackSecret: newSecret(32),
    created: clock.now(),
  });
  return {
    stores,
    instance,
    build: readBuildInfo(clock.now()),
    clock,
    hasher: createScryptHasher(),
    box: createAesSecretBox(
      config.encryptionPassword ?? instance.fallbackSecret,
      instance.secretSalt,
    ),
    newUid,
    newPassword,
    isPasswordHash: isBcryptHash,
    logger,
    database: {
      backend: database.backend,
      check: async () => {
        await database.db.selectFrom('instance').select('id').limit(1).execute();
      },
      pendingMigrations: () => pendingMigrations(database.db),
    },
  };
}

/**
 * Builds the services over an open database and makes sure the default category model exists;
 * shared by the server and the CLI.
 */
export async function createServices(
  config: Config,
  database: OpenDatabase,
  clock: Clock = systemClock,
  logger: Logger = createLogger(config.logLevel, undefined, config.logFormat),
): Promise<Composition> {
  const ports = await openPorts(config, database, clock, logger);
  const composition = await buildServices(ports, config);
  const { metadata } = composition.services;
  await ensureDefaults(
    async () => (await metadata.get('categoryCombos', DEFAULTS.categoryCombo)) !== null,
    metadata.import,
    SUPERUSER_ACTOR,
  );
  return composition;
}

export async function createInstance(config: Config, options: InstanceOptions): Promise<Instance> {
  const { logger } = options;
  const database = options.database ?? (await openConfiguredDatabase(config));
  try {
    // The scheduler (issue 8) exists from here so "execute now" works; its timers start with
    // listen() (the serve command) and it stops first in stop().
    const { services, scheduler } = await createServices(config, database, options.clock, logger);
    // A run left RUNNING by a process that died (kill -9) reads INTERRUPTED from the start.
    await services.sync
      .recover()
      .catch((e: unknown) => logger.warn({ err: e }, 'could not close the runs of a dead process'));
    // A bundle upload whose server was killed left its temporary file (issue 20 §6).
    const stale = await removeStaleUploads();
    if (stale > 0) logger.info({ removed: stale }, 'removed uploads of processes that are gone');
    if (!config.encryptionPassword)
      logger.warn(
        'encryption.password is not set in the config file: secret settings are encrypted with a key stored in the database',
      );

    const adminPassword = config.adminPassword ?? newPassword();
    const { created } = await services.users.ensureSuperuser(adminPassword);
    if (created)
      logger.info(
        { username: 'admin' },
        'created the superuser "admin" (role Superuser, authority ALL)',
      );

    // Made at first start (issue 20 §1), so a read of the public key never writes. Only the
    // public half is read: a key sealed under another encryption.password fails its use, not
    // the start (as secret settings do).
    const { fingerprint } = await services.signing.publicKey();
    logger.debug({ fingerprint }, 'the instance signing key');

    const app = await buildApp(services, { logger });
    let stopped = false;
    let stopRollout: (() => Promise<void>) | null = null;
    return {
      services,
      app,
      database,
      generatedAdminPassword: created && !config.adminPassword ? adminPassword : null,
      async listen() {
        const url = await app.listen({ host: config.host, port: config.port });
        await scheduler.start();
        stopRollout = startRolloutTimer(
          () => services.rollout.autoRelease(),
          config.rolloutCheckMs,
          logger,
        );
        return url;
      },
      async stop() {
        if (stopped) return;
        stopped = true;
        // First: no new scheduled runs; a running one finishes or is marked INTERRUPTED.
        await scheduler.stop();
        await stopRollout?.();
        await app.close(); // stops accepting, lets in-flight requests finish
        await database.close();
      },
    };
  } catch (e) {
    await database.close();
    throw e;
  }
}
