/**
 * The metadata sync (issue 6) with the data push before the pull (contract §11, issue 7), to the
 * same central with the same account. `onFinished` gets each settled run (metrics, mails);
 * `transferCounters` every byte a run moves (issue 19 §6), through the run's meter that both
 * clients count on.
 */
import { createHttpCentralClient } from '../central/http-central-client.ts';
import { createHttpDataClient } from '../central/http-data-client.ts';
import { createHistoryCache } from '../central/history-cache.ts';
import type { Config } from '../config.ts';
import type { DriftHooks } from '../domain/drift/drift-service.ts';
import type { ImportDeps } from '../domain/metadata/import-metadata.ts';
import type { SettingsService } from '../domain/settings/settings-service.ts';
import type { SyncReport } from '../domain/sync/sync-report.ts';
import { runState } from '../domain/versioning/fleet-report.ts';
import { createDataPush } from '../sync/data-push.ts';
import { createFleetUpward } from '../sync/fleet-upward.ts';
import type { TransferCounters } from '../sync/run-transfer.ts';
import { createSyncService, type SyncServiceDeps } from '../sync/sync-service.ts';
import type { Ports } from './ports.ts';

export function syncFeature(
  ports: Ports,
  config: Config,
  settings: SettingsService,
  centralKey: NonNullable<SyncServiceDeps['centralKey']>,
  importDeps: ImportDeps,
  onFinished: (report: SyncReport) => Promise<void>,
  transferCounters?: TransferCounters,
  drift?: DriftHooks,
) {
  const { stores, clock, logger } = ports;
  // The history answers and their ETags outlive a run's client (issue 19 §4).
  const historyCache = createHistoryCache();
  return createSyncService({
    onFinished,
    importDeps,
    ...(drift ? { drift } : {}),
    versions: stores.versions,
    settings,
    centralKey,
    store: stores.sync,
    clock,
    ...(transferCounters ? { transferCounters } : {}),
    // `run` carries the run's meter; the metadata client counts every body byte on it (issue 19
    // §6, CentralConfig.meter).
    central: async (remote, run) =>
      createHttpCentralClient({
        ...remote,
        ...run,
        systemId: ports.instance.systemId,
        systemName: await settings.get('applicationTitle'),
        // The last finished run's state, read at each history call (issue 21 §4).
        syncState: async () =>
          runState((await stores.sync.list(5)).find((r) => r.status !== 'RUNNING') ?? null),
        // Issue 19 §3: silence fails a call; the remote timeout, when set, bounds every call.
        inactivityMs: config.syncInactivityMs,
        ...(config.syncRemoteTimeoutMs ? { timeoutMs: config.syncRemoteTimeoutMs } : {}),
        partials: stores.partialDownloads,
        historyCache,
      }),
    partials: stores.partialDownloads,
    localSystemVersion: config.systemVersion,
    retries: config.syncRetry,
    retryDelayMs: config.syncRetryFrequencyMs,
    dataPush: createDataPush({
      store: stores.data,
      clock,
      settings,
      client: async (link) =>
        createHttpDataClient({
          ...link,
          inactivityMs: config.syncInactivityMs,
          url: await settings.get('keyRemoteInstanceUrl'),
          username: await settings.get('keyRemoteInstanceUsername'),
          password: await settings.get('keyRemoteInstancePassword'),
          maxAttempts: await settings.get('syncMaxAttempts'),
          ...(config.syncRemoteTimeoutMs ? { timeoutMs: config.syncRemoteTimeoutMs } : {}),
        }),
    }),
    log: (obj, msg) => logger.info(obj, msg),
    fleet: createFleetUpward({
      systemId: ports.instance.systemId,
      versions: stores.versions,
      settings,
      log: (obj, msg) => logger.warn(obj, msg),
    }),
  });
}
