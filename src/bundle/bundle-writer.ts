/**
 * Writes an offline bundle (issue 20 §2): an uncompressed tar of `manifest.json` and, per version
 * in chain order, its stored snapshot gzip, byte for byte what `data.gz` serves. Uncompressed,
 * because the snapshots are gzip already, and so each file's bytes can be checked as they stream.
 * Streamed: at most one chunk of one snapshot is in memory, whatever the bundle weighs.
 */
import { once } from 'node:events';
import { Readable } from 'node:stream';
import { pack as tarPack, type Header, type Pack } from 'tar-stream';
import {
  MANIFEST_FILE,
  type BundleManifest,
  type BundleVersionEntry,
} from '../domain/bundle/manifest.ts';

/** The stored gzip of one version, chunk by chunk (the version store's `readSnapshot`). */
export type SnapshotSource = (
  entry: BundleVersionEntry,
) => Promise<AsyncIterable<Uint8Array> | Iterable<Uint8Array>>;

const BLOCK = 512;
/** A tar entry: a 512-byte header, then the bytes padded to a whole block. */
const entryBytes = (size: number) => BLOCK + Math.ceil(size / BLOCK) * BLOCK;

/** The manifest file's bytes: indented, so a person can read it on the stick. */
export const manifestFileBytes = (manifest: object): Buffer =>
  Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`, 'utf8');

/**
 * The bundle's length in bytes, known before a byte is written (a Content-Length, a progress
 * bar): every entry, then tar-stream's end of archive, two empty blocks. Names are short
 * (`versions/Version_<n>.json.gz`), so no entry needs a long-name header.
 */
export function bundleSize(manifest: BundleManifest): number {
  return tarSize([manifestFileBytes(manifest).length, ...manifest.versions.map((v) => v.size)]);
}

/** A tar's length in bytes from its entries' sizes (short names: no long-name headers). */
export function tarSize(sizes: readonly number[]): number {
  return sizes.reduce((n, size) => n + entryBytes(size), 2 * BLOCK);
}

/** One file of a tar being written: its name, its size, and its bytes when its turn comes. */
export interface TarFile {
  name: string;
  size: number;
  bytes(): Promise<AsyncIterable<Uint8Array> | Iterable<Uint8Array>>;
}

/**
 * The bundle as a stream. A snapshot whose stored bytes are not the size the manifest says (a
 * broken store) fails the stream there: tar-stream refuses an entry of another length.
 */
export function writeBundle(
  manifest: BundleManifest,
  snapshot: SnapshotSource,
  onVersion?: (entry: BundleVersionEntry) => void,
): Readable {
  const json = manifestFileBytes(manifest);
  const files = manifest.versions.map((v) => ({
    name: v.file,
    size: v.size,
    bytes: () => snapshot(v),
  }));
  return writeTar(
    [{ name: MANIFEST_FILE, size: json.length, bytes: async () => [json] }, ...files],
    // The creation time, not the files' own: two exports of the same versions at the same
    // moment are the same bytes.
    new Date(manifest.createdAt),
    (i) => (i > 0 ? onVersion?.(manifest.versions[i - 1]!) : undefined),
  );
}

/**
 * A tar of `files` in order, as a stream; `onFile(i)` after file i is written. A file whose bytes
 * are not the size it names fails the stream there: tar-stream refuses an entry of another length.
 */
export function writeTar(
  files: readonly TarFile[],
  mtime: Date,
  onFile?: (index: number) => void,
): Readable {
  const pack = tarPack();
  // A reader that goes away (a client hanging up) closes the pack: stop waiting to write to it,
  // so the snapshot being read is closed too.
  const gone = new AbortController();
  pack.once('close', () => gone.abort());
  const fill = async () => {
    for (const [i, file] of files.entries()) {
      if (gone.signal.aborted) return;
      const chunks = await file.bytes();
      await addEntry(pack, { name: file.name, size: file.size, mtime }, chunks, gone.signal);
      onFile?.(i);
    }
    pack.finalize();
  };
  fill().catch((e: unknown) => {
    if (!gone.signal.aborted) pack.destroy(e as Error);
  });
  // A Node stream for Fastify and pipeline(); tar-stream's own are streamx streams.
  return Readable.from(pack);
}

/** One entry, its bytes written as the pack takes them (the entry's callback says it is whole). */
async function addEntry(
  pack: Pack,
  header: Pick<Header, 'name' | 'size' | 'mtime'>,
  chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  signal: AbortSignal,
): Promise<void> {
  let sink!: ReturnType<Pack['entry']>;
  const done = new Promise<void>((resolve, reject) => {
    sink = pack.entry(header, (e) => (e ? reject(e) : resolve()));
    // A short or long entry fails the sink itself too ("Size mismatch"): the same failure.
    sink.on('error', reject);
  });
  try {
    for await (const chunk of chunks) {
      // Waits when the bundle's reader is slower than the store: memory stays flat.
      if (!sink.write(chunk)) await once(sink, 'drain', { signal });
    }
    // streamx's end takes an optional last chunk; its types say it must be given.
    sink.end(undefined);
  } catch (e) {
    sink.destroy(e as Error);
    // The entry's own failure is this one: `e` is what the caller sees.
    done.catch(() => undefined);
    throw e;
  }
  await done;
}
