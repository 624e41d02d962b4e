/**
 * The metadata sync run of a local (seed "Metadata Sync Task", contract §9, issue 6 §2–§3):
 * set up → ping (and the central's release, issue 16 §4) → data push → history → each newer
 * version in order. Failures are classified:
 * transient ones (network, central 5xx, data push) retry the whole run `retries` times with
 * doubling back-off; deterministic ones (hash mismatch, ATOMIC import errors, version mismatch,
 * divergence) fail at once. A run never skips a version: it stops at the first that fails.
 */
import type { CentralKeyNote } from '../bundle/key-pinning.ts';
import type { ImportDeps } from '../metadata/import-metadata.ts';
import type { PartialDownloadStore, VersionStore } from '../ports.ts';
import type { MetadataVersion } from '../versioning/version.ts';
import { applyVersion } from './apply-version.ts';
import {
  RemoteError,
  type CentralClient,
  type CentralInfo,
  type DownloadProgress,
  type RemoteErrorKind,
  type RemoteVersion,
} from './central-client.ts';
import { checkAvailability } from './availability.ts';
import { withdrawalNote } from './withdrawal-note.ts';
import { noteCentralKey } from './central-key-note.ts';
import { describeCentral } from './central-release.ts';
import {
  RETRYABLE,
  setStep,
  type DriftedObject,
  type FailureKind,
  type PushedKind,
  type StepName,
  type SyncFailure,
  type SyncReport,
} from './sync-report.ts';

export interface SyncSettings {
  value(key: string): Promise<unknown>;
  update(entries: Record<string, unknown>): Promise<void>;
}

export type SyncEvent =
  | { kind: 'step'; step: StepName; status: string; message?: string }
  | { kind: 'versions'; total: number }
  | {
      kind: 'version';
      index: number;
      total: number;
      name: string;
      status: string;
      seconds?: number;
    }
  | { kind: 'retry'; attempt: number; waitMs: number; message: string }
  /** A snapshot download under way (issue 19 §6): the CLI bar and the UI's live view. */
  | ({ kind: 'download' } & DownloadProgress);

export interface DataPushResult {
  /** WARNING: a kind was not pushed (the central lacks its endpoint); the pull goes on. */
  status: 'SUCCESS' | 'WARNING' | 'SKIPPED' | 'FAILED';
  message: string;
  /** What each kind sent, as far as the push got (issue 21 §2). */
  kinds?: PushedKind[];
}

export interface SyncDeps {
  client: CentralClient;
  /** What has drifted locally, told to each version's import (issue 23 §3). */
  drifted?: () => Promise<DriftedObject[]>;
  importDeps: ImportDeps;
  versions: VersionStore;
  settings: SyncSettings;
  /** Persists the report as it progresses. */
  saveReport: (report: SyncReport) => Promise<void>;
  /** The data push that runs before the metadata pull (issue 7), shaped by the central's release. */
  dataPush: (central: CentralInfo) => Promise<DataPushResult>;
  sleep: (ms: number) => Promise<void>;
  gzip: (bytes: Buffer) => Buffer;
  retries: number;
  retryDelayMs: number;
  localSystemVersion: string;
  onEvent?: (e: SyncEvent) => void;
  /**
   * Called at each safe point (before the data push, the history and each version): a reason
   * when the run must stop there (its lease was lost, issue 17 §2), null to go on.
   */
  checkpoint?: () => Promise<string | null>;
  /**
   * Compares the central's signing key (PEM, or null when it shows none) with the pinned one and
   * pins it when none is (issue 20 §1, `KeyPinning.observe`).
   */
  centralKey?: (pem: string | null) => Promise<CentralKeyNote>;
  /**
   * The kept partial downloads (issue 19 §2): pruned at the start of a run, and a version's
   * dropped once its download has been used (imported, or refused for its hash or content).
   */
  partials?: Pick<PartialDownloadStore, 'discard' | 'pruneImported'>;
}

export interface SyncInput {
  report: SyncReport;
  actorId: string;
  /** Manual sync: stop after this version (it must be among the newer ones). */
  upTo?: string;
}

class Failure extends Error {
  constructor(
    readonly kind: FailureKind,
    message: string,
    readonly step: StepName,
    readonly version: string | null,
  ) {
    super(message);
  }
}

/** How each failed call to the central fails the run. */
const FAILURE_OF: Record<RemoteErrorKind, FailureKind> = {
  NOT_CONFIGURED: 'REMOTE_NOT_CONFIGURED',
  AUTH: 'REMOTE_AUTH',
  REDIRECT: 'REMOTE_REDIRECT',
  UNREACHABLE: 'REMOTE_UNREACHABLE',
  NOT_FOUND: 'REMOTE_ERROR',
  HTTP: 'REMOTE_ERROR',
  PARSE: 'REMOTE_ERROR',
};

