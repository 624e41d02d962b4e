/**
 * kill -9 of a relay mid-forward (issue 21 §6): the relay R is a `metasync serve` child
 * (child-server.ts) with versioning on, between a national central N (in process) and a district
 * D (in process) that pushed 1,000 values to it. R's link to N goes through the fault proxy,
 * which holds each data page long enough that R is killed with part of the forward at N and a
 * page possibly in flight. Restarted on the same database, R's next run must leave N holding
 * every value exactly once (its change counter moved by 1,000, no more), each with D's value,
 * storedBy, created and lastUpdated.
 *
 * METASYNC_FAULTS_BOUNDED=1 (CI) trims nothing: a round is ~12 s per backend.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  CHILD_ADMIN_PASSWORD,
  killAllChildren,
  locationArgs,
  startChild,
  type ChildServer,
} from '../support/child-server.ts';
import { backends, createTestDatabase, type TestDatabase } from '../support/databases.ts';
import { dataSeq, postValues } from '../support/data.ts';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.ts';
import { districtValue, expected, held, range } from '../support/relay-data.ts';
import { ADMIN_PASSWORD } from '../support/server.ts';
import {
  centralBackend,
  connect,
  start,
  syncOk,
  type Started,
  type SyncReportJson,
} from '../support/sync.ts';
import { assertRecovers, getJson, startCentral, type Central } from './harness.ts';

const VALUES = 1000;
const PAGE = 50;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

for (const backend of await backends()) {
  describe(`kill -9 of a ${backend} relay mid-forward`, () => {
    let national: Central;
    let district: Started;
    let proxy: FaultProxy;
    let database: TestDatabase;
    let confDir: string;
    let args: string[];
    before(async () => {
      national = await startCentral(await centralBackend());
      await national.nextVersion(); // the data model of test/support/data.ts
      const port = Number(new URL(national.server.url).port);
      proxy = await startFaultProxy({ target: { host: '127.0.0.1', port }, mode: 'http' });
      database = await createTestDatabase(backend);
      // PGlite: the migrated template is unpacked into the data dir here.
      if (backend === 'pglite') await (await database.open()).close();
      confDir = await mkdtemp(path.join(os.tmpdir(), 'metasync-relay-kill-'));
      const conf = path.join(confDir, 'metasync.conf');
      await writeFile(
        conf,
        ['metadata.sync.retry = 2', 'metadata.sync.retry.time.frequency.millisec = 10'].join('\n'),
      );
      args = ['--config', conf, ...locationArgs(database)];
      district = await start(await centralBackend());
    });
    after(async () => {
      killAllChildren();
      await proxy?.close();
      await district?.dispose();
      await database?.dispose();
      await national?.dispose();
      if (confDir) await rm(confDir, { recursive: true, force: true });
    });

    it("loses and doubles nothing at N, and N keeps D's attributes", async (t) => {
      let relay: ChildServer = await startChild(args);
      const settings = await getJson(relay, '/api/systemSettings', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          keyRemoteInstanceUrl: proxy.url,
          keyRemoteInstanceUsername: 'admin',
          keyRemoteInstancePassword: ADMIN_PASSWORD,
          keyVersionEnabled: true,
          dataValuesPageSize: PAGE,
        }),
      });
      assert.equal(settings.status, 200, settings.text);
      await assertRecovers(national, relay);

      // D takes the data model from R, enters 1,000 values and pushes them to R.
      await connect(district.server, relay.url, 'admin', CHILD_ADMIN_PASSWORD);
      await syncOk(district.server);
      const entered = range(0, VALUES).map((i) => districtValue(i));
      const posted = await postValues(district.server, { dataValues: entered });
      assert.equal(posted.summary.status, 'SUCCESS', posted.text.slice(0, 500));
      await syncOk(district.server);

      // R's forward, 20 pages of 50, each held on the link; killed after a random number of
      // pages, at a random moment of the next.
      const before = await dataSeq(national.server);
      const pages = () => proxy.hits.filter((h) => h.path?.startsWith('/api/dataValueSets'));
      proxy.set({
        method: 'POST',
        path: /^\/api\/dataValueSets/,
        fault: { kind: 'delay', ms: 150 },
      });
      const started = await getJson<{ id: string }>(relay, '/api/metadata/sync/run', {
        method: 'POST',
      });
      assert.equal(started.status, 202, started.text);
      const killAt = 2 + Math.floor(Math.random() * 10);
      const t0 = performance.now();
      while (pages().length < killAt) {
        assert.ok(performance.now() - t0 < 30_000, 'the forward never got going');
        await sleep(10);
      }
      await sleep(Math.floor(Math.random() * 300));
      await relay.kill();
      const atKill = (await held(national.server)).size;
      t.diagnostic(`killed in page ${pages().length}; N held ${atKill} of ${VALUES}`);
      assert.ok(atKill > 0 && atKill < VALUES, `N held ${atKill} at the kill`);

      proxy.clear();
      relay = await startChild(args);
      const killed = await getJson<SyncReportJson>(
        relay,
        `/api/metadata/sync/reports/${started.body.id}`,
      );
      assert.equal(killed.body.status, 'INTERRUPTED', killed.text.slice(0, 500));
      const report = await assertRecovers(national, relay);
      // The killed forward never moved the watermark: the whole window goes again, and N
      // ignores what it has, so its change counter moves by each value once.
      const forwarded = report.dataPushed?.find((k) => k.kind === 'dataValues');
      assert.deepEqual([forwarded?.status, forwarded?.sent], ['SENT', VALUES]);
      assert.equal(await dataSeq(national.server), before + VALUES);
      assert.deepEqual(await held(national.server), expected(entered));
      await relay.stop();
    });
  });
}
