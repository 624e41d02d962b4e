/**
 * A version's snapshot download that survives a breaking link (issue 19 §2): what arrives of
 * `data.gz` is kept (PartialDownloadStore, in batches), and the next attempt, run or process asks
 * only for the rest with `Range: bytes=<kept>-` and `If-Range: <ETag>`. The kept bytes are fed
 * through the same MD5-while-inflating pipeline before the new ones (a hash state cannot be
 * stored; replaying the kept bytes locally is cheap), so the MD5 is over the whole snapshot as
 * before. A central that ignores `Range` (a DHIS2 answers 200) or whose file changed (a new
 * ETag) sends the whole file, and the download starts from byte 0. Progress and the record of
 * the download go to the run (issue 19 §6).
 */
import type { PartialDownloadStore } from '../domain/ports.ts';
import {
  RemoteError,
  type DownloadProgress,
  type SnapshotOptions,
  type StreamedSnapshot,
} from '../domain/sync/central-client.ts';
import { causeOf, type CentralCall, type Get } from './central-call.ts';
import { rangeOutcome, resumable } from './download-resume.ts';
import type { LinkLimits } from './link-watch.ts';
import { downloadSnapshot } from './snapshot-download.ts';

/** Bytes received before they are appended to the partial: few writes; kill -9 loses ≤ one batch. */
export const PARTIAL_BATCH = 256 * 1024;
/** The least time between two progress reports. */
const PROGRESS_MS = 250;

export interface DownloadContext {
  get: Get;
  base: string;
  limits: LinkLimits;
  partials?: PartialDownloadStore;
}

/** Appends what arrives to the partial, a batch at a time; stops keeping on the first refusal. */
function partialWriter(store: PartialDownloadStore, version: string, from: number) {
  let offset = from;
  let buffered: Buffer[] = [];
  let size = 0;
  let keeping = true;
  const flush = async () => {
    if (!keeping || size === 0) return;
    const bytes = Buffer.concat(buffered);
    buffered = [];
    size = 0;
    try {
      // Refused: another attempt replaced or discarded the partial; this one keeps no more.
      keeping = await store.append(version, offset, bytes);
      offset += bytes.length;
    } catch {
      keeping = false; // the database is away: the download goes on, unkept
    }
  };
  return {
    async add(chunk: Uint8Array) {
      if (!keeping) return;
      buffered.push(Buffer.from(chunk));
      size += chunk.length;
      if (size >= PARTIAL_BATCH) await flush();
    },
    flush,
  };
}

export async function downloadVersion(
  ctx: DownloadContext,
  name: string,
  options: SnapshotOptions = {},
): Promise<StreamedSnapshot> {
  const path = `/api/metadata/version/${encodeURIComponent(name)}`;
  const { versionId, onProgress } = options;
  const store = versionId ? ctx.partials : undefined;
  let asked = store ? resumable(await store.find(name), versionId) : null;
  if (store && !asked) await store.discard(name);

  let file = `${path}/data.gz`;
  let call: CentralCall;
  let resumedFrom = 0;
  let total: number | null = null;
  let keep = false;
  for (let again = false; ; again = true) {
    try {
      call = await ctx.get(
        file,
        ctx.limits,
        asked ? { range: `bytes=${asked.from}-`, 'if-range': asked.etag } : {},
        asked ? [416] : [],
      );
    } catch (e) {
      if (!(e instanceof RemoteError && e.kind === 'NOT_FOUND')) throw e;
      // No data.gz (an old central): `/data`, whole and not kept.
      if (store) await store.discard(name);
      file = `${path}/data`;
      call = await ctx.get(file, ctx.limits);
      break;
    }
    const outcome = rangeOutcome(asked, {
      status: call.res.status,
      etag: call.res.headers.get('etag'),
      contentRange: call.res.headers.get('content-range'),
    });
    if (outcome.kind === 'again') {
      await call.cancel();
      await store?.discard(name);
      if (again)
        throw new RemoteError(
          'HTTP',
          `The central's answer to ${file} cannot be used: ${outcome.why}`,
        );
      asked = null;
      continue;
    }
    const length = Number(call.res.headers.get('content-length') ?? NaN);
    if (outcome.kind === 'resume') {
      resumedFrom = outcome.from;
      total = outcome.total ?? (Number.isFinite(length) ? resumedFrom + length : null);
      keep = true;
    } else {
      total = Number.isFinite(length) ? length : null;
      if (store && outcome.etag) {
        await store.begin({ version: name, versionId: versionId!, etag: outcome.etag });
        keep = true;
      } else if (store && asked) await store.discard(name);
    }
    break;
  }

  const writer = keep && store ? partialWriter(store, name, resumedFrom) : null;
  const started = performance.now();
  let received = 0;
  let reported = 0;
  const progress = (): DownloadProgress => {
    const seconds = (performance.now() - started) / 1000;
    return {
      version: name,
      received: resumedFrom + received,
      total,
      resumedFrom,
      bytesPerSecond: seconds > 0 ? Math.round(received / seconds) : 0,
    };
  };
  const report = (force: boolean) => {
    if (!onProgress) return;
    const at = performance.now();
    if (!force && at - reported < PROGRESS_MS) return;
    reported = at;
    onProgress(progress());
  };
  async function* network() {
    try {
      for await (const chunk of call.body()) {
        received += chunk.length;
        await writer?.add(chunk);
        report(false);
        yield chunk;
      }
    } catch (e) {
      // What arrived before the break is kept for the next attempt.
      await writer?.flush();
      throw e;
    }
  }
  async function* whole() {
    if (resumedFrom > 0) yield* store!.read(name);
    yield* network();
  }
  const gzipped =
    resumedFrom > 0 || (call.res.headers.get('content-type') ?? '').includes('application/gzip');
  report(true);
  let snapshot: StreamedSnapshot;
  try {
    snapshot = await downloadSnapshot(
      whole(),
      gzipped,
      name,
      (e) =>
        new RemoteError(
          'UNREACHABLE',
          `Network is unreachable: ${ctx.base} (the answer to ${file} broke off: ${causeOf(e)})`,
        ),
    );
  } catch (e) {
    // Not valid gzip (or empty): the kept bytes are of no use to the next attempt.
    if (store && !(e instanceof RemoteError && e.kind === 'UNREACHABLE'))
      await store.discard(name).catch(() => undefined);
    throw e;
  }
  report(true);
  snapshot.download = {
    received,
    size: resumedFrom + received,
    resumedFrom,
    seconds: Math.round(performance.now() - started) / 1000,
  };
  return snapshot;
}
