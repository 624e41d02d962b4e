/**
 * Reads and checks an offline bundle as it streams (issue 20 §3): `manifest.json` first, signed by
 * the trusted key, then each version's gzip in the manifest's order, of the size it names, whose
 * inflated bytes have the MD5 it names (the hashCode, as an online sync checks it). The first
 * problem stops the reading with a refusal naming it (`BUNDLE_REFUSED`, details a
 * `BundleRefusal`). One version's gzip is in memory at a time, never the bundle.
 */
import { once } from 'node:events';
import { extract as tarExtract, type Extract, type Header } from 'tar-stream';
import { bundleRefused, refusalOf, type BundleRefusal } from '../domain/bundle/bundle-refusal.ts';
import {
  BUNDLE_FORMAT,
  MANIFEST_FILE,
  MANIFEST_MAX_BYTES,
  parseManifest,
  type BundleManifest,
  type BundleVersionEntry,
} from '../domain/bundle/manifest.ts';
import { verifyManifest } from '../domain/bundle/manifest-signature.ts';
import type { TrustedKey } from '../domain/bundle/signer.ts';
import { RemoteError, type StreamedSnapshot } from '../domain/sync/central-client.ts';
import { downloadSnapshot } from '../central/snapshot-download.ts';

/** One version of a bundle, checked: its manifest entry and its snapshot, as a sync downloads it. */
export interface BundleVersion {
  entry: BundleVersionEntry;
  /** `gzip`: the file's bytes (what `data.gz` served); `md5` equals `entry.hashCode`. */
  snapshot: StreamedSnapshot;
}

export interface OpenedBundle {
  /** Shape-checked and signed by the trusted key. */
  manifest: BundleManifest;
  /**
   * The versions in chain order, each checked before it is yielded; a refusal is thrown at the
   * first bad one (the earlier ones were good). Iterate once; stopping early closes the input.
   */
  versions: AsyncIterable<BundleVersion>;
  /**
   * Stops reading and closes the input: for a caller that stops after the manifest without
   * iterating the versions (iterating to the end, or breaking out, closes it already).
   */
  close(): void;
}

/** The bundle's bytes: a file or request stream, or chunks in memory. */
type Source = AsyncIterable<Uint8Array> | Iterable<Uint8Array>;
/** A tar entry as tar-stream yields it: its header, and its bytes (Buffers in Node). */
type TarEntry = AsyncIterable<Buffer> & { header: Header };
const refuse = bundleRefused;
const layout = (message: string, version?: string) =>
  refuse({ problem: 'layout', message, ...(version ? { version } : {}) });

/**
 * Opens a bundle: reads and checks its manifest (refused before any version is read when the
 * manifest is not trusted), and returns the versions to iterate.
 */
export async function readBundle(
  source: Source,
  trusted: TrustedKey | null,
): Promise<OpenedBundle> {
  const extract = tarExtract();
  const feeding = feed(source, extract);
  const entries = extract[Symbol.asyncIterator]();
  const next = async (expected: string) => {
    try {
      return (await entries.next()) as IteratorResult<TarEntry>;
    } catch (e) {
      throw layout(`The bundle is not a readable tar (at ${expected}): ${(e as Error).message}`);
    }
  };
  const close = () => {
    extract.destroy();
    feeding.stop();
  };
  try {
    const first = await next(MANIFEST_FILE);
    if (first.done) throw layout('The bundle is empty: it holds no manifest.json');
    const manifest = checkManifest(await readManifest(first.value), trusted);
    return { manifest, versions: versionsOf(manifest, next, close), close };
  } catch (e) {
    close();
    throw e;
  }
}

/**
 * Reads the whole bundle and checks everything, importing nothing: the verdict as data. An import
 * that must refuse before it writes anything (issue 20 §3) runs this over the file first.
 */
export async function verifyBundle(
  source: Source,
  trusted: TrustedKey | null,
): Promise<{ ok: true; manifest: BundleManifest } | { ok: false; refusal: BundleRefusal }> {
  try {
    const { manifest, versions } = await readBundle(source, trusted);
    for await (const v of versions) void v;
    return { ok: true, manifest };
  } catch (e) {
    const refusal = refusalOf(e);
    if (!refusal) throw e;
    return { ok: false, refusal };
  }
}

