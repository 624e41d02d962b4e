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
 */
import { RemoteError } from '../domain/sync/central-client.ts';
import { wireValue } from '../domain/data/data-values.ts';
import type { ChangeWindow, ChangedPage, DataStore } from '../domain/data/data-store.ts';
import {
  describeFailure,
  extractSummary,
  pushSucceeded,
  type CentralSummary,
} from '../domain/data/push-outcome.ts';
import type { Clock } from '../domain/ports.ts';
import type { DataPushResult } from '../domain/sync/run-sync.ts';
import type { DataClient } from '../central/http-data-client.ts';

export interface DataPushDeps {
  store: DataStore;
  clock: Clock;
  settings: {
    value(key: string): Promise<unknown>;
    update(entries: Record<string, unknown>): Promise<void>;
  };
  /** A client for the configured central (built per push from the remote settings). */
  client: () => Promise<DataClient>;
}

interface Kind<T> {
  label: string;
  path: string;
  rootKey: string;
  seqKey: string;
  dateKey: string;
  pageSizeKey: string;
  changed: (w: ChangeWindow) => Promise<ChangedPage<T>>;
  wire: (row: T) => unknown;
  afterPage?: (rows: T[], at: Date) => Promise<void>;
}

class PushFailure extends Error {}

/** Per-run overrides: a scheduled job's `jobParameters.dataValuesPageSize` (issue 8). */
export interface DataPushOptions {
  dataValuesPageSize?: number;
}

export function createDataPush(
  deps: DataPushDeps,
): (options?: DataPushOptions) => Promise<DataPushResult> {
  const kinds = [
    {
      label: 'data values',
      path: '/api/dataValueSets',
      rootKey: 'dataValues',
      seqKey: 'keyLastSuccessfulDataSynchSeq',
      dateKey: 'keyLastSuccessfulDataSynch',
      pageSizeKey: 'dataValuesPageSize',
      changed: (w) => deps.store.changedDataValues(w),
      wire: wireValue,
    } satisfies Kind<Parameters<typeof wireValue>[0]>,
    {
      label: 'complete registrations',
      path: '/api/completeDataSetRegistrations',
      rootKey: 'completeDataSetRegistrations',
      seqKey: 'keyLastCompleteDataSetRegistrationSyncSeq',
      dateKey: 'keyLastCompleteDataSetRegistrationSyncSuccess',
      pageSizeKey: 'dataValuesPageSize',
      changed: (w) => deps.store.changedRegistrations(w),
      wire: (r) => r,
    } satisfies Kind<Awaited<ReturnType<DataStore['changedRegistrations']>>['rows'][number]>,
    {
      label: 'events',
      path: '/api/events?strategy=SYNC',
      rootKey: 'events',
      seqKey: 'keyLastSuccessfulEventsDataSynchSeq',
      dateKey: 'keyLastSuccessfulEventsDataSynch',
      pageSizeKey: 'eventProgramPageSize',
      changed: (w) => deps.store.changedEvents(w),
      wire: (e) => e,
      afterPage: (rows, at) =>
        deps.store.markEventsSynchronized(
          rows.map((e) => e.event),
          at,
        ),
    } satisfies Kind<Awaited<ReturnType<DataStore['changedEvents']>>['rows'][number]>,
  ] as Kind<unknown>[];

  return async function push(options: DataPushOptions = {}): Promise<DataPushResult> {
    const start = deps.clock.now();
    const cut = await deps.store.committedSeq();
    const skip = await deps.settings.value('syncSkipSyncForDataChangedBefore');
    const skipBefore = typeof skip === 'string' && skip ? new Date(skip) : null;
    const done: string[] = [];
    let total = 0;
    let client: DataClient | null = null;
    try {
      for (const kind of kinds) {
        const watermark = Number((await deps.settings.value(kind.seqKey)) ?? 0);
        const limit =
          kind.pageSizeKey === 'dataValuesPageSize' && options.dataValuesPageSize
            ? options.dataValuesPageSize
            : Number((await deps.settings.value(kind.pageSizeKey)) ?? 10_000);
        let after = watermark;
        let sent = 0;
        let page = 0;
        for (;;) {
          const { rows, lastSeq } = await kind.changed({ after, upTo: cut, limit, skipBefore });
          if (rows.length === 0) break;
          page++;
          client ??= await deps.client();
          const res = await client.post(kind.path, { [kind.rootKey]: rows.map(kind.wire) });
          const summary: CentralSummary = extractSummary(res.body);
          if (!pushSucceeded(summary))
            throw new PushFailure(
              describeFailure(`Pushing ${kind.label}: page ${page} (${rows.length} rows)`, summary),
            );
          await kind.afterPage?.(rows, start);
          sent += rows.length;
          after = lastSeq;
          if (rows.length < limit) break;
        }
        // All pages (possibly none) succeeded: everything up to the cut is on the central.
        if (cut > watermark)
          await deps.settings.update({ [kind.seqKey]: cut, [kind.dateKey]: start.toISOString() });
        total += sent;
        done.push(`${kind.label}: ${sent}${page > 1 ? ` in ${page} pages` : ''}`);
      }
    } catch (e) {
      if (e instanceof PushFailure || e instanceof RemoteError) {
        const before = done.length > 0 ? ` (pushed before the failure: ${done.join(', ')})` : '';
        return { status: 'FAILED', message: `${e.message}${before}` };
      }
      throw e;
    }
    if (total === 0)
      return {
        status: 'SKIPPED',
        message: 'Skipping synchronization, no new or updated data values, registrations or events',
      };
    return { status: 'SUCCESS', message: `Pushed ${done.join('; ')} (up to data change ${cut})` };
  };
}
