/**
 * Every fault of the proxy (test/support/fault-proxy.ts) at every step of a sync run (issue 10
 * §1): the local talks to its central only through the proxy, and a rule breaks the ping, a data
 * push page (the first page goes through, so the central holds part of the push), the version
 * history, or the data.gz download. The fault lasts the whole run (every retry meets it); then
 * the checks of harness.ts (a)–(d) run, the last one with the fault removed.
 *
 * The local's remote timeout is 2 s (metadata.sync.remote.timeout.millisec), so that a hung or
 * crawling link fails a run in seconds; 2 attempts, 10 ms apart.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startFaultProxy, type Fault, type FaultProxy, type Rule } from '../support/fault-proxy.ts';
import { backends } from '../support/databases.ts';
import {
  centralBackend,
  connect,
  postSettings,
  runSync,
  start,
  type Started,
} from '../support/sync.ts';
import {
  LocalValues,
  assertAtRecordedVersion,
  assertFailedRun,
  assertRecovers,
  startCentral,
  type Central,
} from './harness.ts';

const BOUNDED = process.env.METASYNC_FAULTS_BOUNDED === '1';
const TIMEOUT_MS = 2000;

interface Step {
  name: string;
  /** The step the report must name. */
  reportStep: string;
  rules: (fault: Fault) => Rule[];
  /**
   * Where a truncation cuts the answer's body; null where the local never reads the body (the
   * ping only looks at the status), so that a broken-off body must not fail the run.
   */
  truncateAt: number | null;
}

const STEPS: Step[] = [
  {
    name: 'ping',
    reportStep: 'ping',
    rules: (fault) => [{ path: /^\/api\/system\/ping/, fault }],
    truncateAt: null,
  },
  {
    name: 'data push',
    reportStep: 'dataPush',
    // Page 1 goes through: the central holds part of the push when page 2 breaks.
    rules: (fault) => [
      { method: 'POST', path: /^\/api\/dataValueSets/, fault: { kind: 'pass' }, times: 1 },
      { method: 'POST', path: /^\/api\/dataValueSets/, fault },
    ],
    truncateAt: 20,
  },
  {
    name: 'history',
    reportStep: 'history',
    rules: (fault) => [{ path: /^\/api\/metadata\/version\/history/, fault }],
    truncateAt: 20,
  },
  {
    name: 'data.gz download',
    reportStep: 'versions',
    rules: (fault) => [{ path: /\/data\.gz$/, fault }],
    truncateAt: 200,
  },
];

interface FaultCase {
  name: string;
  fault: (step: Step) => Fault;
  message: RegExp;
}

/**
 * A call given up on: the data push's client says so as fetch does; the central client's link
 * watch (issue 19 §3) names the limit passed (silence, or the remote timeout as overall bound).
 */
const GIVEN_UP = /aborted due to timeout|no byte received for 2 s|took longer than 2 s in all/;

const FAULTS: FaultCase[] = [
  { name: 'drop (hang)', fault: () => ({ kind: 'hang' }), message: GIVEN_UP },
  { name: 'drop (close)', fault: () => ({ kind: 'close' }), message: /other side closed/ },
  { name: 'reset', fault: () => ({ kind: 'reset' }), message: /ECONNRESET/ },
  {
    name: 'delay beyond the timeout',
    fault: () => ({ kind: 'delay', ms: TIMEOUT_MS + 500 }),
    message: GIVEN_UP,
  },
  {
    name: 'truncated answer',
    fault: (s) => ({ kind: 'truncate', bytes: s.truncateAt ?? 0 }),
    message: /broke off: Response body length does not match content-length header/,
  },
  { name: '502', fault: () => ({ kind: 'status', status: 502 }), message: /502/ },
  { name: '503', fault: () => ({ kind: 'status', status: 503 }), message: /503/ },
];

const localBackends = BOUNDED ? (['pglite'] as const) : await backends();

for (const backend of localBackends) {
  describe(`proxy faults, local on ${backend}`, () => {
    let central: Central;
    let proxy: FaultProxy;
    let l: Started;
    const values = new LocalValues();
    before(async () => {
      central = await startCentral(await centralBackend());
      const port = Number(new URL(central.server.url).port);
      proxy = await startFaultProxy({ target: { host: '127.0.0.1', port }, mode: 'http' });
      l = await start(backend, {
        syncRetry: 2,
        syncRetryFrequencyMs: 10,
        syncRemoteTimeoutMs: TIMEOUT_MS,
      });
      await connect(l.server, proxy.url);
      // Pages of 2 values, one attempt per page: a push spans pages, and a 5xx fails it at once.
      await postSettings(l.server, { dataValuesPageSize: 2, syncMaxAttempts: 1 });
      await central.nextVersion();
      await assertRecovers(central, l.server);
    });
    after(async () => {
      await l?.dispose();
      await proxy?.close();
      await central?.dispose();
    });

    for (const step of STEPS)
      for (const f of FAULTS)
        it(`${f.name} at the ${step.name}`, async (t) => {
          const local = l.server;
          await central.nextVersion();
          await values.write(local, 5);
          proxy.set(...step.rules(f.fault(step)));
          const t0 = performance.now();
          const report = await runSync(local);
          proxy.clear();
          t.diagnostic(
            `${Math.round(performance.now() - t0)} ms: ${report.status} ${JSON.stringify(report.error)}`,
          );
          if (f.name === 'truncated answer' && step.truncateAt === null) {
            assert.equal(report.status, 'SUCCESS', JSON.stringify(report.error));
            assert.equal(report.toVersion, central.latest());
            await assertAtRecordedVersion(central, local);
            await values.assertOnCentral(central.server, local, true);
            return;
          }
          if (f.name === 'truncated answer' && step.name === 'data.gz download') {
            // Every call brings 200 more bytes before it breaks off: the download continues at
            // once from where each broke (issue 19 §2), and the run succeeds in one attempt.
            assert.equal(report.status, 'SUCCESS', JSON.stringify(report.error));
            assert.equal(report.attempts, 1);
            const resumes = report.versions.at(-1)?.download?.resumes ?? [];
            assert.ok(resumes.length > 0, 'the download continued after each break');
            resumes.forEach((at, i) => assert.ok(at > (resumes[i - 1] ?? 0), String(resumes)));
            await assertAtRecordedVersion(central, local);
            await values.assertOnCentral(central.server, local, true);
            return;
          }
          await assertFailedRun(local, report, {
            step: step.reportStep,
            kinds:
              step.reportStep === 'dataPush'
                ? ['DATA_PUSH']
                : ['REMOTE_UNREACHABLE', 'REMOTE_ERROR'],
            message: f.message,
          });
          assert.equal(report.attempts, 2, 'every attempt met the fault');
          await assertAtRecordedVersion(central, local);
          await values.assertOnCentral(central.server, local, false);
          await assertRecovers(central, local);
          await assertAtRecordedVersion(central, local);
          await values.assertOnCentral(central.server, local, true);
        });
  });
}
