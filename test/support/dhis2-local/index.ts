/**
 * An emulated DHIS2 local (issue 16 §12): the META_DATA_SYNC job of DHIS2 2.39, 2.41, 2.42 or
 * 2.43 against a central, over real HTTP, with what the test queues as its changed data. It
 * records every request and answer (`wire.exchanges`), the versions it saved, the snapshots it
 * accepted and the e-mails it sent, and returns each run's result. Scope and release
 * differences: docs/protocol.md "DHIS2 releases".
 *
 *     const local = new Dhis2Local({ release: '2.41.9.1', remote: { url, username, password } });
 *     local.queues.dataValues.push(row);
 *     const result = await local.runMetadataSync();
 */
import type { PageSizes, Queues } from './data-push.ts';
import { executeJob, Progress, RetryContext, type RunResult } from './job.ts';
import { acceptAll, type Importer } from './metadata-sync.ts';
import { release as releaseOf, type Release } from './releases.ts';
import { emptyState, type LocalState } from './state.ts';
import {
  sendSyncRequest,
  type PushEndpoint,
  type Remote,
  type SyncContext,
  type SyncSettings,
} from './sync-utils.ts';
import { Wire, type Exchange } from './wire.ts';

export interface Dhis2LocalOptions {
  /** A build string (`2.41.9.1`) or a profile from `RELEASES`. */
  release: string | Release;
  remote: Remote;
  settings?: Partial<SyncSettings>;
  pageSizes?: Partial<PageSizes>;
  importer?: Importer;
  /** `keyStopMetadataSync` (DHIS2's default: off). */
  stopOnVersionMismatch?: boolean;
  now?: () => Date;
}

export class Dhis2Local {
  readonly rel: Release;
  readonly wire: Wire;
  readonly state: LocalState = emptyState();
  readonly queues: Queues = { dataValues: [], registrations: [], events: [], trackedEntities: [] };
  readonly results: RunResult[] = [];
  private readonly ctx: SyncContext;
  private readonly sizes: PageSizes;

  constructor(private readonly opts: Dhis2LocalOptions) {
    this.rel = typeof opts.release === 'string' ? releaseOf(opts.release) : opts.release;
    this.wire = new Wire(this.rel);
    this.ctx = {
      rel: this.rel,
      wire: this.wire,
      remote: opts.remote,
      settings: { availabilityAttempts: 3, maxSyncAttempts: 3, ...opts.settings },
    };
    this.sizes = {
      dataValuesPageSize: 10_000,
      eventProgramPageSize: 60,
      trackerProgramPageSize: 20,
      ...opts.pageSizes,
    };
    this.state.settings.keyStopMetadataSync = opts.stopOnVersionMismatch ?? false;
  }

  /** Points the local at another central, or changes its credentials. */
  setRemote(remote: Partial<Remote>): void {
    Object.assign(this.ctx.remote, remote);
  }

  /**
   * One push outside the job, as `SyncUtils.sendSyncRequest` sends it: true/false for a summary
   * that succeeded or not (or could not be read), or the JavaException DHIS2 would throw.
   */
  push(endpoint: PushEndpoint, body: string): Promise<boolean> {
    return sendSyncRequest(this.ctx, endpoint, body);
  }

  /** One scheduled execution of META_DATA_SYNC (a fresh job progress and retry context). */
  async runMetadataSync(): Promise<RunResult & { exchanges: Exchange[] }> {
    const from = this.wire.exchanges.length;
    const result = await executeJob(
      {
        ctx: this.ctx,
        state: this.state,
        retry: new RetryContext(),
        progress: new Progress(),
        importer: this.opts.importer ?? acceptAll,
        now: this.opts.now ?? (() => new Date()),
        accepted: [],
      },
      this.queues,
      this.sizes,
    );
    this.results.push(result);
    return { ...result, exchanges: this.wire.exchanges.slice(from) };
  }
}

export { RELEASES, release } from './releases.ts';
export type { Exchange, RunResult };
