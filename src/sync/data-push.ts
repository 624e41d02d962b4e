/**
 * The data push that runs before every metadata pull (issue 7 §4, contract §11): data values in
 * pages, then complete registrations, then anonymous events, each to the central's DHIS2 API.
 *
 * Watermarks: the push reads the committed data change counter once, at its start (`cut`), and
 * sends for each kind exactly the rows with `watermark < seq <= cut`, in seq order. Writers
 * number rows in commit order (migration 0005), so a row written during the push gets a number
 * above `cut` and goes next time; only when every page of a kind succeeded is its watermark set
 * to `cut`, with DHIS2's timestamp setting set to the push's start time (UTC) for parity. A
 * failed page leaves the watermark: the next run resends, and the central's import of an
 * identical value changes nothing, so a resend is harmless.
 *
 * The central's release (issue 16 §4) decides how events go: `/api/events?strategy=SYNC` up to
 * DHIS2 2.41, `/api/tracker` from 2.42 (src/domain/sync/tracker-push.ts). A kind whose endpoint
 * the central lacks (404/405) is a WARNING: its watermark stays, the other kinds and the
 * metadata pull go on. So is a 2.42+ central's rejection of events: from 2.42 DHIS2 syncs
 * events in a job of their own that never holds back the metadata sync.
 */
import {
  RemoteError,
  type CentralInfo,
  type TransferMeter,
} from '../domain/sync/central-client.ts';
import { eventApi, gzipsPush } from '../domain/sync/central-release.ts';
import {
  describeTrackerFailure,
  onlyGone,
  readTrackerAnswer,
  trackerDeletion,
  trackerEvent,
  trackerQuery,
} from '../domain/sync/tracker-push.ts';
import type { AnonymousEvent } from '../domain/data/events.ts';
import type { ChangeWindow, ChangedPage, DataStore } from '../domain/data/data-store.ts';
import type { Registration } from '../domain/data/registrations.ts';
import { PUSH_WATERMARKS } from '../domain/data/push-watermarks.ts';
import { describeFailure, extractSummary, pushSucceeded } from '../domain/data/push-outcome.ts';
import type { Clock } from '../domain/ports.ts';
import type { DataPushResult } from '../domain/sync/run-sync.ts';
import type { DataKind } from '../domain/bundle/data-manifest.ts';
import type { PushedKind } from '../domain/sync/sync-report.ts';
import type { DataClient } from '../central/http-data-client.ts';

export interface DataPushDeps {
  store: DataStore;
  clock: Clock;
  settings: {
    value(key: string): Promise<unknown>;
    update(entries: Record<string, unknown>): Promise<void>;
  };
  /**
   * A client for the configured central (built per push from the remote settings): it counts
   * its bytes on the run's meter and gzips its bodies when told to (issue 19 §5, §6).
   */
  client: (link: { gzip: boolean; meter?: TransferMeter }) => Promise<DataClient>;
}

/** How one page went: sent, refused (the run fails), or not possible here (a warning). */
type PageOutcome = { ok: true } | { ok: false; message: string; warn: boolean };

/** One page read for sending: its size, where the next starts, and what `send` takes. */
interface Page<P> {
  count: number;
  lastSeq: number;
  page: P;
}

interface Kind<P> {
  kind: DataKind;
  label: string;
  seqKey: string;
  dateKey: string;
  pageSizeKey: string;
  changed: (w: ChangeWindow) => Promise<Page<P>>;
  send: (client: DataClient, page: P, what: string) => Promise<PageOutcome>;
  afterPage?: (page: P, at: Date) => Promise<void>;
}

const rowsPage = <T>({ rows, lastSeq }: ChangedPage<T>): Page<T[]> => ({
  count: rows.length,
  lastSeq,
  page: rows,
});

class PushFailure extends Error {}

/** Per-run input: the central read at the run's start, a job's `dataValuesPageSize` (issue 8). */
export interface DataPushOptions {
  dataValuesPageSize?: number;
  /** Unknown (a direct call without a run): the ≤ 2.41 routes, plain bodies. */
  central?: CentralInfo;
  /** The run's byte counts (issue 19 §6). */
  meter?: TransferMeter;
}

