/**
 * An offline bundle seen as a central (issue 20 §3): the sync run (src/domain/sync/run-sync.ts)
 * imports a bundle's versions through this client exactly as it imports a central's — same
 * transaction per version, same report, same e-mails — with its history and versions from the
 * signed manifest and its snapshots read from the file as the run asks for them, in order.
 * The file was verified whole before the run (bundle-import.ts); it is read and checked again
 * here, so a file changed in between fails the run at that version instead of importing it.
 */
import {
  RemoteError,
  type CentralClient,
  type RemoteVersion,
  type SnapshotOptions,
  type StreamedSnapshot,
} from '../domain/sync/central-client.ts';
import { divergence, type HeldVersion } from '../domain/bundle/bundle-chain.ts';
import { refusalOf } from '../domain/bundle/bundle-refusal.ts';
import type { BundleManifest, BundleVersionEntry } from '../domain/bundle/manifest.ts';
import type { TrustedKey } from '../domain/bundle/signer.ts';
import { parseDhis2Date } from '../central/http-central-client.ts';
import { readBundle, type BundleVersion } from './bundle-reader.ts';

export interface BundleClientInput {
  manifest: BundleManifest;
  /** The bundle's bytes, afresh from the start on each call (the stored file). */
  open: () => AsyncIterable<Uint8Array>;
  trusted: TrustedKey;
  /** This instance's version of a name, or null (its version store). */
  heldOf: (name: string) => Promise<HeldVersion | null>;
}

export type BundleCentralClient = CentralClient & {
  /** Closes the file when the run is over (a run that failed midway leaves it open otherwise). */
  close(): void;
};

const numberOf = (name: string): number => Number(name.slice('Version_'.length));

const remoteVersion = (e: BundleVersionEntry): RemoteVersion => ({
  name: e.name,
  type: e.type,
  id: e.id,
  hashCode: e.hashCode,
  // Read as the HTTP client reads the central's version list, so both end at the same date.
  created: parseDhis2Date(e.created),
  parentHashCode: e.parentHashCode,
});

export function bundleCentralClient(input: BundleClientInput): BundleCentralClient {
  const { manifest } = input;
  const entries = manifest.versions;
  let reading: { versions: AsyncIterator<BundleVersion>; close(): void; at: number } | null = null;

  const stop = () => {
    reading?.close();
    reading = null;
  };
  const open = async () => {
    const opened = await readBundle(input.open(), input.trusted);
    return { versions: opened.versions[Symbol.asyncIterator](), close: opened.close, at: 0 };
  };

  /** The version's snapshot, reading on from where the last one ended (a run asks in order). */
  async function snapshot(name: string, options?: SnapshotOptions): Promise<StreamedSnapshot> {
    const entry = entries.find((e) => e.name === name);
    if (!entry) throw new RemoteError('NOT_FOUND', `The bundle does not carry ${name}`, 404);
    if (reading && reading.at >= numberOf(name)) stop();
    const started = Date.now();
    try {
      reading ??= await open();
      for (;;) {
        const next = await reading.versions.next();
        if (next.done) throw new RemoteError('NOT_FOUND', `The bundle ends before ${name}`, 404);
        reading.at = numberOf(next.value.entry.name);
        if (next.value.entry.name !== name) continue;
        const { download: _read, ...snap } = next.value.snapshot;
        const seconds = (Date.now() - started) / 1000;
        options?.onProgress?.({
          version: name,
          received: entry.size,
          total: entry.size,
          resumedFrom: 0,
          bytesPerSecond: seconds > 0 ? entry.size / seconds : entry.size,
        });
        return snap;
      }
    } catch (e) {
      stop();
      // The file no longer is what was verified (changed on the stick meanwhile): that
      // version fails as a central's bad answer would; nothing of it is imported.
      const refusal = refusalOf(e);
      if (refusal) throw new RemoteError('PARSE', refusal.message);
      throw e;
    }
  }

  return {
    ping: () => Promise.resolve(),
    systemInfo: () =>
      Promise.resolve({
        version: null,
        revision: null,
        metasync: true,
        unavailable: "an offline bundle does not carry its central's release",
      }),
    history: (baseline) =>
      Promise.resolve(
        entries
          .filter((e) => baseline === null || numberOf(e.name) > numberOf(baseline))
          .map(remoteVersion),
      ),
    version: (name) => {
      const entry = entries.find((e) => e.name === name);
      return Promise.resolve(entry ? remoteVersion(entry) : null);
    },
    divergence: (current) => divergence(entries, current, input.heldOf),
    describe: () => {
      const { source } = manifest;
      const where = source.baseUrl ? `, ${source.baseUrl}` : '';
      return `Offline bundle from ${source.systemName || 'the central'} (${source.systemId}${where}), made ${manifest.createdAt}: ${entries[0]!.name} to ${entries.at(-1)!.name}, signed by the pinned key ${manifest.keyFingerprint}; every snapshot checked before the import`;
    },
    snapshot,
    close: stop,
  };
}
