/**
 * One local and one central in memory, wired to `runSync` as the sync service wires them
 * (src/sync/sync-service.ts), minus the lease: every saved report is kept (a deep copy, so the
 * tests see each status a step went through), sleeps are recorded instead of waited, the data
 * push answers what the test sets.
 */
import { gzipSync } from 'node:zlib';
import { newUid } from '../../../src/security/random.ts';
import {
  runSync,
  type DataPushResult,
  type SyncDeps,
  type SyncEvent,
} from '../../../src/domain/sync/run-sync.ts';
import type { CentralInfo } from '../../../src/domain/sync/central-client.ts';
import { newReport, type SyncReport, type Trigger } from '../../../src/domain/sync/sync-report.ts';
import { createFakeCentral, type FakeCentral } from './fake-central-client.ts';
import { memoryLocal, memorySettings } from './sync-import-fakes.ts';

export interface HarnessOptions {
  retries?: number;
  retryDelayMs?: number;
  localSystemVersion?: string;
  central?: Parameters<typeof createFakeCentral>[0];
  settings?: Record<string, unknown>;
}

export async function syncHarness(options: HarnessOptions = {}) {
  const local = await memoryLocal();
  const central: FakeCentral = createFakeCentral(options.central);
  const settings = memorySettings(options.settings);
  const saved: SyncReport[] = [];
  const events: SyncEvent[] = [];
  const sleeps: number[] = [];
  const pushes: DataPushResult[] = [];
  /** The central's release each data push was told. */
  const pushedTo: CentralInfo[] = [];
  let push: (n: number) => DataPushResult | Promise<DataPushResult> = () => ({
    status: 'SKIPPED',
    message: 'Nothing to push',
  });

  const deps: SyncDeps = {
    client: central,
    importDeps: local.deps,
    versions: local.versions,
    settings,
    saveReport: async (r) => {
      saved.push(structuredClone(r));
    },
    dataPush: async (central) => {
      pushedTo.push(structuredClone(central));
      const result = await push(pushes.length + 1);
      pushes.push(result);
      return result;
    },
    // Time passes only in the run's own clock: a retry's wait shows in the report's end time.
    sleep: async (ms) => {
      sleeps.push(ms);
      local.clock.advance(ms);
    },
    gzip: (b) => gzipSync(b),
    retries: options.retries ?? 1,
    retryDelayMs: options.retryDelayMs ?? 1000,
    localSystemVersion: options.localSystemVersion ?? '2.41.0',
    onEvent: (e) => events.push(e),
  };

  return {
    ...local,
    central,
    settings,
    deps,
    saved,
    events,
    sleeps,
    pushes,
    pushedTo,
    /** The data push of the `n`th attempt answers what `answer(n)` gives. */
    onDataPush(answer: typeof push) {
      push = answer;
    },
    /** A run as the service starts one: a fresh RUNNING report, then `runSync`. */
    async run(input: { upTo?: string; trigger?: Trigger } = {}): Promise<SyncReport> {
      const report = newReport(newUid(), input.trigger ?? 'MANUAL', 'admin', local.clock.now());
      return runSync(
        deps,
        { report, actorId: 'M5zQapPyTZI', ...(input.upTo ? { upTo: input.upTo } : {}) },
        () => local.clock.now(),
      );
    },
  };
}

export type SyncHarness = Awaited<ReturnType<typeof syncHarness>>;

/**
 * A harness whose central has published `n` versions of one new data element each, ATOMIC and
 * BEST_EFFORT in turn.
 */
export async function withVersions(n: number, options: HarnessOptions = {}) {
  const h = await syncHarness(options);
  for (let i = 1; i <= n; i++)
    h.central.publish(
      { objects: { dataElements: [dataElement(i)] } },
      { type: i % 2 ? 'ATOMIC' : 'BEST_EFFORT' },
    );
  return h;
}

/** A data element as the central holds it; `n` keeps ids and codes apart. */
export function dataElement(n: number, extra: Record<string, unknown> = {}) {
  const id = `deUnit${String(n).padStart(5, '0')}`;
  return {
    id,
    name: `Unit element ${n}`,
    shortName: `Unit element ${n}`,
    code: `UNIT_DE_${n}`,
    valueType: 'NUMBER',
    aggregationType: 'SUM',
    domainType: 'AGGREGATE',
    ...extra,
  };
}

/** Step statuses in order, for one-line assertions. */
export const steps = (r: SyncReport) => r.steps.map((s) => `${s.name}:${s.status}`);
