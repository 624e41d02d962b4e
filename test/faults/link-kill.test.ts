/**
 * Field links (issue 19 §7 (b)): kill -9 of a local in the middle of a slow download, then a
 * restart on the same data. The local is a `metasync serve` child (child-server.ts) behind the
 * fault proxy, whose `link` fault paces `data.gz` to 128 kB/s so the download takes seconds. The
 * kill lands once the proxy has forwarded 2.5 batches of kept bytes (the local appends what
 * arrives to its partial every 256 kB, PARTIAL_BATCH); after the restart the next run must ask
 * only for the rest (`Range: bytes=N-`, N > 0), so the proxy forwards the file about once: at
 * most its size plus one batch (the unflushed tail that died with the process) and the heads.
 *
 * METASYNC_FAULTS_BOUNDED=1 (CI) trims nothing: a round is ~20 s per backend.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PARTIAL_BATCH } from '../../src/central/resumable-download.ts';
import {
  killAllChildren,
  locationArgs,
  startChild,
  type ChildServer,
} from '../support/child-server.ts';
import { backends, createTestDatabase, type TestDatabase } from '../support/databases.ts';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.ts';
import { ADMIN_PASSWORD } from '../support/server.ts';
import { centralBackend, type SyncReportJson } from '../support/sync.ts';
import {
  assertAtRecordedVersion,
  assertRecovers,
  getJson,
  startCentral,
  type Central,
} from './harness.ts';
import { bigVersion, costLine, downloadOf, downloads, rangeFrom } from './link-harness.ts';

const RATE = 128 * 1024;
/** Headers of the few requests a download makes, beyond the file's bytes. */
const HEADS = 8 * 1024;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

for (const backend of await backends()) {
  describe(`kill -9 of a ${backend} local mid-download`, () => {
    let central: Central;
    let proxy: FaultProxy;
    let database: TestDatabase;
    let confDir: string;
    let args: string[];
    before(async () => {
      central = await startCentral(await centralBackend());
      await central.nextVersion();
      const port = Number(new URL(central.server.url).port);
      proxy = await startFaultProxy({ target: { host: '127.0.0.1', port }, mode: 'http' });
      database = await createTestDatabase(backend);
      // PGlite: the migrated template is unpacked into the data dir here (initdb takes ~10 s).
      if (backend === 'pglite') await (await database.open()).close();
      confDir = await mkdtemp(path.join(os.tmpdir(), 'metasync-link-'));
      const conf = path.join(confDir, 'metasync.conf');
      await writeFile(
        conf,
        ['metadata.sync.retry = 2', 'metadata.sync.retry.time.frequency.millisec = 10'].join('\n'),
      );
      args = ['--config', conf, ...locationArgs(database)];
    });
    after(async () => {
      killAllChildren();
      await proxy?.close();
      await database?.dispose();
      await central?.dispose();
      if (confDir) await rm(confDir, { recursive: true, force: true });
    });

    it('(b) does not fetch again the bytes received before the kill', async (t) => {
      let child: ChildServer = await startChild(args);
      const settings = await getJson(child, '/api/systemSettings', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          keyRemoteInstanceUrl: proxy.url,
          keyRemoteInstanceUsername: 'admin',
          keyRemoteInstancePassword: ADMIN_PASSWORD,
        }),
      });
      assert.equal(settings.status, 200, settings.text);
      await assertRecovers(central, child);

      const v = await bigVersion(central, 1024 * 1024);
      proxy.set({ path: v.path, fault: { kind: 'link', bytesPerSecond: RATE } });
      const started = await getJson<{ id: string }>(child, '/api/metadata/sync/run', {
        method: 'POST',
      });
      assert.equal(started.status, 202, started.text);
      const t0 = performance.now();
      while (proxy.forwarded(v.path) < 2.5 * PARTIAL_BATCH) {
        assert.ok(performance.now() - t0 < 60_000, 'the download never got going');
        await sleep(20);
      }
      await child.kill();
      const before = proxy.forwarded(v.path);
      const requestsBefore = downloads(proxy, v).length;

      child = await startChild(args);
      await assertAtRecordedVersion(central, child); // still at the version before
      const r0 = performance.now();
      const report: SyncReportJson = await assertRecovers(central, child);
      const seconds = (performance.now() - r0) / 1000;
      proxy.clear();
      await assertAtRecordedVersion(central, child);

      const after = downloads(proxy, v).slice(requestsBefore);
      const from = after[0] ? rangeFrom(after[0]) : null;
      t.diagnostic(`killed after ${before} B forwarded; resumed from ${from}`);
      t.diagnostic(costLine(proxy, v, seconds));
      assert.ok(
        from !== null && from > 0,
        `the first request after the restart: ${after[0]?.headers.range}`,
      );
      assert.ok(from >= PARTIAL_BATCH && from <= before, `resumed from ${from} of ${before}`);
      assert.equal(after[0]?.status, 206);
      assert.equal(downloadOf(report, v.name).resumedFrom, from);
      assert.ok(
        proxy.forwarded(v.path) <= v.size + PARTIAL_BATCH + HEADS,
        costLine(proxy, v, seconds),
      );
      await child.stop();
    });
  });
}
