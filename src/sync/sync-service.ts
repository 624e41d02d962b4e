/**
 * Wires the sync run (src/domain/sync) to its adapters: the HTTP central client built from the
 * remote settings, the lease that keeps one run at a time, reports, and the audited rebaseline
 * (issue 6). Both the HTTP routes, the CLI and (issue 8) the scheduler start runs through here.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { gzipSync } from 'node:zlib';
import { createHttpCentralClient } from '../central/http-central-client.ts';
import { AppError, ErrorCode } from '../domain/errors.ts';
import type { ImportDeps } from '../domain/metadata/import-metadata.ts';
import type { Clock, VersionStore } from '../domain/ports.ts';
import type { SettingsService } from '../domain/settings/settings-service.ts';
import type { CentralClient } from '../domain/sync/central-client.ts';
import { runSync, type DataPushResult, type SyncEvent } from '../domain/sync/run-sync.ts';
import { newReport, setStep, type SyncReport, type Trigger } from '../domain/sync/sync-report.ts';
import { syncStatus, type SyncStatus } from '../domain/sync/sync-status.ts';
import { versionNumber } from '../domain/versioning/version.ts';
import type { SyncStore } from '../store/kysely-sync-store.ts';
import type { DataPushOptions } from './data-push.ts';

const LEASE_MS = 60_000;
/** How long a finished report that could not be saved is retried (the database is down). */
const FINAL_SAVE_MS = 10 * 60_000;

/** Runs started by this process and not yet finished. */
const active = new Set<string>();

/** Whether a lease holder (`host:pid`) is alive, when this process can tell; null otherwise. */
function holderAlive(holder: string, reportId: string): boolean | null {
  const [host, pidText] = holder.split(':');
  if (host !== hostname()) return null;
  const pid = Number(pidText);
  if (pid === process.pid) return active.has(reportId);
  try {
    process.kill(pid, 0); // signal 0: existence check only
    return null; // alive, but its run's state is not known here: trust the expiry
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM' ? null : false;
  }
}

export interface SyncServiceDeps {
  importDeps: ImportDeps;
  versions: VersionStore;
  settings: SettingsService;
  store: SyncStore;
  clock: Clock;
  systemId: string;
  systemName: () => Promise<string>;
  localSystemVersion: string;
  retries: number;
  retryDelayMs: number;
  /** The limit of each call to the central (config metadata.sync.remote.timeout.millisec). */
  remoteTimeoutMs?: number | null;
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
  /** Tests replace the central client (e.g. with one pointing at a proxy). */
  clientFactory?: (cfg: { url: string; username: string; password: string }) => CentralClient;
}

export interface StartInput {
  trigger: Trigger;
  triggeredBy: string | null;
  actorId: string;
  upTo?: string;
  /** From a scheduled job's parameters; otherwise the `dataValuesPageSize` setting applies. */
  dataValuesPageSize?: number;
  onEvent?: (e: SyncEvent) => void;
}