/** 404/405 on a push path: the central has no such endpoint (DHIS2 2.42 dropped /api/events). */
const missing = (status: number, path: string): PageOutcome | null =>
  status === 404 || status === 405
    ? {
        ok: false,
        warn: true,
        message: `the central has no ${path.split('?')[0]} (HTTP ${status}); they stay queued and go once it takes them`,
      }
    : null;

/**
 * A DHIS2 ≤ 2.41 push: one POST of `{rootKey: [...]}`, answered by an ImportSummary(ies). The
 * items come as JSON text (data values, serialised by the store) or as rows to serialise.
 */
function legacySend<P>(path: string, rootKey: string, body: (page: P) => string) {
  return async (client: DataClient, page: P, what: string): Promise<PageOutcome> => {
    const res = await client.postJson(path, `{${JSON.stringify(rootKey)}:[${body(page)}]}`);
    const absent = missing(res.status, path);
    if (absent) return absent;
    const summary = extractSummary(res.body);
    return pushSucceeded(summary)
      ? { ok: true }
      : { ok: false, warn: false, message: describeFailure(what, summary) };
  };
}

/**
 * DHIS2 2.42+: live events with CREATE_AND_UPDATE, then the deleted ones with DELETE, as DHIS2
 * 2.43's single-event sync. Deleting what the central does not hold live is done already.
 */
async function trackerSend(
  client: DataClient,
  rows: AnonymousEvent[],
  what: string,
): Promise<PageOutcome> {
  const live = rows.filter((e) => !e.deleted);
  const gone = rows.filter((e) => e.deleted);
  const post = async (strategy: 'CREATE_AND_UPDATE' | 'DELETE', events: unknown[]) => {
    const path = trackerQuery(strategy);
    const res = await client.post(path, { events });
    return { absent: missing(res.status, path), outcome: readTrackerAnswer(res.status, res.body) };
  };
  if (live.length > 0) {
    const { absent, outcome } = await post('CREATE_AND_UPDATE', live.map(trackerEvent));
    if (absent) return absent;
    if (!outcome.ok)
      return { ok: false, warn: true, message: describeTrackerFailure(what, outcome) };
  }
  let rest = gone;
  // Two rounds at most: with DHIS2's default atomicMode=ALL one absent event holds back the
  // page, so the second round sends the page without the events the central does not hold.
  for (let round = 0; rest.length > 0 && round < 2; round++) {
    const { absent, outcome } = await post('DELETE', rest.map(trackerDeletion));
    if (absent) return absent;
    if (outcome.ok) break;
    if (!onlyGone(outcome))
      return {
        ok: false,
        warn: true,
        message: describeTrackerFailure(`${what} (deletions)`, outcome),
      };
    const absentUids = new Set(outcome.errors.map((e) => e.uid));
    rest = rest.filter((e) => !absentUids.has(e.event));
  }
  return { ok: true };
}

