/**
 * PostgreSQL made unreachable during a sync run (issue 10 §1): the local's database, and the
 * central's, each behind a tcp fault proxy (proxied-database.ts). An HTTP fault proxy between
 * local and central passes everything but tells when the run reaches a step, and that is when the
 * database goes down: every open connection is reset and new ones are refused until it is up
 * again, after the run has answered. Then the checks of harness.ts (a)–(d).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { postgresAvailable } from '../support/databases.ts';
import { eventually } from '../support/eventually.ts';
import { startFaultProxy, type FaultProxy, type Rule } from '../support/fault-proxy.ts';
import { startServer, type TestServer } from '../support/server.ts';
import { connect, postSettings, runSync, type SyncReportJson } from '../support/sync.ts';
import {
  LocalValues,
  assertAtRecordedVersion,
  assertRecovers,
  getJson,
  startCentral,
  type Central,
} from './harness.ts';
import { proxiedDatabase, type ProxiedDatabase } from './proxied-database.ts';

const DATA_PUSH_PAGE_2 = [
  { method: 'POST', path: /^\/api\/dataValueSets/, fault: { kind: 'pass' }, times: 1 },
  { method: 'POST', path: /^\/api\/dataValueSets/, fault: { kind: 'pass' } },
] as const;

interface Case {
  name: string;
  /** Whose database goes down. */
  whose: 'local' | 'central';
  /** The request of the run at which it goes down (the last rule of the list). */
  at: readonly Rule[];
  /**
   * Down this long after that request (0 = at once), or once its answer has been read whole
   * ('answered': the download is done, the import starts; a timer raced the import, which
   * bulk writes and an eager download made shorter than any fixed delay).
   */
  afterMs: number | 'answered';
  step: string;
  kinds: string[];
  message: RegExp;
}

const CASES: Case[] = [
  {
    name: "the local's database, during the data push",
    whose: 'local',
    at: DATA_PUSH_PAGE_2,
    afterMs: 0,
    step: 'dataPush',
    kinds: ['INTERNAL'],
    message: /Connection terminated|ECONNRESET|connect/,
  },
  {
    name: "the local's database, during the data.gz download",
    whose: 'local',
    at: [{ path: /\/data\.gz$/, fault: { kind: 'pass' } }],
    afterMs: 0,
    step: 'versions',
    kinds: ['INTERNAL'],
    message: /Connection terminated|ECONNRESET|connect/,
  },
  {
    name: "the local's database, during the import of a version",
    whose: 'local',
    at: [{ path: /\/data\.gz$/, fault: { kind: 'pass' } }],
    afterMs: 'answered',
    step: 'versions',
    kinds: ['INTERNAL'],
    message: /Connection terminated|ECONNRESET|connect/,
  },
  {
    name: "the central's database, during the history",
    whose: 'central',
    at: [{ path: /^\/api\/metadata\/version\/history/, fault: { kind: 'pass' } }],
    afterMs: 0,
    // The retry meets the central's database still down at its first call: the central cannot
    // check the local's password and answers 500.
    step: 'ping',
    kinds: ['REMOTE_ERROR'],
    message: /status code: 500/,
  },
  {
    name: "the central's database, during the data push",
    whose: 'central',
    at: DATA_PUSH_PAGE_2,
    afterMs: 0,
    step: 'ping',
    kinds: ['REMOTE_ERROR'],
    message: /status code: 500/,
  },
];

const skip = (await postgresAvailable()) ? false : 'PostgreSQL is not reachable';

describe('PostgreSQL unreachable during a run', { skip }, () => {
  let central: Central;
  let centralDb: ProxiedDatabase;
  let localDb: ProxiedDatabase;
  let local: TestServer;
  let link: FaultProxy;
  const values = new LocalValues();
  before(async () => {
    centralDb = await proxiedDatabase();
    central = await startCentral('postgres', centralDb);
    link = await startFaultProxy({
      target: { host: '127.0.0.1', port: Number(new URL(central.server.url).port) },
      mode: 'http',
    });
    localDb = await proxiedDatabase();
    local = await startServer(localDb, {
      syncRetry: 2,
      syncRetryFrequencyMs: 10,
      syncRemoteTimeoutMs: 5000,
    });
    await connect(local, link.url);
    await postSettings(local, { dataValuesPageSize: 2, syncMaxAttempts: 1 });
    await central.nextVersion();
    await assertRecovers(central, local);
  });
  after(async () => {
    await local?.stop();
    await localDb?.dispose();
    await link?.close();
    await central?.dispose();
  });

  for (const c of CASES)
    it(c.name, async (t) => {
      await central.nextVersion(2000);
      await values.write(local, 5);
      const db = c.whose === 'local' ? localDb : centralDb;
      const rules = c.at.map((r) => ({ ...r }));
      rules[rules.length - 1]!.onMatch = (hit) => {
        if (c.afterMs === 0) db.down();
        else if (c.afterMs !== 'answered') setTimeout(() => db.down(), c.afterMs);
        else {
          const poll = setInterval(() => {
            if (hit.closedAt === null) return;
            clearInterval(poll);
            db.down();
          }, 1);
        }
      };
      link.set(...rules);
      let report: SyncReportJson;
      try {
        report = await runSync(local);
      } finally {
        link.clear();
        db.up();
      }
      t.diagnostic(`${report.status} ${JSON.stringify(report.error)}`);
      // (c) the stored report ends FAILED with the same cause once the database is back.
      const stored = await eventually(async () => {
        const r = await getJson<SyncReportJson>(local, `/api/metadata/sync/reports/${report.id}`);
        assert.equal(r.status, 200, r.text);
        assert.notEqual(r.body.status, 'RUNNING');
        return r.body;
      }, 15_000);
      t.diagnostic(`stored: ${stored.status} ${JSON.stringify(stored.error)}`);
      assert.equal(report.status, 'FAILED');
      assert.equal(stored.status, 'FAILED');
      assert.deepEqual(stored.error, report.error);
      assert.equal(report.error?.step, c.step, JSON.stringify(report.error));
      assert.ok(c.kinds.includes(report.error.kind), JSON.stringify(report.error));
      assert.match(report.error.message, c.message);
      await assertAtRecordedVersion(central, local);
      await values.assertOnCentral(central.server, local, false);
      await assertRecovers(central, local);
      await assertAtRecordedVersion(central, local);
      await values.assertOnCentral(central.server, local, true);
    });
});
