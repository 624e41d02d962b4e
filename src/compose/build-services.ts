/**
 * The composition root's one typed function (house rule 2): ports and config in, the `Services`
 * record out, feature by feature. Each feature factory takes what it needs as arguments, in the
 * order built here, so no service holds a late-bound reference to another: the sync records its
 * runs in the metrics recorder built before it, and the scrape reads the sync status through
 * `withSources`, bound after. The scheduler is returned beside the services: the instance starts
 * and stops it (`main.ts`), the HTTP layer never sees it.
 */
import type { Config } from '../config.ts';
import { createDataService } from '../domain/data/import-data.ts';
import { createDriftService } from '../domain/drift/drift-service.ts';
import { storedSnapshots } from '../sync/stored-snapshots.ts';
import { createRolloutService } from '../domain/rollout/rollout-service.ts';
import { createSettingsService } from '../domain/settings/settings-service.ts';
import { createMetrics, withSources } from '../metrics/metrics.ts';
import type { Scheduler } from '../jobs/scheduler.ts';
import type { Services } from '../services.ts';
import { authFeature } from './auth-feature.ts';
import { bundlesFeature } from './bundles-feature.ts';
import { dataBundlesFeature } from './data-bundles-feature.ts';
import { jobsFeature } from './jobs-feature.ts';
import { mailFeature } from './mail-feature.ts';
import { metadataFeature } from './metadata-feature.ts';
import type { Ports } from './ports.ts';
import { signingFeature } from './signing-feature.ts';
import { syncFeature } from './sync-feature.ts';
import { versionsFeature } from './versions-feature.ts';

export interface Composition {
  services: Services;
  scheduler: Scheduler;
}

export async function buildServices(ports: Ports, config: Config): Promise<Composition> {
  const { stores, clock } = ports;
  const settings = createSettingsService({ store: stores.settings, box: ports.box, clock });
  const recorder = createMetrics();
  const metadata = metadataFeature(ports, recorder.countImport);
  const { email, notifySync, notifyRollout } = mailFeature(ports, settings);
  const rollout = createRolloutService({
    versions: stores.versions,
    store: stores.rollout,
    audit: (e) => stores.sync.audit(e),
    setVersionSetting: (name, trx) => settings.update({ keySystemMetadataVersion: name }, trx),
    notify: notifyRollout,
    now: () => clock.now(),
  });
  const signing = signingFeature(ports, settings);
  const drift = createDriftService({
    store: stores.drift,
    metadata: stores.metadata,
    versions: stores.versions,
    implied: {
      snapshots: storedSnapshots(stores.versions),
      basePayloads: (keys) => stores.drift.basePayloads(keys),
    },
    now: () => clock.now(),
    importDeps: metadata.importDeps,
    audit: stores.sync,
  });
  const data = createDataService({ store: stores.data, clock, newUid: ports.newUid });
  const sync = syncFeature(
    ports,
    config,
    settings,
    signing.observe,
    metadata.importDeps,
    async (report) => {
      recorder.syncFinished(report);
      await notifySync(report);
    },
    recorder.transferCounters,
    drift,
  );
  const { scheduler, jobs } = jobsFeature(ports, config, sync);
  const services: Services = {
    config,
    clock,
    instance: ports.instance,
    build: ports.build,
    backend: ports.database.backend,
    ...(await authFeature(ports, config, settings, metadata.importer)),
    metadata: metadata.service,
    metrics: withSources(recorder, {
      versionsBehind: async () => (await sync.status()).behindBy ?? null,
      drift: () => drift.summary(),
    }),
    data,
    jobs,
    email,
    sync,
    signing,
    versions: versionsFeature(ports, config, settings, rollout.initialState),
    rollout,
    drift,
    bundles: bundlesFeature(ports, settings, signing, sync),
    dataBundles: dataBundlesFeature(ports, settings, signing, data),
    settings,
    checkDatabase: () => ports.database.check(),
    pendingMigrations: () => ports.database.pendingMigrations(),
  };
  return { services, scheduler };
}
