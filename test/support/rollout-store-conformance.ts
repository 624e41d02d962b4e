/**
 * The conformance suite of the RolloutStore port (issue 22): run on PGlite and PostgreSQL
 * (test/integration/rollout-store-conformance.test.ts) and on the in-memory fake
 * (test/unit/rollout-store-conformance.test.ts). Each test starts from an empty store.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { CanaryOutcome } from '../../src/domain/rollout/release-plan.ts';
import type { RolloutStore } from '../../src/domain/rollout/rollout-store.ts';

const T = (s: number) => new Date(Date.UTC(2026, 11, 1, 10, 0, s));

const outcome = (over: Partial<CanaryOutcome>): CanaryOutcome => ({
  versionId: 'confversion1',
  systemId: 'sys-A',
  username: 'sync',
  status: 'SUCCESS',
  failureKind: null,
  message: null,
  at: T(1),
  ...over,
});

export function registerRolloutStoreTests(fresh: () => Promise<RolloutStore>) {
  it('no configuration until one is saved; a save replaces it whole', async () => {
    const s = await fresh();
    assert.equal(await s.config(), null);
    await s.saveConfig({
      enabled: true,
      ring: [{ systemId: 'sys-A' }, { username: 'dhis2' }],
      autoReleaseAfterMinutes: 30,
      updatedBy: 'admin',
      updatedAt: T(1),
    });
    await s.saveConfig({
      enabled: false,
      ring: [{ username: 'dhis2' }],
      autoReleaseAfterMinutes: null,
      updatedBy: 'other',
      updatedAt: T(2),
    });
    assert.deepEqual(await s.config(), {
      enabled: false,
      ring: [{ username: 'dhis2' }],
      autoReleaseAfterMinutes: null,
      updatedBy: 'other',
      updatedAt: T(2),
    });
  });

  it('outcomes: one per local per version, the newest report wins; a local is its system id, else its user', async () => {
    const s = await fresh();
    await s.recordOutcome(
      outcome({ status: 'FAILED', failureKind: 'IMPORT_FAILED', message: 'E5002', at: T(1) }),
    );
    await s.recordOutcome(outcome({ at: T(2) }));
    await s.recordOutcome(outcome({ systemId: null, username: 'dhis2', at: T(3) }));
    await s.recordOutcome(outcome({ versionId: 'confversion2', status: 'FAILED', at: T(4) }));
    assert.deepEqual(
      (await s.outcomes()).map((o) => [o.versionId, o.systemId, o.username, o.status, o.at]),
      [
        ['confversion1', 'sys-A', 'sync', 'SUCCESS', T(2)],
        ['confversion1', null, 'dhis2', 'SUCCESS', T(3)],
        ['confversion2', 'sys-A', 'sync', 'FAILED', T(4)],
      ],
    );
  });
}
