/**
 * A local's data bundle (issue 20 §5): the data values, complete registrations and events it
 * would push, for a central it cannot reach. The rows are read page by page exactly as the data
 * push reads them (the same watermarks, cut and page sizes), each page written gzipped to a file
 * in a temporary folder while its size and SHA-256 are taken; the manifest naming them goes first
 * in the tar, so it can only be signed once every part is written. Memory holds one page.
 *
 * Nothing moves until the bundle is out whole (`commit`): an export that fails, or a download cut
 * off, leaves every watermark, so the next push or bundle carries the same rows again.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import {
  DATA_BUNDLE_FORMAT,
  DATA_KINDS,
  partFile,
  type DataBundleManifest,
  type DataBundlePart,
  type DataBundleSource,
  type DataKind,
} from '../domain/bundle/data-manifest.ts';
import { signCanonical } from '../domain/bundle/manifest-signature.ts';
import type { BundleSigner } from '../domain/bundle/signer.ts';
import type { ChangeWindow, DataStore } from '../domain/data/data-store.ts';
import { PUSH_WATERMARKS } from '../domain/data/push-watermarks.ts';
import type { Clock } from '../domain/ports.ts';
import { MANIFEST_FILE } from '../domain/bundle/manifest.ts';
import { manifestFileBytes, tarSize, writeTar, type TarFile } from './bundle-writer.ts';

const deflate = promisify(gzip);

export interface DataBundleExportDeps {
  store: Pick<
    DataStore,
    | 'committedSeq'
    | 'changedDataValuesJson'
    | 'changedRegistrations'
    | 'changedEvents'
    | 'markEventsSynchronized'
  >;
  settings: {
    value(key: string): Promise<unknown>;
    update(entries: Record<string, unknown>): Promise<void>;
  };
  /** The instance's own key (a local signs with its key; its central pins it). */
  signer: () => Promise<BundleSigner>;
  system: () => Promise<DataBundleSource>;
  clock: Clock;
  /** Where the parts wait for the tar (default: the system's temporary folder). */
  tmpDir?: string;
}

export interface DataBundleExport {
  manifest: DataBundleManifest;
  /** The tar's length in bytes. */
  size: number;
  /** `metasync-data-<systemId>-<createdAt>.tar`. */
  fileName: string;
  /** The tar; `onPart` after each part is written (a progress bar). */
  stream(onPart?: (part: DataBundlePart) => void): Readable;
  /**
   * The bundle is out whole: each kind's watermark moves to the cut (forward only: a push since
   * may have moved it further), and the events carried are marked synchronised, as a push does.
   */
  commit(): Promise<void>;
  /** Removes the parts' folder (after `commit`, or instead of it). */
  dispose(): Promise<void>;
}

/** One page of a kind, as the push would POST it: `{"<kind>":[…]}` and where the page ends. */
async function readPage(
  deps: DataBundleExportDeps,
  kind: DataKind,
  w: ChangeWindow,
): Promise<{ body: string; count: number; lastSeq: number }> {
  const wrap = (items: string) => `{${JSON.stringify(kind)}:[${items}]}`;
  if (kind === 'dataValues') {
    const { json, count, lastSeq } = await deps.store.changedDataValuesJson(w);
    return { body: wrap(json), count, lastSeq };
  }
  const { rows, lastSeq } =
    kind === 'events'
      ? await deps.store.changedEvents(w)
      : await deps.store.changedRegistrations(w);
  return { body: wrap(JSON.stringify(rows).slice(1, -1)), count: rows.length, lastSeq };
}

const settingNumber = async (deps: DataBundleExportDeps, key: string, fallback: number) =>
  Number((await deps.settings.value(key)) ?? fallback);

/**
 * Writes the parts and signs the manifest: `all` carries every row (seq > 0, a lost stick),
 * otherwise the rows changed since each kind's watermark, up to the committed change number now.
 */