const remoteFailure = (e: unknown, step: StepName, version: string | null): Failure => {
  if (e instanceof Failure) return e;
  if (e instanceof RemoteError) return new Failure(FAILURE_OF[e.kind], e.message, step, version);
  return new Failure('INTERNAL', e instanceof Error ? e.message : String(e), step, version);
};

const byCreated = (a: RemoteVersion, b: RemoteVersion) =>
  a.created.getTime() - b.created.getTime() ||
  a.name.localeCompare(b.name, 'en', { numeric: true });

async function attempt(deps: SyncDeps, input: SyncInput): Promise<void> {
  const { report } = input;
  const emit = (e: SyncEvent) => deps.onEvent?.(e);
  const step = async (
    name: StepName,
    status: 'SUCCESS' | 'WARNING' | 'FAILED' | 'SKIPPED' | 'RUNNING',
    message?: string,
  ) => {
    setStep(report, name, status, message);
    emit({ kind: 'step', step: name, status, ...(message ? { message } : {}) });
    if (status !== 'RUNNING') await deps.saveReport(report);
  };

  // (0) DHIS2's job switches versioning on for the local at the start of every run.
  await deps.settings.update({ keyVersionEnabled: true });
  await step('setUp', 'SUCCESS');

  let current: MetadataVersion | null = await deps.versions.latest();
  report.fromVersion ??= current?.name ?? null;

  await step('ping', 'RUNNING');
  let checks: number;
  try {
    checks = await checkAvailability(deps);
    // Once per run (a retried attempt keeps it): the release decides how the data goes.
    report.central ??= await deps.client.systemInfo();
  } catch (e) {
    throw remoteFailure(e, 'ping', current?.name ?? null);
  }
  const central = report.central;
  const safePoint = async (name: StepName, version: string | null) => {
    const stop = await deps.checkpoint?.();
    if (stop) throw new Failure('INTERRUPTED', stop, name, version);
  };
  const tries = checks > 1 ? ` at availability check ${checks}` : '';
  await step(
    'ping',
    'SUCCESS',
    deps.client.describe?.() ??
      `Authentication was successful${tries}; ${describeCentral(central)}`,
  );

  await safePoint('dataPush', current?.name ?? null);
  await step('dataPush', 'RUNNING');
  const pushed = await deps.dataPush(central);
  if (pushed.kinds) report.dataPushed = pushed.kinds;
  if (pushed.status === 'FAILED')
    throw new Failure('DATA_PUSH', pushed.message, 'dataPush', current?.name ?? null);
  await step('dataPush', pushed.status, pushed.message);

  await safePoint('history', current?.name ?? null);
  await step('history', 'RUNNING');
  let newer: RemoteVersion[];
  try {
    if (current && deps.client.divergence) {
      // An offline bundle checks its own chain against ours (issue 20 §3).
      const diverged = await deps.client.divergence(current);
      if (diverged) throw new Failure('DIVERGED', diverged.message, 'history', diverged.version);
    } else if (current) {
      // The chain check: the central must know our current version with the same bytes.
      const theirs = await deps.client.version(current.name);
      if (!theirs || theirs.hashCode !== current.hashCode) {
        const withdrawn = await withdrawalNote(deps.client, current);
        throw new Failure(
          'DIVERGED',
          withdrawn ??
            (!theirs
              ? `The central has no ${current.name}, this instance's current version: it was created here, or the central was reset. Use "metasync sync rebaseline" to choose the central version to continue from.`
              : `${current.name} differs: hashCode ${current.hashCode} here, ${theirs.hashCode} on the central. Use "metasync sync rebaseline" to continue from a central version.`),
          'history',
          current.name,
        );
      }
    }
    newer = (await deps.client.history(current?.name ?? null)).sort(byCreated);
  } catch (e) {
    throw remoteFailure(e, 'history', current?.name ?? null);
  }
  // The central's newest version, also when a manual sync stops earlier (status BEHIND).
  const remoteLatest = newer.length > 0 ? newer[newer.length - 1]!.name : (current?.name ?? null);
  report.remoteVersion = remoteLatest;
  if (newer.length > 0) await deps.settings.update({ keyRemoteMetadataVersion: remoteLatest });
  if (input.upTo) {
    const at = newer.findIndex((v) => v.name === input.upTo);
    newer = at < 0 ? [] : newer.slice(0, at + 1);
  }
  await step(
    'history',
    'SUCCESS',
    newer.length === 0
      ? current
        ? `Your instance is already using the latest version: ${current.name}`
        : 'There are no metadata versions created in the remote instance'
      : `${newer.length} newer version(s): ${newer[0]!.name} … ${newer[newer.length - 1]!.name}`,
  );

  await noteCentralKey(deps, report, central);

  await step('versions', 'RUNNING');
  emit({ kind: 'versions', total: newer.length });
  for (const [index, remote] of newer.entries()) {
    await safePoint('versions', remote.name);
    if (await deps.versions.byName(remote.name))
      throw new Failure(
        'VERSION_EXISTS',
        `${remote.name} already exists on this instance and hence stopping the sync`,
        'versions',
        remote.name,
      );
    let snapshot;
    try {
      snapshot = await deps.client.snapshot(remote.name, {
        // A kept partial is resumed only for the same version id (issue 19 §2).
        ...(remote.id ? { versionId: remote.id } : {}),
        onProgress: (p) => emit({ kind: 'download', ...p }),
      });
    } catch (e) {
      throw remoteFailure(e, 'versions', remote.name);
    }
    const result = await applyVersion(deps.importDeps, remote, snapshot, {
      stopOnVersionMismatch: (await deps.settings.value('keyStopMetadataSync')) === true,
      localSystemVersion: deps.localSystemVersion,
      centralSystemVersion: central.version,
      current,
      actorId: input.actorId,
      gzip: deps.gzip,
      ...(deps.drifted ? { drifted: deps.drifted } : {}),
    });
    if (snapshot.download) result.report.download = snapshot.download;
    // The whole file arrived and was used: imported, or refused (a HASH_MISMATCH after a resume
    // means the kept bytes were bad); either way its partial must not be resumed again.
    await deps.partials?.discard(remote.name);
    report.versions = report.versions.filter((v) => v.name !== remote.name);
    report.versions.push(result.report);
    emit({
      kind: 'version',
      index,
      total: newer.length,
      name: remote.name,
      status: result.report.status,
      ...(result.report.seconds !== undefined ? { seconds: result.report.seconds } : {}),
    });
    if (!result.ok) throw new Failure(result.kind, result.message, 'versions', remote.name);
    current = result.version;
    report.toVersion = current.name;
    await deps.saveReport(report);
  }
  await step(
    'versions',
    'SUCCESS',
    newer.length === 0
      ? 'Nothing to import'
      : `Imported ${newer.length} version(s); now at ${current?.name}`,
  );
  report.toVersion = current?.name ?? null;
}

