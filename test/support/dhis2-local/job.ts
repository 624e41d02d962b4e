/**
 * `MetadataSyncJob.execute` of a DHIS2 local (issue 16 §12, contract §9, §17): a RetryTemplate
 * (`metadata.sync.retry` = 3 attempts, back-off skipped) around `runSyncTask` —
 * data values → [≤2.41 anonymous events] → registrations → [≤2.41 tracked entities] → current
 * version → remote list → versions — and, when the attempts end in an exception, the recovery:
 * `keyMetadataFailedVersion` and the failure e-mail. Which exceptions are retried depends on
 * the build (`Release.retriesEveryException`), but a failed step has already aborted the job's
 * progress, so a retried attempt stops at its first step with a CancellationException.
 */
import {
  pushDataValues,
  pushEvents,
  pushRegistrations,
  pushTrackedEntities,
  type PageSizes,
  type Queues,
  type StepResult,
} from './data-push.ts';
import { JavaException, MSSE, javaError } from './java-errors.ts';
import {
  currentVersion,
  remoteVersions,
  sendFailureEmail,
  syncVersions,
  type MetadataRun,
} from './metadata-sync.ts';
import { Progress, RetryContext } from './progress.ts';

export interface RunResult {
  status: 'SUCCESS' | 'FAILURE';
  /** The failure e-mail's body, as DHIS2 sends it (null when the run sent none). */
  failure: string | null;
  /** Attempts the RetryTemplate made. */
  attempts: number;
  /** The names of the versions whose snapshots were accepted this run, in order. */
  accepted: string[];
  /** The job progress log. */
  log: string[];
}

const MAX_ATTEMPTS = 3;

async function step(run: MetadataRun, key: string, result: Promise<StepResult>) {
  const r = await result;
  if (r.ok) run.progress.completed(r.message);
  else {
    run.retry.set(key, r.message);
    throw javaError(MSSE, r.message);
  }
}

async function runSyncTask(
  run: MetadataRun,
  queues: Queues,
  sizes: PageSizes,
): Promise<string | null> {
  const { ctx, progress } = run;
  progress.startingProcess('Setting up metadata synchronisation');
  progress.completed('finished setting up metadata synchronisation');
  await step(run, 'dataPushSummary', pushDataValues(ctx, queues, sizes, progress));
  if (ctx.rel.trackerPush)
    await step(run, 'eventPushSummary', pushEvents(ctx, queues, sizes, progress));
  await step(run, 'dataPushSummary', pushRegistrations(ctx, queues, progress));
  if (ctx.rel.trackerPush)
    await step(run, 'trackerPushSummary', pushTrackedEntities(ctx, queues, sizes, progress));
  progress.startingProcess('Getting the current version of the system');
  const current = currentVersion(run.state);
  const versions = await remoteVersions(run, current);
  return syncVersions(run, versions);
}

const retryable = (run: MetadataRun, e: unknown) =>
  run.ctx.rel.retriesEveryException || (e instanceof JavaException && e.javaClass === MSSE);

export async function executeJob(
  run: MetadataRun,
  queues: Queues,
  sizes: PageSizes,
): Promise<RunResult> {
  const { retry, state } = run;
  let failure: string | null = null;
  for (;;) {
    retry.attempts++;
    state.settings.keyMetadataFailedVersion = null;
    state.settings.keyMetadataLastFailedTime = null;
    try {
      failure = await runSyncTask(run, queues, sizes);
      break;
    } catch (e) {
      retry.lastThrowable = e as Error;
      if (retry.attempts < MAX_ATTEMPTS && retryable(run, e)) continue;
      // Recovery callback: the failed version settings, then the failure e-mail.
      const version = retry.attributes.get('version') as { name: string } | undefined;
      if (version) {
        state.settings.keyMetadataFailedVersion = version.name;
        state.settings.keyMetadataLastFailedTime = run.now();
      }
      failure = sendFailureEmail(run);
      break;
    }
  }
  return {
    status: failure === null ? 'SUCCESS' : 'FAILURE',
    failure,
    attempts: retry.attempts,
    accepted: run.accepted,
    log: run.progress.log,
  };
}

export { Progress, RetryContext };