export function createDataPush(
  deps: DataPushDeps,
): (options?: DataPushOptions) => Promise<DataPushResult> {
  const items = <T>(rows: T[]) => JSON.stringify(rows).slice(1, -1);
  const values: Kind<string> = {
    kind: 'dataValues',
    ...PUSH_WATERMARKS.dataValues,
    changed: async (w) => {
      const { json, count, lastSeq } = await deps.store.changedDataValuesJson(w);
      return { count, lastSeq, page: json };
    },
    send: legacySend('/api/dataValueSets', 'dataValues', (json: string) => json),
  };
  const registrations: Kind<Registration[]> = {
    kind: 'completeDataSetRegistrations',
    ...PUSH_WATERMARKS.completeDataSetRegistrations,
    changed: async (w) => rowsPage(await deps.store.changedRegistrations(w)),
    send: legacySend('/api/completeDataSetRegistrations', 'completeDataSetRegistrations', items),
  };
  const events = (api: 'EVENTS' | 'TRACKER'): Kind<AnonymousEvent[]> => ({
    kind: 'events',
    ...PUSH_WATERMARKS.events,
    changed: async (w) => rowsPage(await deps.store.changedEvents(w)),
    send:
      api === 'TRACKER' ? trackerSend : legacySend('/api/events?strategy=SYNC', 'events', items),
    afterPage: (rows, at) =>
      deps.store.markEventsSynchronized(
        rows.map((e) => e.event),
        at,
      ),
  });

  return async function push(options: DataPushOptions = {}): Promise<DataPushResult> {
    const api = options.central ? eventApi(options.central) : 'EVENTS';
    const kinds = [values, registrations, events(api)] as Kind<unknown>[];
    const start = deps.clock.now();
    const cut = await deps.store.committedSeq();
    const skip = await deps.settings.value('syncSkipSyncForDataChangedBefore');
    const skipBefore = typeof skip === 'string' && skip ? new Date(skip) : null;
    const done: string[] = [];
    const warnings: string[] = [];
    /** What each kind sent, for the run report (issue 21 §2). */
    const kindsSent: PushedKind[] = [];
    /** Records the kind under way as FAILED when the push breaks off (a refusal, a cut link). */
    let unfinished: (() => void) | null = null;
    let total = 0;
    let client: DataClient | null = null;
    /** A page read ahead; waited for before the push returns, whatever became of it. */
    let ahead: Promise<unknown> | null = null;
    try {
      kinds: for (const kind of kinds) {
        const watermark = Number((await deps.settings.value(kind.seqKey)) ?? 0);
        const limit =
          kind.pageSizeKey === 'dataValuesPageSize' && options.dataValuesPageSize
            ? options.dataValuesPageSize
            : Number((await deps.settings.value(kind.pageSizeKey)) ?? 10_000);
        let sent = 0;
        let page = 0;
        const record = (status: PushedKind['status']) => {
          unfinished = null;
          kindsSent.push({
            kind: kind.kind,
            status,
            sent,
            pages: status === 'SENT' ? page : page - 1,
            after: watermark,
            upTo: cut,
            at: deps.clock.now().toISOString(),
          });
        };
        unfinished = () => record('FAILED');
        const read = (after: number) => kind.changed({ after, upTo: cut, limit, skipBefore });
        let current = await read(watermark);
        while (current.count > 0) {
          page++;
          // The next page is read while this one is on the wire: reading is the local's
          // database, sending the central's (issue 18 §3). A page that fails leaves it unused.
          const next = current.count < limit ? null : read(current.lastSeq);
          ahead = next?.catch(() => undefined) ?? null;
          client ??= await deps.client({
            gzip: gzipsPush(options.central),
            ...(options.meter ? { meter: options.meter } : {}),
          });
          const what = `Pushing ${kind.label}: page ${page} (${current.count} rows)`;
          const outcome = await kind.send(client, current.page, what);
          if (!outcome.ok && !outcome.warn) throw new PushFailure(outcome.message);
          if (!outcome.ok) {
            record('WARNING');
            // The watermark stays: these rows (and any later page) go on a later run.
            const before = sent > 0 ? ` (${sent} pushed before)` : '';
            warnings.push(`${kind.label} not pushed${before}: ${outcome.message}`);
            total += sent;
            continue kinds;
          }
          await kind.afterPage?.(current.page, start);
          sent += current.count;
          if (!next) break;
          current = await next;
        }
        // All pages (possibly none) succeeded: everything up to the cut is on the central.
        if (cut > watermark)
          await deps.settings.update({ [kind.seqKey]: cut, [kind.dateKey]: start.toISOString() });
        total += sent;
        record('SENT');
        done.push(`${kind.label}: ${sent}${page > 1 ? ` in ${page} pages` : ''}`);
      }
    } catch (e) {
      if (e instanceof PushFailure || e instanceof RemoteError) {
        (unfinished as (() => void) | null)?.();
        const before = done.length > 0 ? ` (pushed before the failure: ${done.join(', ')})` : '';
        const warned = warnings.length > 0 ? `. Warning: ${warnings.join('; ')}` : '';
        return {
          status: 'FAILED',
          message: `${e.message}${before}${warned}`,
          kinds: kindsSent,
        };
      }
      throw e;
    } finally {
      await ahead;
    }
    if (warnings.length > 0)
      return {
        status: 'WARNING',
        message: `${done.length ? `Pushed ${done.join('; ')}. ` : ''}Warning: ${warnings.join('; ')}`,
        kinds: kindsSent,
      };
    if (total === 0)
      return {
        status: 'SKIPPED',
        message: 'Skipping synchronization, no new or updated data values, registrations or events',
        kinds: kindsSent,
      };
    return {
      status: 'SUCCESS',
      message: `Pushed ${done.join('; ')} (up to data change ${cut})`,
      kinds: kindsSent,
    };
  };
}
