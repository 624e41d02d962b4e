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
import { rangeOutcome, resumable, strongEtag } from './download-resume.ts';
import { eager } from './eager-body.ts';
import type { LinkLimits } from './link-watch.ts';
import { downloadSnapshot } from './snapshot-download.ts';

/** Bytes received before they are appended to the partial: few writes; kill -9 loses ≤ one batch. */
export const PARTIAL_BATCH = 256 * 1024;
/**
 * The most calls one download makes: the first and the range requests that continue it after
 * breaks. Each must bring new bytes, so this bounds only a link that breaks very often.
 */
export const TRIES_PER_DOWNLOAD = 100;
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
  // Each answer's body is read from the moment its head arrives (./eager-body.ts).
  let body: AsyncGenerator<Uint8Array>;
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
      body = eager(call);
    } catch (e) {
      if (!(e instanceof RemoteError && e.kind === 'NOT_FOUND')) throw e;
      // No data.gz (an old central): `/data`, whole and not kept.
      if (store) await store.discard(name);
      file = `${path}/data`;
      call = await ctx.get(file, ctx.limits);
      body = eager(call);
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
  /** The call the download reads now; given up if the download fails. */
  let current = call;
  // What a range request may continue: only the same bytes, named by a strong ETag, from a
  // central that serves ranges (it said so, or this is its 206). A DHIS2 says neither: its
  // answer to a range would be the whole file again, so the next attempt decides instead.
  const ranges = resumedFrom > 0 || /\bbytes\b/i.test(call.res.headers.get('accept-ranges') ?? '');
  const etag =
    ranges && file.endsWith('/data.gz') ? strongEtag(call.res.headers.get('etag')) : null;
  const started = performance.now();
  let received = 0;
  let reported = 0;
  const resumes: number[] = [];
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
  /**
   * The file from the network, across breaks: a call that broke off after bringing new bytes is
   * followed at once by `Range: bytes=<had>-` + `If-Range` (issue 19 §2, "within the same run"),
   * and the pipeline reading this stream never notices. Silence, the overall bound, a break that
   * brought nothing, an answer that does not continue the bytes, or the last try end the attempt
   * with the break; the run's next attempt or run resumes from the kept partial.
   */
  async function* network() {
    let stream = body;
    for (let tries = 1; ; tries++) {
      const before = received;
      try {
        for await (const chunk of stream) {
          received += chunk.length;
          await writer?.add(chunk);
          report(false);
          yield chunk;
        }
        return;
      } catch (e) {
        // What arrived before the break is kept for the next attempt.
        await writer?.flush();
        if (!etag || current.timedOut() || received === before || tries >= TRIES_PER_DOWNLOAD)
          throw e;
        const next = await continued(resumedFrom + received, etag);
        if (!next) throw e;
        resumes.push(resumedFrom + received);
        current = next;
        stream = eager(next);
        report(true);
      }
    }
  }
  /** The rest of the file from `from`, or null when the central does not give exactly that. */
  async function continued(from: number, tag: string): Promise<CentralCall | null> {
    let next: CentralCall;
    try {
      next = await ctx.get(file, ctx.limits, { range: `bytes=${from}-`, 'if-range': tag }, [416]);
    } catch {
      return null; // the link is down: the attempt fails with the break that came first
    }
    const outcome = rangeOutcome(
      { from, etag: tag },
      {
        status: next.res.status,
        etag: next.res.headers.get('etag'),
        contentRange: next.res.headers.get('content-range'),
      },
    );
    if (outcome.kind === 'resume') return next;
    // The whole file again (it changed, or ranges are ignored now): the next attempt decides.
    await next.cancel();
    return null;
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
    // The body may not have been read to its end (or at all): the request stops now.
    await current.cancel();
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
    ...(resumes.length > 0 ? { resumes } : {}),
  };
  return snapshot;
}
