/**
 * Retries of a sync run (issue 6 §3): which kinds are retried, how often (`syncRetry`), after
 * what waits (doubling from `syncRetryFrequencyMs`, capped), what the report holds between two
 * attempts, and the availability check's pings within one attempt (issue 16 §11). The
 * outcomes test/integration/sync-failures, sync-central-answers and data-push assert over HTTP.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runSync } from '../../src/domain/sync/run-sync.ts';
import { newReport, RETRYABLE, type FailureKind } from '../../src/domain/sync/sync-report.ts';
import { remote } from '../support/fakes/fake-central-client.ts';
import { dataElement, steps, syncHarness } from '../support/fakes/sync-run-harness.ts';

async function harness(retries: number, retryDelayMs: number, settings = {}) {
  const h = await syncHarness({ retries, retryDelayMs, settings });
  h.central.publish({ objects: { dataElements: [dataElement(1)] } });
  return h;
}

describe('runSync: which failures are retried', () => {
  const kinds: [FailureKind, boolean][] = [
    ['REMOTE_NOT_CONFIGURED', false],
    ['REMOTE_UNREACHABLE', true],
    ['REMOTE_AUTH', false],
    ['REMOTE_REDIRECT', false],
    ['REMOTE_ERROR', true],
    ['DATA_PUSH', true],
    ['HASH_MISMATCH', false],
    ['BAD_SNAPSHOT', false],
    ['VERSION_MISMATCH', false],
    ['IMPORT_FAILED', false],
    ['DIVERGED', false],
    ['VERSION_EXISTS', false],
    ['INTERRUPTED', false],
    ['INTERNAL', true],
  ];
  for (const [kind, retried] of kinds)
    it(`${kind} is ${retried ? '' : 'not '}retried`, () => {
      assert.equal(RETRYABLE.has(kind), retried);
    });
});

describe('runSync: retries and their waits', () => {
  const cases: { retries: number; delay: number; attempts: number; waits: number[] }[] = [
    { retries: 0, delay: 10, attempts: 1, waits: [] },
    { retries: 1, delay: 10, attempts: 1, waits: [] },
    { retries: 3, delay: 20, attempts: 3, waits: [20, 40] },
    { retries: 5, delay: 1000, attempts: 5, waits: [1000, 2000, 4000, 8000] },
    // Doubling stops at 30 s…
    { retries: 5, delay: 20_000, attempts: 5, waits: [20_000, 30_000, 30_000, 30_000] },
    // …unless the configured wait is longer: then it is the cap.
    { retries: 3, delay: 50_000, attempts: 3, waits: [50_000, 50_000] },
  ];
  for (const c of cases)
    it(`syncRetry ${c.retries}, syncRetryFrequencyMs ${c.delay}: ${c.attempts} attempt(s), waits ${JSON.stringify(c.waits)}`, async () => {
      const h = await harness(c.retries, c.delay);
      h.central.fail('ping', remote.unreachable(), Infinity);
      const report = await h.run();
      assert.equal(report.status, 'FAILED');
      assert.equal(report.attempts, c.attempts);
      assert.equal(h.central.count('ping'), c.attempts);
      assert.deepEqual(h.sleeps, c.waits);
      assert.deepEqual(
        h.events.filter((e) => e.kind === 'retry'),
        c.waits.map((waitMs, i) => ({
          kind: 'retry',
          attempt: i + 1,
          waitMs,
          message: report.error!.message,
        })),
      );
      // The failure time is after the waits (the run's clock moved through them).
      const waited = c.waits.reduce((a, b) => a + b, 0);
      assert.equal(Date.parse(report.endTime!) - Date.parse(report.startTime), waited);
    });

  it('a kind that is not retried never waits', async () => {
    const h = await harness(5, 10);
    h.central.fail('ping', remote.auth(), Infinity);
    const report = await h.run();
    assert.equal(report.attempts, 1);
    assert.deepEqual(h.sleeps, []);
    assert.equal(h.events.filter((e) => e.kind === 'retry').length, 0);
  });

  it('between two attempts the saved report is RUNNING with the failure and the failed step', async () => {
    const h = await harness(2, 10);
    h.central.fail('history', remote.http(503, 'Service Unavailable'));
    const report = await h.run();
    const between = h.saved.find((r) => r.error !== null)!;
    assert.equal(between.status, 'RUNNING');
    assert.equal(between.attempts, 1);
    assert.equal(between.error?.kind, 'REMOTE_ERROR');
    assert.equal(between.error?.step, 'history');
    assert.deepEqual(steps(between).slice(3), ['history:FAILED', 'versions:NOT_EXECUTED']);
    assert.equal(between.endTime, null);
    // The second attempt succeeds: the failure is gone, every step SUCCESS again.
    assert.equal(report.status, 'SUCCESS');
    assert.equal(report.attempts, 2);
    assert.equal(report.error, null);
    assert.deepEqual(steps(report), [
      'setUp:SUCCESS',
      'ping:SUCCESS',
      'dataPush:SKIPPED',
      'history:SUCCESS',
      'versions:SUCCESS',
    ]);
    assert.equal(h.settings.values.get('keyMetadataFailedVersion'), '');
  });

  it('a retried attempt keeps the release read once and the version the run started from', async () => {
    const h = await harness(3, 10);
    await h.run();
    h.central.publish({ objects: { dataElements: [dataElement(2)] } });
    h.central.publish({ objects: { dataElements: [dataElement(3)] } });
    const infoBefore = h.central.count('systemInfo');
    // Version_2 imports, then the download of Version_3 breaks once.
    const snapshot = h.central.snapshot.bind(h.central);
    let first = true;
    h.central.snapshot = async (name) => {
      if (name === 'Version_3' && first) {
        first = false;
        throw remote.unreachable('the answer broke off');
      }
      return snapshot(name);
    };
    const report = await h.run();
    assert.equal(report.status, 'SUCCESS', JSON.stringify(report.error));
    assert.equal(report.attempts, 2);
    assert.equal(h.central.count('systemInfo') - infoBefore, 1, 'the release is read once a run');
    assert.deepEqual(
      [report.fromVersion, report.toVersion],
      ['Version_1', 'Version_3'],
      'from: where the run started, not where the second attempt did',
    );
    // Each version once, the one the second attempt finished in its place.
    assert.deepEqual(
      report.versions.map((v) => [v.name, v.status]),
      [
        ['Version_2', 'SUCCESS'],
        ['Version_3', 'SUCCESS'],
      ],
    );
  });

  it('a data push that fails once is pushed again by the next attempt, then the pull goes on', async () => {
    const h = await harness(3, 10);
    h.onDataPush((n) =>
      n === 1
        ? { status: 'FAILED', message: 'Data values: the central answered 500' }
        : { status: 'SUCCESS', message: 'data values: 1' },
    );
    const report = await h.run();
    assert.equal(report.status, 'SUCCESS');
    assert.equal(report.attempts, 2);
    assert.deepEqual(
      h.pushes.map((p) => p.status),
      ['FAILED', 'SUCCESS'],
    );
    assert.deepEqual(report.steps[2], {
      name: 'dataPush',
      status: 'SUCCESS',
      message: 'data values: 1',
    });
  });
});

describe('runSync: the availability check within an attempt', () => {
  it('pings syncMaxRemoteServerAvailabilityCheckAttempts times, syncDelayBetween… apart', async () => {
    const h = await harness(3, 10, {
      syncMaxRemoteServerAvailabilityCheckAttempts: 3,
      syncDelayBetweenRemoteServerAvailabilityCheckAttempts: 10,
    });
    h.central.fail('ping', remote.unreachable(), 2);
    const report = await h.run();
    assert.equal(report.status, 'SUCCESS');
    assert.equal(report.attempts, 1, 'the third ping of the first attempt answered');
    assert.equal(h.central.count('ping'), 3);
    assert.deepEqual(h.sleeps, [10, 10]);
    assert.match(
      report.steps[1]!.message!,
      /^Authentication was successful at availability check 3;/,
    );
  });

  it('two checks an attempt: five failing pings take the run to its third attempt', async () => {
    const h = await harness(3, 10, {
      syncMaxRemoteServerAvailabilityCheckAttempts: 2,
      syncDelayBetweenRemoteServerAvailabilityCheckAttempts: 0,
    });
    h.central.fail('ping', remote.http(502, 'Bad Gateway'), 5);
    const report = await h.run();
    assert.equal(report.status, 'SUCCESS');
    assert.equal(report.attempts, 3);
    assert.equal(h.central.count('ping'), 6);
    assert.deepEqual(h.sleeps, [0, 10, 0, 20, 0]);
  });

  it('a wrong password is not pinged again (each failed login counts towards a lockout)', async () => {
    const h = await harness(3, 10, { syncMaxRemoteServerAvailabilityCheckAttempts: 3 });
    h.central.fail('ping', remote.auth(), Infinity);
    const report = await h.run();
    assert.equal(report.error?.kind, 'REMOTE_AUTH');
    assert.equal(report.attempts, 1);
    assert.equal(h.central.count('ping'), 1);
  });

  it('a failure after several checks says how many', async () => {
    const h = await harness(1, 10, { syncMaxRemoteServerAvailabilityCheckAttempts: 2 });
    h.central.fail('ping', remote.unreachable(), Infinity);
    const report = await h.run();
    assert.match(report.error!.message, /\(after 2 availability checks\)$/);
  });
});

describe('runSync: the local database goes away', () => {
  it('a report that cannot be saved once fails the attempt (INTERNAL); the next attempt goes on', async () => {
    const h = await harness(2, 10);
    const save = h.deps.saveReport;
    let failed = false;
    h.deps.saveReport = async (r) => {
      if (!failed && r.steps[1]!.status === 'SUCCESS') {
        failed = true;
        throw new Error('Connection terminated unexpectedly');
      }
      return save(r);
    };
    const report = await h.run();
    assert.equal(report.status, 'SUCCESS');
    assert.equal(report.attempts, 2);
    assert.deepEqual(
      report.versions.map((v) => v.name),
      ['Version_1'],
    );
  });

  it('a database that stays away: runSync rejects, its report FAILED with the cause (the service saves it later)', async () => {
    const h = await harness(1, 10);
    const away = new Error('connect ECONNREFUSED 127.0.0.1:5432');
    h.deps.saveReport = () => Promise.reject(away);
    const input = { report: newReport('r', 'CLI', null, h.clock.now()), actorId: 'M5zQapPyTZI' };
    await assert.rejects(
      runSync(h.deps, input, () => h.clock.now()),
      (e) => e === away,
    );
    assert.deepEqual(h.saved, [], 'nothing could be saved');
    assert.equal(input.report.status, 'FAILED');
    assert.equal(input.report.error?.kind, 'INTERNAL');
    assert.equal(input.report.error?.message, away.message);
    assert.equal(input.report.endTime, h.clock.now().toISOString());
  });
});
