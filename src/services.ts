/**
 * The typed record of use cases the composition root (`compose/build-services.ts`) builds and
 * both the HTTP layer and the CLI receive (house rule 2). Tests build the same record through
 * `buildServices`, directly or through `createInstance`.
 */
import type { BundleImportInput, BundleImportStarted } from './bundle/bundle-import.ts';
import type { AuthResult } from './domain/auth/authenticate.ts';
import type { CreateUserInput, Importer } from './domain/auth/user-admin.ts';
import type { ImportActor } from './domain/metadata/import-metadata.ts';
import type { ImportParams } from './domain/metadata/import-params.ts';
import type { ImportReport } from './domain/metadata/import-report.ts';
import type { SnapshotMember } from './domain/sync/central-client.ts';
import type { User } from './domain/auth/users.ts';
import type {
  Clock,
  InstanceInfo,
  MetadataStore,
  VersionPreview,
  VersionStore,
} from './domain/ports.ts';
import type { DriftService } from './domain/drift/drift.ts';
import type { RolloutService } from './domain/rollout/rollout-service.ts';
import type { SettingsService } from './domain/settings/settings-service.ts';
import type { FleetDepth, FleetLocal } from './domain/versioning/fleet.ts';
import type { ReportedLocal } from './domain/versioning/fleet-report.ts';
import type { DataService } from './domain/data/import-data.ts';
import type { MetadataVersion, VersionType } from './domain/versioning/version.ts';
import type { BuildInfo } from './build-info.ts';
import type { BundleExport } from './bundle/bundle-export.ts';
import type { BundleRange } from './domain/bundle/bundle-range.ts';
import type { Config } from './config.ts';
import type { SyncService } from './sync/sync-service.ts';
import type { SigningService } from './compose/signing-feature.ts';
import type { DataBundlesService } from './compose/data-bundles-feature.ts';
import type { JobService } from './jobs/job-service.ts';
import type { EmailService } from './mail/email-service.ts';
import type { Metrics } from './metrics/metrics.ts';

export interface Services {
  config: Config;
  clock: Clock;
  instance: InstanceInfo;
  build: BuildInfo;
  backend: 'pglite' | 'postgres';
  /** `address`: the client's, as Fastify resolved it (`request.ip`): the lock key (issue 16 §6). */
  auth: { authenticate(username: string, password: string, address?: string): Promise<AuthResult> };
  users: {
    /** `metasync user create`; the actor defaults to the instance (superuser, ALL). */
    create(input: CreateUserInput, actor?: ImportActor): Promise<User>;
    /** Creates role Superuser and user admin when the instance has no user (first start). */
    ensureSuperuser(password: string): Promise<{ created: boolean }>;
  };
  metadata: MetadataService;
  /** Aggregate data, complete registrations and anonymous events (issue 7). */
  data: DataService;
  sync: SyncService;
  /**
   * The instance's Ed25519 signing key (`key()`: the `BundleSigner`, 409 when sealed under
   * another encryption.password; `publicKey()`: its public half, never unsealing) and the central
   * key this local pinned (`pinned()`: the `TrustedKey` or null; `pin`, `unpin`: audited), issue
   * 20 §1.
   */
  signing: SigningService;
  /** Job configurations and "execute now" (issue 8). */
  jobs: JobService;
  /** The test mail (issue 8); sync mails go through the sync service's onFinished hook. */
  email: EmailService;
  /** The central's versions: what the routes and the CLI read, and the use cases that write. */
  versions: Pick<VersionStore, 'list' | 'byName' | 'latest' | 'readSnapshot' | 'recordFleet'> & {
    /**
     * The locals that read this central's history, and how far behind each is; `all`: with
     * those its relays reported below them (issue 21 §4).
     */
    fleet(depth?: FleetDepth): Promise<FleetLocal[]>;
    /** A relay's report of its downstream: replaces its earlier one; the entries kept. */
    reportDownstream(relay: string, locals: readonly ReportedLocal[]): Promise<number>;
    create(input: {
      type: VersionType;
      force: boolean;
      authorities: ReadonlySet<string>;
    }): Promise<MetadataVersion>;
    /** What the next version would hold (GET /api/metadata/version/preview). */
    preview(): Promise<VersionPreview>;
  };
  /** Staged rollout (issue 22): rings, version states, canary outcomes, release/hold/withdraw. */
  rollout: RolloutService;
  /** Drift (issue 23): what was changed locally behind the central's back, and its repair. */
  drift: DriftService;
  /** Offline bundles (issue 20): a central's export of a range of versions, signed. */
  bundles: {
    /** `baseUrl`: this instance's public address, as the manifest names it (null: unknown). */
    export(range: BundleRange, baseUrl: string | null): Promise<BundleExport>;
    /**
     * A local's import of a bundle file (issue 20 §3): checked whole, then imported by a sync
     * run (trigger BUNDLE); throws BUNDLE_REFUSED before importing anything it refuses.
     */
    import(input: BundleImportInput): Promise<BundleImportStarted>;
  };
  /** Data bundles (issue 20 §5): a local's data by USB stick, and the locals' keys a central pins. */
  dataBundles: DataBundlesService;
  settings: SettingsService;
  /** Resolves when the database answers; rejects otherwise. */
  checkDatabase(): Promise<void>;
  /** Migrations this code knows that the database has not applied (readiness, issue 10). */
  pendingMigrations(): Promise<string[]>;
  /** Prometheus metrics of this instance (issue 10 §6). */
  metrics: Metrics;
}

/**
 * The metadata import (the escalation rule is checked inside it, issue 17 §3) and the reads the
 * export and per-type routes answer from.
 */
export interface MetadataService extends Pick<
  MetadataStore,
  'get' | 'list' | 'listSince' | 'referencing' | 'changeSeq'
> {
  import: Importer;
  /** The import of a large body read as its members, twice (issue 18 §1). */
  importStreamed: (
    members: () => AsyncIterable<SnapshotMember>,
    params: ImportParams,
    actor: ImportActor,
  ) => Promise<ImportReport>;
}
