/**
 * Wires the sync subsystem (src/domain/sync) to its adapters: the HTTP central client built from
 * the remote settings, the lease and report store, and this process's view of which runs are
 * alive. The HTTP routes, the CLI and the scheduler (issue 8) reach runs, reports, the status and
 * the rebaseline only through here (issue 17 §2). The report's lifecycle is report-lifecycle.ts's;
 * the lease's heartbeat (a run that lost the lease stops at its next safe point) is
 * lease-heartbeat.ts's; which holders are alive, process-liveness.ts's.
 */
import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { AppError, ErrorCode } from '../domain/errors.ts';
import type { ImportDeps } from '../domain/metadata/import-metadata.ts';
import type { Clock, PartialDownloadStore, VersionStore } from '../domain/ports.ts';
import type { SettingsService } from '../domain/settings/settings-service.ts';
import type { CentralClient, TransferMeter } from '../domain/sync/central-client.ts';
import { rebaseline as rebaselineOp, REBASELINE } from '../domain/sync/rebaseline.ts';
import { createReportLifecycle, INTERRUPTED_BY_DEATH } from '../domain/sync/report-lifecycle.ts';
import {
  runSync,
  type DataPushResult,
  type SyncDeps,
  type SyncEvent,
} from '../domain/sync/run-sync.ts';
import type { SyncStore } from '../domain/sync/sync-ports.ts';
import type { CentralKeyNote } from '../domain/bundle/key-pinning.ts';
import type { SyncReport, Trigger } from '../domain/sync/sync-report.ts';
import { syncStatus, type SyncStatus } from '../domain/sync/sync-status.ts';
import type { DataPushOptions } from './data-push.ts';
import type { FleetUpward } from './fleet-upward.ts';
import type { DriftHooks } from '../domain/drift/drift-service.ts';
import { startLeaseHeartbeat } from './lease-heartbeat.ts';
import { createRunTransfer, type TransferCounters } from './run-transfer.ts';
import { activeRuns as active, holderAlive, thisHolder } from './process-liveness.ts';
import { reportOutcomes } from './outcome-report.ts';
import { createRemoteCheck } from './remote-check.ts';

const LEASE_MS = 60_000;
/** How long a finished report that could not be saved is retried (the database is down). */
const FINAL_SAVE_MS = 10 * 60_000;
/** How long a start waits for an earlier run's report to reach its returning database. */
const FINISH_WAIT_MS = 2_000;
/** How often a download's progress is saved to the running report (the UI polls it). */
const PROGRESS_SAVE_MS = 1_000;

/** The remote settings a run reads (keyRemoteInstanceUrl, …Username, …Password). */
export interface RemoteSettings {
  url: string;
  username: string;
  password: string;
}

export interface SyncServiceDeps {
  importDeps: ImportDeps;
  versions: VersionStore;
  settings: SettingsService;
  store: SyncStore;
  clock: Clock;
  /**
   * The client of the central at the remote settings of the moment (read per run, so an edit
   * applies to the next run): the composition root gives the HTTP client, unit tests a fake.
   */
  central: (
    remote: RemoteSettings,
    run?: { meter: TransferMeter },
  ) => CentralClient | Promise<CentralClient>;
  localSystemVersion: string;
  retries: number;
  retryDelayMs: number;
  /**
   * The data push, told the central's release (issue 16 §4); a scheduled job may set its own
   * page size (jobParameters.dataValuesPageSize).
   */
  dataPush: (options?: DataPushOptions) => Promise<DataPushResult>;
  log: (obj: Record<string, unknown>, msg: string) => void;
  /**
   * Called once the run has settled and released its lease (issue 8: the e-mails). It may add
   * to the report and save it; it must not throw, and if it does the error is only logged.
   */
  onFinished?: (report: SyncReport) => Promise<void>;
  /** The central's signing key against the pinned one (issue 20 §1; `KeyPinning.observe`). */
  centralKey?: SyncDeps['centralKey'];
  /** Broken-off downloads kept for resuming (issue 19 §2): pruned and dropped by the run. */
  partials?: PartialDownloadStore;
  /** Every byte a run moves, as it moves (issue 19 §6: `metasync_sync_bytes_total`). */
  transferCounters?: TransferCounters;
  /** Tests shorten the lease (default 60 s); the heartbeat renews it every third of it. */
  leaseMs?: number;
  /** A relay's fleet report after each run and its status's downstream (issue 21 §4, §5). */
  fleet?: FleetUpward;
  /** Drift (issue 23 §3): counted after each run, told to each import, rebased by a rebaseline. */
  drift?: DriftHooks;
}