export async function exportDataBundle(
  deps: DataBundleExportDeps,
  options: { all: boolean },
): Promise<DataBundleExport> {
  const start = deps.clock.now();
  const cut = await deps.store.committedSeq();
  const skip = options.all ? null : await deps.settings.value('syncSkipSyncForDataChangedBefore');
  const skipBefore = typeof skip === 'string' && skip ? new Date(skip) : null;
  // Named as uploads are (upload-file.ts): a start-up after kill -9 removes a dead process's.
  const dir = await mkdtemp(
    path.join(deps.tmpDir ?? os.tmpdir(), `metasync-upload-${process.pid}-data-bundle-`),
  );
  const dispose = () => rm(dir, { recursive: true, force: true });
  const parts: DataBundlePart[] = [];
  const paths: string[] = [];
  /** Each kind's first `after` and page size, for marking its events at commit. */
  const windows = new Map<DataKind, { after: number; limit: number }>();
  try {
    for (const kind of DATA_KINDS) {
      const mark = PUSH_WATERMARKS[kind];
      let after = options.all ? 0 : await settingNumber(deps, mark.seqKey, 0);
      const limit = await settingNumber(deps, mark.pageSizeKey, 10_000);
      windows.set(kind, { after, limit });
      const first = parts.length;
      for (;;) {
        const page = await readPage(deps, kind, { after, upTo: cut, limit, skipBefore });
        if (page.count === 0 && parts.length > first) break;
        const gz = await deflate(Buffer.from(page.body, 'utf8'));
        const file = partFile(parts.length + 1, kind);
        paths.push(path.join(dir, `${parts.length + 1}.json.gz`));
        await writeFile(paths.at(-1)!, gz);
        const upTo = page.count > 0 ? page.lastSeq : after;
        parts.push({
          file,
          kind,
          count: page.count,
          size: gz.length,
          sha256: createHash('sha256').update(gz).digest('hex'),
          window: { after, upTo },
        });
        if (page.count < limit) break;
        after = page.lastSeq;
      }
      // The kind's last part reaches the cut, as the push's watermark does when it succeeds.
      const last = parts.at(-1)!;
      last.window.upTo = Math.max(last.window.after, cut);
    }
    const manifest = signCanonical(
      {
        format: DATA_BUNDLE_FORMAT,
        source: await deps.system(),
        createdAt: start.toISOString(),
        all: options.all,
        parts,
      },
      await deps.signer(),
    ) as DataBundleManifest;
    const json = manifestFileBytes(manifest);
    const files: TarFile[] = [
      { name: MANIFEST_FILE, size: json.length, bytes: async () => [json] },
      ...parts.map((p, i) => ({
        name: p.file,
        size: p.size,
        bytes: async () => createReadStream(paths[i]!),
      })),
    ];
    const stamp = manifest.createdAt.replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
    return {
      manifest,
      size: tarSize(files.map((f) => f.size)),
      fileName: `metasync-data-${manifest.source.systemId}-${stamp}${options.all ? '-all' : ''}.tar`,
      stream: (onPart) =>
        writeTar(files, start, (i) => (i > 0 ? onPart?.(parts[i - 1]!) : undefined)),
      commit: () => commit(deps, cut, start, windows, skipBefore),
      dispose,
    };
  } catch (e) {
    await dispose();
    throw e;
  }
}

async function commit(
  deps: DataBundleExportDeps,
  cut: number,
  start: Date,
  windows: ReadonlyMap<DataKind, { after: number; limit: number }>,
  skipBefore: Date | null,
): Promise<void> {
  // The events carried are marked as a push marks each page it sent: read again page by page
  // (a row changed since has a number above the cut and was not carried).
  const events = windows.get('events')!;
  for (let after = events.after; ;) {
    const { rows, lastSeq } = await deps.store.changedEvents({
      after,
      upTo: cut,
      limit: events.limit,
      skipBefore,
    });
    if (rows.length > 0)
      await deps.store.markEventsSynchronized(
        rows.map((e) => e.event),
        start,
      );
    if (rows.length < events.limit) break;
    after = lastSeq;
  }
  for (const kind of DATA_KINDS) {
    const mark = PUSH_WATERMARKS[kind];
    if (cut > (await settingNumber(deps, mark.seqKey, 0)))
      await deps.settings.update({ [mark.seqKey]: cut, [mark.dateKey]: start.toISOString() });
  }
}