/** Runs the sync with retries; returns the finished report (status SUCCESS or FAILED). */
export async function runSync(
  deps: SyncDeps,
  input: SyncInput,
  now: () => Date,
): Promise<SyncReport> {
  const { report } = input;
  const attempts = Math.max(1, deps.retries);
  // Partials of versions this instance already has never pile up (issue 19 §2). Best effort: a
  // database that is away fails the run's own steps, with their report.
  await deps.partials?.pruneImported().catch(() => undefined);
  for (let n = 1; ; n++) {
    report.attempts = n;
    try {
      await attempt(deps, input);
      report.status = 'SUCCESS';
      report.error = null;
      await deps.settings.update({
        keyMetadataFailedVersion: '',
        keyMetadataLastFailedTime: null,
        keyLastMetaDataSyncSuccess: now().toISOString(),
      });
      break;
    } catch (e) {
      // An error no step classified (e.g. the database lost mid-run) belongs to the step that
      // was running when it was thrown, not to a fixed one.
      const running = report.steps.find((s) => s.status === 'RUNNING')?.name ?? 'versions';
      const failure = remoteFailure(e, running, report.toVersion ?? report.fromVersion);
      setStep(report, failure.step, 'FAILED', failure.message);
      report.error = {
        kind: failure.kind,
        message: failure.message,
        version: failure.version,
        step: failure.step,
      } satisfies SyncFailure;
      if (RETRYABLE.has(failure.kind) && n < attempts) {
        const waitMs = Math.min(
          deps.retryDelayMs * 2 ** (n - 1),
          Math.max(30_000, deps.retryDelayMs),
        );
        deps.onEvent?.({ kind: 'retry', attempt: n, waitMs, message: failure.message });
        await deps.saveReport(report);
        await deps.sleep(waitMs);
        continue;
      }
      // A run that lost its lease was stopped, not failed on its own.
      report.status = failure.kind === 'INTERRUPTED' ? 'INTERRUPTED' : 'FAILED';
      const failedVersion = failure.version ?? (await deps.versions.latest())?.name ?? '';
      await deps.settings.update({
        keyMetadataFailedVersion: failedVersion,
        keyMetadataLastFailedTime: now().toISOString(),
      });
      break;
    }
  }
  report.endTime = now().toISOString();
  await deps.saveReport(report);
  return report;
}
