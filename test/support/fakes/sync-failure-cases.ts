/**
 * The shape of the unit tests of a failed sync run (test/unit/run-sync-failures-*.test.ts): a
 * local at Version_1, a central that has published Version_2 since, one way of breaking either,
 * and what must then hold of the report, the local and DHIS2's failure settings.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { StepName } from '../../../src/domain/sync/sync-report.ts';
import { dataElement, steps, syncHarness, type SyncHarness } from './sync-run-harness.ts';

export interface FailureCase {
  name: string;
  kind: string;
  step: StepName;
  /** Attempts made: 3 (the harness's retries) for a retried kind, 1 otherwise. */
  attempts: number;
  version: string | null;
  message: RegExp;
  /** The version report of the failed version, when it got as far as applying it. */
  versionReport?: boolean;
  /** Publishes Version_2; by default a good one adding NEW_ELEMENT. */
  publish?: (h: SyncHarness) => void;
  /** Breaks the central (or the local) after Version_2 is published. */
  arrange?: (h: SyncHarness) => unknown;
}

/** What a good Version_2 adds. */
export const NEW_ELEMENT = dataElement(2);

/** A local at Version_1, synced from its central. */
async function localAtVersion1() {
  const h = await syncHarness({ retries: 3, retryDelayMs: 10 });
  h.central.publish({ objects: { dataElements: [dataElement(1)] } });
  assert.equal((await h.run()).status, 'SUCCESS');
  h.saved.length = 0;
  h.sleeps.length = 0;
  return h;
}

const ORDER: StepName[] = ['setUp', 'ping', 'dataPush', 'history', 'versions'];
const DONE: Record<StepName, string> = {
  setUp: 'setUp:SUCCESS',
  ping: 'ping:SUCCESS',
  dataPush: 'dataPush:SKIPPED',
  history: 'history:SUCCESS',
  versions: 'versions:SUCCESS',
};

export function describeFailures(title: string, cases: readonly FailureCase[]): void {
  describe(title, () => {
    for (const c of cases)
      it(`${c.kind} (${c.name}): ${c.step} FAILED after ${c.attempts} attempt(s)`, async () => {
        const h = await localAtVersion1();
        if (c.publish) c.publish(h);
        else h.central.publish({ objects: { dataElements: [NEW_ELEMENT] } });
        await c.arrange?.(h);
        const before = await h.store.countByType();

        const report = await h.run();
        assert.equal(report.status, 'FAILED');
        assert.deepEqual(
          { kind: report.error?.kind, step: report.error?.step, version: report.error?.version },
          { kind: c.kind, step: c.step, version: c.version },
        );
        assert.match(report.error!.message, c.message);
        assert.equal(report.attempts, c.attempts, c.attempts > 1 ? 'retried' : 'not retried');
        // The steps before it done, the failed step, and the ones it never reached.
        const at = ORDER.indexOf(c.step);
        assert.deepEqual(steps(report), [
          ...ORDER.slice(0, at).map((s) => DONE[s]),
          `${c.step}:FAILED`,
          ...ORDER.slice(at + 1).map((s) => `${s}:NOT_EXECUTED`),
        ]);
        assert.equal(report.steps[at]!.message, report.error!.message);
        assert.deepEqual(
          report.versions.map((v) => [v.name, v.status, v.message]),
          c.versionReport ? [['Version_2', 'FAILED', report.error!.message]] : [],
        );
        // Nothing of the failed version is imported or recorded; the run stays where it was.
        assert.deepEqual(
          (await h.versions.list()).map((v) => v.name),
          ['Version_1'],
        );
        assert.equal(await h.store.get('dataElements', NEW_ELEMENT.id), null);
        assert.deepEqual(await h.store.countByType(), before);
        assert.equal(report.fromVersion, 'Version_1');
        assert.equal(report.toVersion, null);
        // DHIS2's failure settings: the version the run was at or working on, and when.
        assert.equal(h.settings.values.get('keyMetadataFailedVersion'), c.version);
        assert.equal(h.settings.values.get('keyMetadataLastFailedTime'), report.endTime);
        assert.equal(report.endTime, h.clock.now().toISOString());
        // The final report is the last one saved.
        assert.deepEqual(h.saved.at(-1), report);
      });
  });
}
