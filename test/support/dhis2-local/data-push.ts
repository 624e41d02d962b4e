/**
 * The data pushes that run before a DHIS2 local pulls metadata (issue 16 §12, contract §11),
 * step by step as `DataValueSynchronization`, `EventSynchronization` (≤2.41),
 * `CompleteDataSetRegistrationSynchronization` and `TrackerSynchronization` (≤2.41) run them.
 * "Changed since the last success" is simplified to the rows the test queued; a step that
 * succeeds takes what it synchronised off the queue, as DHIS2 moves its watermark or marks
 * events and tracked entities synchronised.
 *
 * Read from the source (2.39–2.43), and kept: pages of data values, events and tracked entities
 * run in a SKIP_ITEM stage, so a page the central refuses (WARNING/ERROR, an unreadable answer,
 * even a NullPointerException) is logged and skipped and the step still SUCCEEDS: data values
 * then move the watermark past the refused values, events and tracked entities stay queued.
 * Only an unavailable central (the pings) and a failed registration push fail their step, and a
 * failed step stops the run before the metadata pull.
 */
import { JavaException, MSSE, javaError } from './java-errors.ts';
import {
  dataValuesBody,
  eventsBody,
  registrationsBody,
  trackedEntitiesBody,
  type DataValueRow,
  type RegistrationRow,
} from './payloads.ts';
import type { Progress } from './progress.ts';
import { sendSyncRequest, testServerAvailability, type SyncContext } from './sync-utils.ts';

type Json = Record<string, unknown>;

export interface PageSizes {
  dataValuesPageSize: number;
  eventProgramPageSize: number;
  trackerProgramPageSize: number;
}

export interface Queues {
  dataValues: DataValueRow[];
  registrations: RegistrationRow[];
  events: Json[];
  trackedEntities: Json[];
}

export type StepResult = { ok: true; message: string } | { ok: false; message: string };

const describe = (e: unknown) =>
  e instanceof JavaException ? `${e.javaClass}: ${String(e.javaMessage)}` : String(e);

/** A page in a SKIP_ITEM stage: its failure is logged, never thrown. */
async function page(progress: Progress, n: number, send: () => Promise<boolean>) {
  try {
    if (!(await send())) throw javaError(MSSE, `Page ${n} synchronisation failed.`);
  } catch (e) {
    progress.itemFailed(describe(e));
  }
}

async function unavailable(ctx: SyncContext, progress: Progress, message: string) {
  const status = await testServerAvailability(ctx);
  if (status.available) return null;
  progress.failed(message);
  return { ok: false as const, message };
}

export async function pushDataValues(
  ctx: SyncContext,
  q: Queues,
  sizes: PageSizes,
  progress: Progress,
): Promise<StepResult> {
  progress.startingProcess('Starting DataValueSynchronization job');
  const down = await unavailable(
    ctx,
    progress,
    'DataValueSynchronization failed. Remote server is unavailable.',
  );
  if (down) return down;
  const rows = [...q.dataValues];
  if (rows.length === 0)
    return { ok: true, message: 'Skipping synchronization, no new or updated DataValues' };
  const pages = Math.ceil(rows.length / sizes.dataValuesPageSize);
  for (let p = 1; p <= pages; p++) {
    const slice = rows.slice((p - 1) * sizes.dataValuesPageSize, p * sizes.dataValuesPageSize);
    await page(progress, p, () =>
      sendSyncRequest(
        ctx,
        { path: '/api/dataValueSets', klass: 'ImportSummary' },
        dataValuesBody(slice, ctx.rel),
      ),
    );
  }
  // The stage was never skipped: the watermark moves past every row counted, pushed or not.
  q.dataValues.splice(0, rows.length);
  progress.completed('SUCCESS! DataValueSynchronization job is done.');
  return { ok: true, message: 'DataValueSynchronization done.' };
}

export async function pushEvents(
  ctx: SyncContext,
  q: Queues,
  sizes: PageSizes,
  progress: Progress,
): Promise<StepResult> {
  progress.startingProcess('Starting Event programs data synchronization job.');
  const down = await unavailable(
    ctx,
    progress,
    'Event programs data synchronization failed. Remote server is unavailable.',
  );
  if (down) return down;
  if (q.events.length === 0)
    return {
      ok: true,
      message: 'Event programs data synchronization skipped. No new or updated events found.',
    };
  const size = sizes.eventProgramPageSize;
  const pages = Math.ceil(q.events.length / size);
  for (let p = 1; p <= pages; p++) {
    // Every page asks for the first `size` events not yet synchronised.
    const batch = q.events.slice(0, size);
    await page(progress, p, async () => {
      const ok = await sendSyncRequest(
        ctx,
        { path: '/api/events?strategy=SYNC', klass: 'ImportSummaries' },
        eventsBody(batch),
      );
      if (ok) q.events.splice(0, batch.length);
      return ok && !ctx.rel.eventPageAlwaysFails;
    });
  }
  return { ok: true, message: 'Event programs data synchronization done.' };
}

export async function pushRegistrations(
  ctx: SyncContext,
  q: Queues,
  progress: Progress,
): Promise<StepResult> {
  progress.startingProcess('Starting Complete data set registration synchronization job.');
  const down = await unavailable(
    ctx,
    progress,
    'Complete data set registration synchronization failed. Remote server is unavailable.',
  );
  if (down) return down;
  const rows = [...q.registrations];
  if (rows.length === 0)
    return { ok: true, message: 'Skipping completeness synchronization, no new or updated data' };
  let ok = false;
  try {
    ok = await sendSyncRequest(
      ctx,
      { path: '/api/completeDataSetRegistrations', klass: 'ImportSummary' },
      registrationsBody(rows),
    );
  } catch (e) {
    // runStage(false, …): the exception fails the stage (and aborts the job), the step fails.
    progress.failed(describe(e));
  }
  if (ok) {
    q.registrations.splice(0, rows.length);
    return { ok: true, message: 'Complete data set registration synchronization is done.' };
  }
  const message = 'Complete data set registration synchronization failed.';
  progress.failed(message);
  return { ok: false, message };
}

export async function pushTrackedEntities(
  ctx: SyncContext,
  q: Queues,
  sizes: PageSizes,
  progress: Progress,
): Promise<StepResult> {
  progress.startingProcess('Starting Tracker programs data synchronization job.');
  const down = await unavailable(
    ctx,
    progress,
    'Tracker programs data synchronization failed. Remote server is unavailable.',
  );
  if (down) return down;
  if (q.trackedEntities.length === 0)
    return {
      ok: true,
      message: 'Tracker programs data synchronization skipped. No new or updated TEIs found.',
    };
  const size = sizes.trackerProgramPageSize;
  const pages = Math.ceil(q.trackedEntities.length / size);
  for (let p = 1; p <= pages; p++) {
    // Page p of the query as it stands now: synchronised ones have already dropped out of it.
    const batch = q.trackedEntities.slice((p - 1) * size, p * size);
    await page(progress, p, async () => {
      const ok = await sendSyncRequest(
        ctx,
        {
          path: '/api/trackedEntityInstances?strategy=SYNC',
          klass: 'ImportSummaries',
          tracker: true,
        },
        trackedEntitiesBody(batch),
      );
      if (ok) for (const t of batch) q.trackedEntities.splice(q.trackedEntities.indexOf(t), 1);
      return ok;
    });
  }
  return { ok: true, message: 'Tracker programs data synchronization done.' };
}
