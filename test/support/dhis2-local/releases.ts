/**
 * What differs between the DHIS2 releases the emulated local can be (issue 16 §12), read from
 * dhis2-core at the tags: a profile is computed from a build string such as `2.41.9.1`, so a
 * test can also pick an older patch of a line where DHIS2 changed behaviour within it.
 */
import { knownErrorCodes } from './error-codes.ts';

export type ReleaseLine = '2.39' | '2.41' | '2.42' | '2.43';

export interface Release {
  /** The build string: what the local compares a snapshot's `system.version` with. */
  build: string;
  line: ReleaseLine;
  /**
   * ≤2.41: anonymous events and tracked entities are pushed inside META_DATA_SYNC
   * (`MetadataSyncJob.runSyncTask`); 2.42 removed both steps (contract §17).
   */
  trackerPush: boolean;
  /**
   * The RetryTemplate's policy (`ServiceConfig.retryTemplate`): only MetadataSyncServiceException
   * up to 2.40.8, 2.41.4.2 and 2.42.1; every exception from 2.40.9, 2.41.5, 2.42.2 and 2.43.0.
   */
  retriesEveryException: boolean;
  /**
   * `EventSynchronization.synchronizePage` throws "Page N synchronisation failed." after a
   * successful POST (a missing `return`): 2.39.0–2.39.5, 2.40.0–2.40.3 and every 2.41 tag.
   */
  eventPageAlwaysFails: boolean;
  /**
   * A downloaded snapshot is stored before the `keyStopMetadataSync` check (2.42.5+, 2.43.1+),
   * so a refused snapshot is kept; before, it is stored only after the check passed.
   */
  snapshotStoredBeforeCheck: boolean;
  /** `DateUtils` parses `yyyyMMdd` as a date (2.40.0+); before, 8 digits are a year. */
  compactDateParser: boolean;
  /**
   * How data values are written: ≤2.42 `JsonDataValueSetWriter` (every field, nulls written),
   * 2.43 `DataExportPipeline.exportAsJsonSync` (jsontree, null members left out).
   */
  dataValueWriter: 'legacy' | 'pipeline';
  /** HttpClient of the version calls: 4.x (User-Agent "Apache-HttpClient/…") or 5.x (empty). */
  httpClient: 4 | 5;
  /** `MetadataSyncJob.keys`: the retry-context keys the failure e-mail lists, in order. */
  failureKeys: readonly string[];
  /** The names of DHIS2's `ErrorCode` enum at that release (`ImportConflict.errorCode`). */
  errorCodes: ReadonlySet<string>;
}

const parts = (build: string) => build.split('.').map(Number);

/** -1, 0 or 1 as `a` is before, equal to or after `b` (missing parts count as 0). */
export function compareBuilds(a: string, b: string): number {
  const [x, y] = [parts(a), parts(b)];
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return 0;
}

const atLeast = (build: string, min: string) => compareBuilds(build, min) >= 0;

export function release(build: string): Release {
  if (!/^2\.(39|41|42|43)(\.\d+){1,2}$/.test(build))
    throw new Error(`the emulator models DHIS2 2.39, 2.41, 2.42 and 2.43 builds, not ${build}`);
  const line = build.split('.').slice(0, 2).join('.') as ReleaseLine;
  const trackerPush = line === '2.39' || line === '2.41';
  return {
    build,
    line,
    trackerPush,
    retriesEveryException:
      line === '2.43' ||
      (line === '2.42' && atLeast(build, '2.42.2')) ||
      (line === '2.41' && atLeast(build, '2.41.5')),
    eventPageAlwaysFails: line === '2.41' || (line === '2.39' && !atLeast(build, '2.39.6')),
    snapshotStoredBeforeCheck:
      (line === '2.42' && atLeast(build, '2.42.5')) ||
      (line === '2.43' && atLeast(build, '2.43.1')),
    compactDateParser: line !== '2.39',
    dataValueWriter: line === '2.43' ? 'pipeline' : 'legacy',
    httpClient: trackerPush ? 4 : 5,
    failureKeys: [
      'dataPushSummary',
      ...(trackerPush ? ['eventPushSummary'] : []),
      'getMetadataVersion',
      'getMetadataVersionsList',
      'metadataSync',
      'version',
    ],
    errorCodes: knownErrorCodes(line),
  };
}

/** The newest patch of each line, as the release tests use them. */
export const RELEASES: Record<ReleaseLine, Release> = {
  '2.39': release('2.39.10.1'),
  '2.41': release('2.41.9.1'),
  '2.42': release('2.42.5.2'),
  '2.43': release('2.43.1'),
};