async function readManifest(entry: TarEntry): Promise<unknown> {
  const { name, size } = entry.header;
  if (name !== MANIFEST_FILE)
    throw layout(`The bundle's first file must be ${MANIFEST_FILE}, not ${name}`);
  if (size > MANIFEST_MAX_BYTES)
    throw refuse({
      problem: 'manifest',
      message: `The bundle's ${MANIFEST_FILE} has ${size} bytes, more than the ${MANIFEST_MAX_BYTES} a manifest may have`,
    });
  const parts: Buffer[] = [];
  for await (const c of entry) parts.push(Buffer.from(c));
  try {
    return JSON.parse(Buffer.concat(parts).toString('utf8')) as unknown;
  } catch (e) {
    throw refuse({
      problem: 'manifest',
      message: `The bundle's ${MANIFEST_FILE} is not JSON: ${(e as Error).message}`,
    });
  }
}

function checkManifest(value: unknown, trusted: TrustedKey | null): BundleManifest {
  const format = (value as { format?: unknown } | null)?.format;
  // Said first and alone: a bundle of a later format is not "invalid", it is for a later reader.
  if (typeof value === 'object' && value !== null && format !== BUNDLE_FORMAT)
    throw refuse({
      problem: 'manifest',
      message: `The bundle's format is ${JSON.stringify(format)}; this instance reads ${BUNDLE_FORMAT}`,
    });
  const parsed = parseManifest(value);
  if (!parsed.ok) throw refuse({ problem: 'manifest', message: parsed.message });
  // No key pinned: the refusal names the bundle's, for the administrator to compare and pin.
  if (!trusted)
    throw refuse({
      problem: 'key',
      message: `This instance has not pinned its central's signing key, so it cannot check the bundle (signed by the key with fingerprint ${parsed.manifest.keyFingerprint}). Pin the central's key first: the Signing key screen, or metasync bundle trust --key FILE`,
      bundleFingerprint: parsed.manifest.keyFingerprint,
      trustedFingerprint: null,
    });
  const verdict = verifyManifest(parsed.manifest, trusted);
  if (!verdict.ok) {
    const { ok: _ok, ...refusal } = verdict;
    throw refuse(refusal);
  }
  return parsed.manifest;
}

async function* versionsOf(
  manifest: BundleManifest,
  next: (expected: string) => Promise<IteratorResult<TarEntry>>,
  close: () => void,
): AsyncGenerator<BundleVersion> {
  try {
    for (const entry of manifest.versions) {
      const got = await next(entry.file);
      if (got.done)
        throw layout(`The bundle ends before ${entry.file} (${entry.name})`, entry.name);
      yield { entry, snapshot: await checkVersion(entry, got.value) };
    }
    const extra = await next('its end');
    if (!extra.done)
      throw layout(
        `The bundle holds ${extra.value.header.name}, which its manifest does not name after ${manifest.versions.at(-1)!.file}`,
      );
  } finally {
    close();
  }
}

async function checkVersion(entry: BundleVersionEntry, file: TarEntry): Promise<StreamedSnapshot> {
  const { name, size, type } = file.header;
  if (name !== entry.file || type !== 'file')
    throw layout(`The bundle holds ${name} where its manifest names ${entry.file}`, entry.name);
  if (size !== entry.size)
    throw layout(
      `${entry.file} has ${size} bytes in the bundle; its manifest says ${entry.size}`,
      entry.name,
    );
  let snapshot: StreamedSnapshot;
  try {
    // The sync's own reader: keeps the gzip, and takes the MD5 and length while inflating.
    snapshot = await downloadSnapshot(
      file,
      true,
      entry.name,
      (e) => new RemoteError('UNREACHABLE', String(e)),
    );
  } catch (e) {
    if (e instanceof RemoteError && e.kind === 'PARSE')
      throw refuse({
        problem: 'snapshot',
        version: entry.name,
        message: `${entry.name} in the bundle is corrupt: ${e.message}`,
      });
    throw layout(`The bundle breaks off inside ${entry.file}: ${(e as Error).message}`, entry.name);
  }
  if (snapshot.md5 !== entry.hashCode)
    throw refuse({
      problem: 'snapshot',
      version: entry.name,
      message: `${entry.name} in the bundle is corrupt: the MD5 of its snapshot is ${snapshot.md5}, its manifest says ${entry.hashCode}`,
    });
  return snapshot;
}

/**
 * Writes `source` into the tar parser as the parser takes it. `stop` (the reader is done or gave
 * up) ends the loop, which closes the source (a file or an upload is not left open).
 */
function feed(source: Source, extract: Extract): { stop(): void } {
  const stopping = new AbortController();
  const { signal } = stopping;
  void (async () => {
    for await (const chunk of source) {
      if (signal.aborted) return;
      if (!extract.write(chunk)) await once(extract, 'drain', { signal });
    }
    extract.end(undefined);
  })().catch((e: unknown) => {
    // A source that fails (a cut upload) fails the parser, and so the read waiting on it.
    if (!signal.aborted) extract.destroy(e as Error);
  });
  return { stop: () => stopping.abort() };
}