export interface StartInput {
  trigger: Trigger;
  triggeredBy: string | null;
  actorId: string;
  upTo?: string;
  /** From a scheduled job's parameters; otherwise the `dataValuesPageSize` setting applies. */
  dataValuesPageSize?: number;
  onEvent?: (e: SyncEvent) => void;
  /**
   * An offline source in place of the configured central (issue 20 §3: a bundle): the run reads
   * it through `client`, pushes no data (`dataPush` is the step's outcome), is not retried
   * (nothing in a file is transient) and tells no central its version afterwards.
   */
  offline?: {
    client: CentralClient;
    dataPush: DataPushResult;
    /** The source's key against the pinned one, for the report (a bundle was checked before). */
    signingKey?: CentralKeyNote;
  };
}

export function createSyncService(deps: SyncServiceDeps) {
  const leaseMs = deps.leaseMs ?? LEASE_MS;
  const remote = async () => ({
    url: await deps.settings.get('keyRemoteInstanceUrl'),
    username: await deps.settings.get('keyRemoteInstanceUsername'),
    password: await deps.settings.get('keyRemoteInstancePassword'),
  });
  const client = async () => deps.central(await remote());
  const now = () => deps.clock.now();
  const lifecycle = createReportLifecycle({
    reports: deps.store,
    lease: deps.store,
    now,
    sleep: (ms) => new Promise((r) => setTimeout(r, ms).unref()),
    finalSaveMs: FINAL_SAVE_MS,
    log: deps.log,
  });
  /**
   * Finished reports of this process that their database has not taken yet (it is away): reads
   * answer with these, so a run that failed reads FAILED with its cause at once, not RUNNING.
   */
  const unsaved = new Map<string, SyncReport>();
  /** The background saves of those reports; each releases the lease when it lands. */
  const finishing = new Set<Promise<void>>();
  const overlay = (r: SyncReport) => unsaved.get(r.id) ?? r;
  const remoteCheck = createRemoteCheck({
    client,
    versions: deps.versions,
    settings: deps.settings,
    now,
    log: deps.log,
  });

  /** Starts a run; rejects with 409 when another run holds the lease. `done` settles with the report. */
  async function start(
    input: StartInput,
  ): Promise<{ report: SyncReport; done: Promise<SyncReport> }> {
    const id = randomUUID();
    // A run of this process whose report waits for its database still holds the lease; once the
    // database is back its save is at most a second of back-off away (report-lifecycle `finish`),
    // so a start right after an outage waits for it rather than answering 409 for a run that has
    // already ended (seen in the database-fault suite: the retry came 0.3 s too early).
    if (finishing.size > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.allSettled([...finishing]),
        new Promise((r) => (timer = setTimeout(r, FINISH_WAIT_MS))),
      ]);
      clearTimeout(timer);
    }
    // Active before the lease is taken: another start in this process that reads the lease
    // between its commit and the line after this await must see a live holder, not a dead one
    // (two runs overlapped: scale-out test, a scheduled tick and a manual run in one process).
    active.add(id);
    const lease = await deps.store
      .acquire(id, thisHolder(), leaseMs, holderAlive)
      .catch((e: unknown) => {
        active.delete(id);
        throw e;
      });
    if (!lease.ok) {
      active.delete(id);
      throw new AppError(
        ErrorCode.CONFLICT,
        `A metadata sync is already running (report ${lease.holder}); try again when it has finished`,
        { details: { runningReport: lease.holder } },
      );
    }
    // The lease was taken from a dead holder: its run did not finish.
    if (lease.replaced)
      await lifecycle.interrupt(lease.replaced, INTERRUPTED_BY_DEATH).catch((e: unknown) => {
        deps.log({ reportId: lease.replaced, err: e }, 'could not close a dead run');
      });
    // The run starts once it holds the lease: a start time read before (while waiting for a
    // database connection or the lease row) could fall before the previous run's end, and a
    // report would then claim two runs overlapped.
    let report: SyncReport;
    try {
      report = await lifecycle.open(id, input.trigger, input.triggeredBy);
    } catch (e) {
      active.delete(id);
      await deps.store.release(id).catch(() => undefined);
      throw e;
    }
    const heartbeat = startLeaseHeartbeat(deps.store, report.id, leaseMs, now);
    deps.log({ reportId: report.id, trigger: input.trigger }, 'metadata sync started');
    let pending = false;
    // The run's bytes (issue 19 §6): counted by its clients, saved with every save of the report,
    // and a download's progress saved at most every second so the UI's live view sees it grow.
    const transfer = createRunTransfer(deps.transferCounters);
    let saves: Promise<unknown> = Promise.resolve();
    let progressQueued = false;
    let progressSavedAt = 0;
    /** Saves in order: a progress save never lands after a later save of the run. */
    const save = (r: SyncReport): Promise<void> => {
      const saved = saves.then(() => {
        r.transfer = transfer.report(r);
        return lifecycle.save(r);
      });
      saves = saved.catch(() => undefined);
      return saved;
    };
    const saveProgress = () => {
      const at = Date.now();
      if (progressQueued || at - progressSavedAt < PROGRESS_SAVE_MS) return;
      progressQueued = true;
      progressSavedAt = at;
      save(report)
        .catch((e: unknown) => deps.log({ reportId: report.id, err: e }, 'progress not saved'))
        .finally(() => (progressQueued = false));
    };
    /** The central the run reached (not an offline source): told the fleet after the run. */
    let upstream: CentralClient | null = null;
    const settled = (async () => {
      try {
        const { offline } = input;
        const central =
          offline?.client ?? (await deps.central(await remote(), { meter: transfer.meter }));
        if (offline?.signingKey) report.signingKey = offline.signingKey;
        const finished = await runSync(
          {
            client: central,
            ...(deps.drift ? { drifted: deps.drift.candidates } : {}),
            importDeps: deps.importDeps,
            versions: deps.versions,
            settings: deps.settings,
            saveReport: save,
            dataPush: (info) =>
              offline
                ? Promise.resolve(offline.dataPush)
                : deps.dataPush({
                    central: info,
                    meter: transfer.meter,
                    ...(input.dataValuesPageSize
                      ? { dataValuesPageSize: input.dataValuesPageSize }
                      : {}),
                  }),
            sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
            gzip: (b) => gzipSync(b),
            retries: offline ? 1 : deps.retries,
            retryDelayMs: deps.retryDelayMs,
            localSystemVersion: deps.localSystemVersion,
            onEvent: (e) => {
              // Saved with the step right after: when `remoteVersion` was true.
              if (e.kind === 'step' && e.step === 'history' && e.status === 'SUCCESS')
                report.remoteCheckedAt = now().toISOString();
              transfer.follow(e);
              if (e.kind === 'download') saveProgress();
              input.onEvent?.(e);
            },
            checkpoint: heartbeat.checkpoint,
            ...(deps.partials ? { partials: deps.partials } : {}),
            ...(deps.centralKey && !offline ? { centralKey: deps.centralKey } : {}),
          },
          { report, actorId: input.actorId, ...(input.upTo ? { upTo: input.upTo } : {}) },
          now,
        );
        deps.log(
          {
            reportId: report.id,
            status: finished.status,
            error: finished.error,
            versions: finished.versions.length,
            // A central showing another key than the pinned one is worth an operator's eye.
            ...(finished.signingKey?.outcome === 'CHANGED'
              ? { signingKey: finished.signingKey }
              : {}),
          },
          'metadata sync finished',
        );
        if (finished.status === 'SUCCESS' && !offline)
          await remoteCheck.tellCentral(central, finished);
        if (!offline) upstream = central;
        if (!offline && finished.central?.metasync)
          await reportOutcomes(central, finished, deps.log);
        return finished;
      } catch (e) {
        // A bug or a broken database: the run is recorded as failed, never left RUNNING.
        lifecycle.crashed(report, e);
        pending = await save(report).then(
          () => false,
          () => true,
        );
        if (pending) unsaved.set(report.id, report);
        deps.log({ reportId: report.id, err: e }, 'metadata sync crashed');
        return report;
      } finally {
        // A report that could not be saved (issue 10 §1: PostgreSQL unreachable mid-run) is saved
        // as soon as the database is back, in the background so the caller gets its answer now;
        // until then this process still holds the run, so no other run starts over it.
        const finish = async () => {
          if (pending) await lifecycle.finish(report);
          unsaved.delete(report.id);
          heartbeat.stop();
          active.delete(report.id);
          await deps.store.release(report.id).catch(() => undefined);
        };
        if (pending) {
          const saving = finish().finally(() => finishing.delete(saving));
          finishing.add(saving);
        } else await finish();
      }
    })();
    // A relay's fleet report (issue 21 §4) goes once the run has released its lease, as the
    // mails do: the run is over, and a status read meanwhile says so rather than RUNNING.
    const reported = settled.then(async (finished) => {
      // The drift now, in the report the mails read (issue 23 §3); a failed count is logged.
      if (deps.drift)
        await deps.drift
          .afterRun()
          .then(async (drift) => {
            if (!drift) return;
            finished.drift = drift;
            await save(finished);
          })
          .catch((e: unknown) =>
            deps.log({ reportId: finished.id, err: e }, 'drift count after the run failed'),
          );
      if (upstream && deps.fleet)
        await deps.fleet
          .afterRun(upstream, finished, save)
          .catch((e: unknown) =>
            deps.log({ reportId: finished.id, err: e }, 'fleet report after the run failed'),
          );
      return finished;
    });
    const { onFinished } = deps;
    const done = onFinished
      ? reported.then(async (finished) => {
          await onFinished(finished).catch((e: unknown) =>
            deps.log({ reportId: finished.id, err: e }, 'sync onFinished hook failed'),
          );
          return finished;
        })
      : reported;
    return { report, done };
  }

  async function status(options: { refresh?: boolean } = {}): Promise<SyncStatus> {
    const cfg = await remote();
    const configured = Boolean(cfg.url && cfg.username && cfg.password);
    if (options.refresh && configured) await remoteCheck.refresh();
    const [current, recent, lastSuccess, running, rebaselined] = await Promise.all([
      deps.versions.latest(),
      deps.store.list(1).then((r) => lifecycle.settle(r.map(overlay), holderAlive)),
      deps.store.lastSuccess(),
      lifecycle.running(holderAlive),
      deps.store.lastAudit(REBASELINE),
    ]);
    const last = recent[0] ?? null;
    const checks = [
      last?.remoteCheckedAt,
      lastSuccess?.remoteCheckedAt,
      remoteCheck.last().at,
    ].filter((t): t is string => Boolean(t));
    return syncStatus({
      configured,
      running: running && !unsaved.has(running) ? running : null,
      last,
      lastSuccess,
      current,
      remoteVersion: (await deps.settings.get('keyRemoteMetadataVersion')) || null,
      remoteCheckedAt: checks.sort().at(-1) ?? null,
      remoteCheckError: options.refresh ? remoteCheck.last().error : null,
      rebaselinedAt: rebaselined?.at ?? null,
      systemVersion: deps.localSystemVersion,
      relay: (await deps.fleet?.status(cfg.url)) ?? null,
      drift: (await deps.drift?.summary()) ?? null,
    });
  }

  /** The audited recovery: take the central's `to` as this instance's current version (issue 6 §6). */
  async function rebaseline(input: { to: string; reason: string; username: string }) {
    const details = await rebaselineOp(
      { central: client, versions: deps.versions, audit: deps.store, now },
      input,
    );
    // A rebaseline is a new base (issue 23 §1): the state now is what is implied from here on.
    await deps.drift?.rebase(details.to, now());
    deps.log(
      { ...details, username: input.username, reason: input.reason },
      'metadata sync rebaselined',
    );
    return details;
  }

  return {
    start,
    status,
    rebaseline,
    remote,
    /** Reports newest first; a RUNNING one whose run is gone reads (and is saved) INTERRUPTED. */
    reports: async (limit: number) =>
      lifecycle.settle((await deps.store.list(limit)).map(overlay), holderAlive),
    report: async (id: string) => {
      const r = unsaved.get(id) ?? (await deps.store.get(id));
      return r ? ((await lifecycle.settle([r], holderAlive))[0] ?? r) : null;
    },
    audits: () => deps.store.audits(),
    /** The local version of that name (the manual sync's answer), or null. */
    localVersion: (name: string) => deps.versions.byName(name),
    /** Closes a run's report as INTERRUPTED and frees its lease (the scheduler's shutdown). */
    interrupt: (reportId: string, message: string) => lifecycle.interrupt(reportId, message),
    /**
     * At start-up: a run left RUNNING by a process that is gone (kill -9) reads INTERRUPTED at
     * once, and its lease is freed when its holder is known dead.
     */
    async recover(): Promise<void> {
      await lifecycle.running(holderAlive);
      await lifecycle.settle(await deps.store.list(20), holderAlive);
      // Partials of versions imported meanwhile (by another process) go at once (issue 19 §2).
      await deps.partials?.pruneImported();
    },
  };
}

export type SyncService = ReturnType<typeof createSyncService>;
