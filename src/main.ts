/**
 * The composition root (house rule 2): config → database → stores → services → HTTP. Whatever
 * starts here is stopped in reverse order by `stop()` (house rule 8). Tests build instances
 * through `createInstance` too, with a database they prepared.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { readBuildInfo } from './build-info.ts';
import { createLogger } from './logger.ts';
import type { Config } from './config.ts';
import { authenticate } from './domain/auth/authenticate.ts';
import {
  createUser,
  ensureSuperuser,
  type Importer,
  type UserAdminDeps,
} from './domain/auth/user-admin.ts';
import { SUPERUSER } from './domain/auth/users.ts';
import { ensureDefaults } from './domain/metadata/defaults.ts';
import { importMetadata } from './domain/metadata/import-metadata.ts';
import { DEFAULTS } from './domain/metadata/types.ts';
import {
  createVersion,
  previewVersion,
  type CreateVersionDeps,
} from './domain/versioning/create-version.ts';
import type { Clock } from './domain/ports.ts';
import { createSettingsService } from './domain/settings/settings-service.ts';
import { buildApp } from './http/app.ts';
import { createAesSecretBox } from './security/aes-secret-box.ts';
import { newPassword, newSecret, newUid } from './security/random.ts';
import { createScryptHasher, isBcryptHash } from './security/scrypt-hasher.ts';
import type { Services } from './services.ts';
import { migrateToLatest, openDatabase, pendingMigrations, type OpenDatabase } from './store/db.ts';
import { createMetrics } from './metrics/metrics.ts';
import { cacheLoginFailures } from './store/cached-login-failures.ts';
import { createSyncService } from './sync/sync-service.ts';
import { createDataPush } from './sync/data-push.ts';
import { createHttpDataClient } from './central/http-data-client.ts';
import { createDataService } from './domain/data/import-data.ts';
import { createStores } from './store/stores.ts';
import { createJobService } from './jobs/job-service.ts';
import { createScheduler, type Scheduler } from './jobs/scheduler.ts';
import { createEmailService } from './mail/email-service.ts';
import { createSmtpMailer } from './mail/smtp-mailer.ts';
import { createSyncNotifier } from './mail/sync-notifier.ts';

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

/** Builds the services over an open, migrated database; shared by the server and the CLI. */
export async function createServices(
  config: Config,
  database: OpenDatabase,
  clock: Clock = systemClock,
  logger: Logger = createLogger(config.logLevel),
) {
  await migrateToLatest(database.db);
  const stores = createStores(database.db);
  const instance = await stores.instance.ensure({
    systemId: randomUUID(),
    secretSalt: newSecret(16),
    fallbackSecret: newSecret(32),
    created: clock.now(),
  });
  const box = createAesSecretBox(
    config.encryptionPassword ?? instance.fallbackSecret,
    instance.secretSalt,
  );
  const hasher = createScryptHasher();
  const importDeps = {
    store: stores.metadata,
    hasher,
    clock,
    newUid,
    isPasswordHash: isBcryptHash,
  };
  const importer: Importer = (body, params, actorId) =>
    importMetadata(importDeps, body, params, actorId);
  const userAdmin: UserAdminDeps = { users: stores.users, importMetadata: importer, newUid };
  await ensureDefaults(
    async () => (await stores.metadata.get('categoryCombos', DEFAULTS.categoryCombo)) !== null,
    importer,
    SUPERUSER.userId,
  );
  const build = readBuildInfo(clock.now());
  const settings = createSettingsService({ store: stores.settings, box, clock });
  const authDeps = {
    users: stores.users,
    failures: cacheLoginFailures(stores.loginFailures, clock),
    hasher,
    clock,
    policy: config.loginThrottle,
    // DHIS2's setting, read per login through the settings cache (issue 16 §6).
    lockEnabled: async () => (await settings.value('keyLockMultipleFailedLogins')) === true,
    decoyHash: await hasher.hash(newPassword()),
  };
  // E-mail (issue 8): SMTP settings are read per mail, so edits apply without a restart.
  const mailer = createSmtpMailer(async () => ({
    host: String(await settings.value('keyEmailHostName')),
    port: Number(await settings.value('keyEmailPort')),
    username: String(await settings.value('keyEmailUsername')),
    password: String(await settings.value('keyEmailPassword')),
    tls: (await settings.value('keyEmailTls')) === true,
    sender: String(await settings.value('keyEmailSender')),
  }));
  const systemName = async () => String(await settings.value('applicationTitle'));
  const notifySync = createSyncNotifier({
    mailer,
    settings,
    store: stores.sync,
    now: () => clock.now(),
    systemName,
    log: (obj, msg) => logger.warn(obj, msg),
  });
  const schedulerRef: { current: Scheduler | null } = { current: null };
  const syncRef: { current: ReturnType<typeof createSyncService> | null } = { current: null };
  const metrics = createMetrics({
    versionsBehind: async () => (await syncRef.current?.status())?.behindBy ?? null,
  });
  const sync = createSyncService({
    onFinished: async (report) => {
      metrics.syncFinished(report);
      await notifySync(report);
    },
    importDeps,
    versions: stores.versions,
    settings,
    store: stores.sync,
    clock,
    systemId: instance.systemId,
    systemName: async () => String(await settings.value('applicationTitle')),
    localSystemVersion: config.systemVersion,
    retries: config.syncRetry,
    retryDelayMs: config.syncRetryFrequencyMs,
    remoteTimeoutMs: config.syncRemoteTimeoutMs,
    // The data push before the pull (contract §11, issue 7), to the same central, same auth.
    dataPush: createDataPush({
      store: stores.data,
      clock,
      settings,
      client: async () => {
        const text = async (key: string) => String((await settings.value(key)) ?? '');
        return createHttpDataClient({
          url: await text('keyRemoteInstanceUrl'),
          username: await text('keyRemoteInstanceUsername'),
          password: await text('keyRemoteInstancePassword'),
          maxAttempts: Number(await settings.value('syncMaxAttempts')),
          ...(config.syncRemoteTimeoutMs ? { timeoutMs: config.syncRemoteTimeoutMs } : {}),
        });
      },
    }),
    log: (obj, msg) => logger.info(obj, msg),
  });
  syncRef.current = sync;
  const versionDeps: CreateVersionDeps = {
    versions: stores.versions,
    settings,
    system: () => ({ id: instance.systemId, rev: build.revision, version: config.systemVersion }),
    newId: newUid,
    now: () => clock.now(),
  };
  const services: Services = {
    config,
    clock,
    instance,
    build,
    backend: database.backend,
    auth: { authenticate: (u, p, address) => authenticate(authDeps, u, p, address) },
    users: { create: (input, actorId) => createUser(userAdmin, input, actorId) },
    metadata: {
      store: stores.metadata,
      import: async (body, params, actorId) => {
        const report = await importer(body, params, actorId);
        // Only what was written counts: not validations, not a rejected all-or-nothing import.
        if (
          params.importMode === 'COMMIT' &&
          (params.atomicMode === 'NONE' || report.status !== 'ERROR')
        )
          metrics.countImport('api', report.stats);
        return report;
      },
    },
    metrics,
    data: createDataService({ store: stores.data, clock, newUid }),
    jobs: createJobService({
      store: stores.jobs,
      clock,
      newUid,
      scheduler: () => schedulerRef.current,
    }),
    email: createEmailService({ mailer, systemName }),
    sync,
    versions: {
      store: stores.versions,
      create: (input) => createVersion(versionDeps, input),
      preview: () => previewVersion(versionDeps),
    },
    settings,
    checkDatabase: async () => {
      await database.db.selectFrom('instance').select('id').limit(1).execute();
    },
    pendingMigrations: () => pendingMigrations(database.db),
  };
  return { services, stores, userAdmin, schedulerRef };
}