export function createSyncService(deps: SyncServiceDeps) {
  const text = async (key: string) => String((await deps.settings.value(key)) ?? '');
  const remote = async () => ({
    url: await text('keyRemoteInstanceUrl'),
    username: await text('keyRemoteInstanceUsername'),
    password: await text('keyRemoteInstancePassword'),
  });
  const client = async () => {
    const cfg = await remote();
    return deps.clientFactory
      ? deps.clientFactory(cfg)
      : createHttpCentralClient({
          ...cfg,
          systemId: deps.systemId,
          systemName: await deps.systemName(),
          ...(deps.remoteTimeoutMs
            ? { timeoutMs: deps.remoteTimeoutMs, downloadTimeoutMs: deps.remoteTimeoutMs }
            : {}),
        });
  };

  /** Starts a run; rejects with 409 when another run holds the lease. `done` settles with the report. */
  async function start(
    input: StartInput,
  ): Promise<{ report: SyncReport; done: Promise<SyncReport> }> {
    const id = randomUUID();
    // Active before the lease is taken: another start in this process that reads the lease
    // between its commit and the line after this await must see a live holder, not a dead one
    // (two runs overlapped: scale-out test, a scheduled tick and a manual run in one process).
    active.add(id);
    const lease = await deps.store
      .acquire(id, `${hostname()}:${process.pid}`, LEASE_MS, holderAlive)
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
    // The run starts once it holds the lease: a start time read before (while waiting for a
    // database connection or the lease row) could fall before the previous run's end, and a
    // report would then claim two runs overlapped.
    const report = newReport(id, input.trigger, input.triggeredBy, deps.clock.now());
    await deps.store.save(report);
    const heartbeat = setInterval(
      () => void deps.store.renew(report.id, LEASE_MS).catch(() => undefined),
      LEASE_MS / 3,
    );
    heartbeat.unref();
    deps.log({ reportId: report.id, trigger: input.trigger }, 'metadata sync started');
    /** Saves the finished report, retrying while the database is unreachable. */
    const storeFinal = async () => {
      for (let wait = 100, waited = 0; ; wait = Math.min(wait * 2, 5000), waited += wait) {
        try {
          await deps.store.save(report);
          return;
        } catch (e) {
          if (waited >= FINAL_SAVE_MS) {
            deps.log({ reportId: report.id, err: e }, 'metadata sync report could not be saved');
            return;
          }
          await new Promise((r) => setTimeout(r, wait).unref());
        }
      }
    };
    let unsaved = false;
    const settled = (async () => {
      try {
        const finished = await runSync(
          {
            client: await client(),
            importDeps: deps.importDeps,
            versions: deps.versions,
            settings: deps.settings,
            saveReport: (r) => deps.store.save(r),
            dataPush: (central) =>
              deps.dataPush({
                central,
                ...(input.dataValuesPageSize
                  ? { dataValuesPageSize: input.dataValuesPageSize }
                  : {}),
              }),
            sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
            gzip: (b) => gzipSync(b),
            retries: deps.retries,
            retryDelayMs: deps.retryDelayMs,
            localSystemVersion: deps.localSystemVersion,
            ...(input.onEvent ? { onEvent: input.onEvent } : {}),
          },
          { report, actorId: input.actorId, ...(input.upTo ? { upTo: input.upTo } : {}) },
          () => deps.clock.now(),
        );
        deps.log(
          {
            reportId: report.id,
            status: finished.status,
            error: finished.error,
            versions: finished.versions.length,
          },
          'metadata sync finished',
        );
        return finished;
      } catch (e) {
        // A bug or a broken database: the run is recorded as failed, never left RUNNING. When
        // the run had recorded its failure before saving it failed too (its database went away),
        // that failure is the cause; the step that was running failed.
        const running = report.steps.find((s) => s.status === 'RUNNING')?.name ?? 'versions';
        report.status = 'FAILED';
        report.endTime = deps.clock.now().toISOString();
        report.error ??= {
          kind: 'INTERNAL',
          message: e instanceof Error ? e.message : String(e),
          version: report.toVersion ?? report.fromVersion,
          step: running,
        };
        for (const s of report.steps) if (s.status === 'RUNNING') setStep(report, s.name, 'FAILED');
        unsaved = await deps.store.save(report).then(
          () => false,
          () => true,
        );
        deps.log({ reportId: report.id, err: e }, 'metadata sync crashed');
        return report;
      } finally {
        // A report that could not be saved (issue 10 §1: PostgreSQL unreachable mid-run) is saved
        // as soon as the database is back, in the background so the caller gets its answer now;
        // until then this process still holds the run, so no other run starts over it.
        const finish = async () => {
          if (unsaved) await storeFinal();
          clearInterval(heartbeat);
          active.delete(report.id);
          await deps.store.release(report.id).catch(() => undefined);
        };
        if (unsaved) void finish();
        else await finish();
      }
    })();
    const { onFinished } = deps;
    const done = onFinished
      ? settled.then(async (finished) => {
          await onFinished(finished).catch((e: unknown) =>
            deps.log({ reportId: finished.id, err: e }, 'sync onFinished hook failed'),
          );
          return finished;
        })
      : settled;
    return { report, done };
  }

  async function status(): Promise<SyncStatus> {
    const cfg = await remote();
    const [current, reports, lastSuccess, running] = await Promise.all([
      deps.versions.latest(),
      deps.store.list(1),
      deps.store.lastSuccess(),
      deps.store.running(),
    ]);
    return syncStatus({
      configured: Boolean(cfg.url && cfg.username && cfg.password),
      running,
      last: reports[0] ?? null,
      lastSuccess,
      current,
      remoteVersion: (await text('keyRemoteMetadataVersion')) || null,
      systemVersion: deps.localSystemVersion,
    });
  }

  /** The audited recovery: take the central's `to` as this instance's current version (issue 6 §6). */
  async function rebaseline(input: { to: string; reason: string; username: string }) {
    if (input.reason.trim().length < 5)
      throw new AppError(
        ErrorCode.VALIDATION_FAILED,
        'A reason of at least 5 characters is required for the audit log',
      );
    const theirs = await (await client()).version(input.to);
    if (!theirs)
      throw new AppError(ErrorCode.NOT_FOUND, `The central has no version named ${input.to}`);
    const now = deps.clock.now();
    const number = versionNumber(theirs.name);
    if (number === null)
      throw new AppError(
        ErrorCode.VALIDATION_FAILED,
        `Cannot rebaseline to ${theirs.name}: not a Version_<n> name`,
      );
    const before = await deps.versions.latest();
    const removed = await deps.versions.rebaseline({
      id: theirs.id,
      name: theirs.name,
      number,
      type: theirs.type === 'BEST_EFFORT' ? 'BEST_EFFORT' : 'ATOMIC',
      hashCode: theirs.hashCode,
      parentHashCode: theirs.parentHashCode,
      created: theirs.created,
      importDate: now,
      bytes: 0,
      gzipBytes: 0,
      objects: 0,
      deletions: 0,
      types: {},
    });
    const details = {
      to: theirs.name,
      hashCode: theirs.hashCode,
      from: before?.name ?? null,
      fromHashCode: before?.hashCode ?? null,
      removed,
    };
    await deps.store.audit({
      action: 'REBASELINE',
      username: input.username,
      at: now,
      reason: input.reason,
      details,
    });
    deps.log(
      { ...details, username: input.username, reason: input.reason },
      'metadata sync rebaselined',
    );
    return details;
  }

  return { start, status, rebaseline, reports: deps.store, remote };
}

export type SyncService = ReturnType<typeof createSyncService>;
