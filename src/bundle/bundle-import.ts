/**
 * Importing an offline bundle (issue 20 §3), shared by `POST /api/metasync/bundles` and
 * `metasync bundle import`: before anything is imported the whole file is checked (signature
 * against the pinned key, every snapshot's size and MD5, the chain from this instance's current
 * version); then its versions are imported by the sync run itself (trigger BUNDLE), version by
 * version, as an online sync imports them. Versions this instance already holds with the same
 * hash are not in the run; re-importing a bundle therefore changes nothing.
 */
import { createReadStream } from 'node:fs';
import { bundleRefused } from '../domain/bundle/bundle-refusal.ts';
import { continuation } from '../domain/bundle/bundle-chain.ts';
import type { BundleManifest } from '../domain/bundle/manifest.ts';
import type { TrustedKey } from '../domain/bundle/signer.ts';
import type { VersionStore } from '../domain/ports.ts';
import type { SyncEvent } from '../domain/sync/run-sync.ts';
import type { SyncReport } from '../domain/sync/sync-report.ts';
import type { StartInput } from '../sync/sync-service.ts';
import { bundleCentralClient } from './bundle-central-client.ts';
import { verifyBundle } from './bundle-reader.ts';

export interface BundleImportDeps {
  /** The central key this instance pinned (issue 20 §1), or null. */
  pinned: () => Promise<TrustedKey | null>;
  versions: Pick<VersionStore, 'latest' | 'byName'>;
  start: (input: StartInput) => Promise<{ report: SyncReport; done: Promise<SyncReport> }>;
}

export interface BundleImportInput {
  /** The bundle file (a stick's, or an upload stored whole). */
  path: string;
  triggeredBy: string;
  actorId: string;
  /** Bytes of the file checked so far (the CLI's bar while it verifies). */
  onVerify?: (bytes: number) => void;
  onEvent?: (e: SyncEvent) => void;
}

export interface BundleImportStarted {
  manifest: BundleManifest;
  report: SyncReport;
  done: Promise<SyncReport>;
}

/** The step a bundle run reports for the data push it does not do. */
const NO_DATA_PUSH =
  "An offline bundle carries metadata only; to send this instance's data to the central, export a data bundle (metasync bundle export-data)";

async function* fileBytes(path: string, onBytes?: (n: number) => void) {
  let read = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 })) {
    read += (chunk as Buffer).length;
    onBytes?.(read);
    yield chunk as Buffer;
  }
}

/**
 * Checks the bundle and starts its run; throws BUNDLE_REFUSED (nothing imported) when the file is
 * not trusted, not intact, or does not continue this instance's chain, and CONFLICT when a sync
 * is running. `done` settles with the run's report (SUCCESS, or FAILED at the first version that
 * failed, every earlier one applied).
 */
export async function importBundle(
  deps: BundleImportDeps,
  input: BundleImportInput,
): Promise<BundleImportStarted> {
  const trusted = await deps.pinned();
  const verdict = await verifyBundle(fileBytes(input.path, input.onVerify), trusted);
  if (!verdict.ok) throw bundleRefused(verdict.refusal);
  const { manifest } = verdict;
  const current = await deps.versions.latest();
  const chain = continuation(manifest.versions, current);
  if (!chain.ok)
    throw bundleRefused({ problem: 'chain', message: chain.message, missing: chain.missing });
  const client = bundleCentralClient({
    manifest,
    open: () => fileBytes(input.path),
    // Verified above: a pinned key exists.
    trusted: trusted!,
    heldOf: (name) => deps.versions.byName(name),
  });
  try {
    const { report, done } = await deps.start({
      trigger: 'BUNDLE',
      triggeredBy: input.triggeredBy,
      actorId: input.actorId,
      ...(input.onEvent ? { onEvent: input.onEvent } : {}),
      offline: {
        client,
        dataPush: { status: 'SKIPPED', message: NO_DATA_PUSH },
        signingKey: {
          outcome: 'SAME',
          fingerprint: manifest.keyFingerprint,
          pinnedFingerprint: trusted!.fingerprint,
          message: 'The bundle is signed by the pinned central key',
        },
      },
    });
    return { manifest, report, done: done.finally(() => client.close()) };
  } catch (e) {
    client.close();
    throw e;
  }
}