export async function createInstance(config: Config, options: InstanceOptions): Promise<Instance> {
  const { logger } = options;
  const database = options.database ?? (await openConfiguredDatabase(config));
  try {
    const { services, userAdmin, stores, schedulerRef } = await createServices(
      config,
      database,
      options.clock,
      logger,
    );
    // The scheduler (issue 8) exists from here so "execute now" works; its timers start with
    // listen() (the serve command) and it stops first in stop().
    const scheduler = createScheduler({
      jobs: stores.jobs,
      sync: services.sync,
      clock: services.clock,
      log: (level, obj, msg) => logger[level](obj, msg),
      catchUp: config.schedulerCatchUp,
      reconcileMs: config.schedulerReconcileMs,
      shutdownGraceMs: config.schedulerShutdownGraceMs,
    });
    schedulerRef.current = scheduler;
    // A run left RUNNING by a process that died (kill -9) reads INTERRUPTED from the start.
    await services.sync
      .recover()
      .catch((e: unknown) => logger.warn({ err: e }, 'could not close the runs of a dead process'));
    if (!config.encryptionPassword)
      logger.warn(
        'encryption.password is not set in the config file: secret settings are encrypted with a key stored in the database',
      );

    const adminPassword = config.adminPassword ?? newPassword();
    const { created } = await ensureSuperuser(userAdmin, adminPassword);
    if (created)
      logger.info(
        { username: 'admin' },
        'created the superuser "admin" (role Superuser, authority ALL)',
      );

    const app = await buildApp(services, { logger });
    let stopped = false;
    return {
      services,
      app,
      database,
      generatedAdminPassword: created && !config.adminPassword ? adminPassword : null,
      async listen() {
        const url = await app.listen({ host: config.host, port: config.port });
        await scheduler.start();
        return url;
      },
      async stop() {
        if (stopped) return;
        stopped = true;
        // First: no new scheduled runs; a running one finishes or is marked INTERRUPTED.
        await scheduler.stop();
        await app.close(); // stops accepting, lets in-flight requests finish
        await database.close();
      },
    };
  } catch (e) {
    await database.close();
    throw e;
  }
}
