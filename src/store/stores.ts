/** All Kysely-backed store adapters over one database, as the composition root wires them. */
import type { Kysely } from 'kysely';
import { createKyselyInstanceStore } from './kysely-instance-store.ts';
import { createKyselyJobStore } from './kysely-job-store.ts';
import { createKyselyLocalKeyStore } from './kysely-local-key-store.ts';
import { createKyselyLoginFailureStore } from './kysely-login-failure-store.ts';
import { createKyselyMetadataStore } from './kysely-metadata-store.ts';
import { createKyselyRolloutStore } from './kysely-rollout-store.ts';
import { createKyselyDriftStore } from './kysely-drift-store.ts';
import { createKyselyPartialDownloadStore } from './kysely-partial-download-store.ts';
import { createKyselySettingStore } from './kysely-setting-store.ts';
import { createKyselySyncStore } from './kysely-sync-store.ts';
import { createKyselyDataStore } from './kysely-data-store.ts';
import { createKyselyUserStore } from './kysely-user-store.ts';
import { createKyselyVersionStore } from './kysely-version-store.ts';
import type { Database } from './schema.ts';

export function createStores(db: Kysely<Database>) {
  return {
    instance: createKyselyInstanceStore(db),
    users: createKyselyUserStore(db),
    settings: createKyselySettingStore(db),
    loginFailures: createKyselyLoginFailureStore(db),
    metadata: createKyselyMetadataStore(db),
    versions: createKyselyVersionStore(db),
    sync: createKyselySyncStore(db),
    data: createKyselyDataStore(db),
    jobs: createKyselyJobStore(db),
    partialDownloads: createKyselyPartialDownloadStore(db),
    localKeys: createKyselyLocalKeyStore(db),
    rollout: createKyselyRolloutStore(db),
    drift: createKyselyDriftStore(db),
  };
}

export type Stores = ReturnType<typeof createStores>;
