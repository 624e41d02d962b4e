/**
 * Field links (issue 19 §7): a local syncs from its central through the fault proxy's `link`
 * fault (test/support/link-shaper.ts), on each local backend.
 *
 * (a) 64 kB/s, reset after every 256 kB: a 3 MB `data.gz` is imported within one run, and the
 *     proxy forwarded at most 1.3× the file for it; the run's report shows the download resumed.
 * (e) An unchanged history, polled twice: the second answer is a 304 of a few hundred bytes.
 * (c) A central that answers a range request with the whole 200 (ranged-front.ts without
 *     ranges, as DHIS2): the sync completes.
 * (d) A partial kept under an ETag that then changed: the next request gets the whole 200, the
 *     version is imported (its MD5 checked), and no partial is left.
 * (f) A central that falls silent mid-download: each call is given up on after the default 30 s
 *     of silence (not lowered here), and the manual sync answers FAILED well within 3 minutes.
 * (b), kill -9 mid-download, is in link-kill.test.ts.
 *
 * METASYNC_FAULTS_BOUNDED=1 (CI) trims: (a) downloads 3 MB on the PGlite local and 1 MB on the
 * PostgreSQL one, and (f), about a minute of waiting, runs on the PGlite local only.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.ts';
import { backends } from '../support/databases.ts';
import { startRangedFront, type RangedFront } from '../support/ranged-front.ts';
import { centralBackend, connect, runSync, start, type Started } from '../support/sync.ts';
import { assertAtRecordedVersion, assertRecovers, startCentral, type Central } from './harness.ts';
import {
  bigVersion,
  costLine,
  downloadOf,
  downloads,
  partials,
  rangeFrom,
} from './link-harness.ts';

const BOUNDED = process.env.METASYNC_FAULTS_BOUNDED === '1';
const MB = 1024 * 1024;
const KB = 1024;
const HISTORY = /^\/api\/metadata\/version\/history/;

for (const backend of await backends()) {
  describe(`field link, local on ${backend}`, () => {
    let central: Central;
    /** local → proxy → central */
    let proxy: FaultProxy;
    /** local → frontProxy → front → central: a front that can ignore ranges or change ETags. */
    let front: RangedFront;
    let frontProxy: FaultProxy;
    let l: Started;
    before(async () => {
      central = await startCentral(await centralBackend());
      const port = Number(new URL(central.server.url).port);
      proxy = await startFaultProxy({ target: { host: '127.0.0.1', port }, mode: 'http' });
      front = await startRangedFront(central.server.url);
      const frontPort = Number(new URL(front.url).port);
      frontProxy = await startFaultProxy({
        target: { host: '127.0.0.1', port: frontPort },
        mode: 'http',
      });
      // The default inactivity limit (30 s) and no overall remote timeout: the link decides.
      l = await start(backend, { syncRetry: 2, syncRetryFrequencyMs: 10 });
      await connect(l.server, proxy.url);
      await central.nextVersion();
      await assertRecovers(central, l.server);
    });
    after(async () => {
      await l?.dispose();
      await frontProxy?.close();
      await front?.stop();
      await proxy?.close();
      await central?.dispose();
    });

    it('(a) imports a 3 MB version over 64 kB/s breaking every 256 kB in one run', async (t) => {
      const v = await bigVersion(central, BOUNDED && backend !== 'pglite' ? 1 * MB : 3 * MB);
      proxy.set({
        path: v.path,
        fault: { kind: 'link', bytesPerSecond: 64 * KB, resetAfter: 256 * KB },
      });
      const t0 = performance.now();
      const report = await runSync(l.server);
      const seconds = (performance.now() - t0) / 1000;
      proxy.clear();
      t.diagnostic(costLine(proxy, v, seconds));
      t.diagnostic(`attempts ${report.attempts}; transfer ${JSON.stringify(report.transfer)}`);
      assert.equal(report.status, 'SUCCESS', JSON.stringify(report.error));
      assert.equal(report.toVersion, v.name);
      await assertAtRecordedVersion(central, l.server);
      // It did break: many requests, each but the last reset after 256 kB.
      const hits = downloads(proxy, v);
      assert.ok(hits.length >= Math.floor(v.size / (256 * KB)), `${hits.length} requests`);
      assert.ok(proxy.forwarded(v.path) <= 1.3 * v.size, costLine(proxy, v, seconds));
      // Every break was followed by a range request: the record lists where each continued.
      const record = downloadOf(report, v.name);
      const resumes = [
        ...(record.resumedFrom > 0 ? [record.resumedFrom] : []),
        ...(record.resumes ?? []),
      ];
      assert.ok(resumes.length >= Math.floor(v.size / (256 * KB)) - 1, JSON.stringify(record));
      assert.deepEqual(
        hits.slice(hits.length - resumes.length).map((h) => rangeFrom(h)),
        resumes,
        'each request of the attempt continued at the byte the record names',
      );
      assert.deepEqual(
        report.transfer?.resumed.filter((r) => r.version === v.name).map((r) => r.from),
        resumes,
      );
      assert.deepEqual(await partials(l.server), []);
    });

    it('(e) answers an unchanged history with a 304 of a few bytes', async (t) => {
      // A new version imported: from then on the history is asked from a new baseline.
      const first = proxy.hits.length;
      await central.nextVersion();
      await assertRecovers(central, l.server);
      for (let poll = 0; poll < 2; poll++) {
        const report = await runSync(l.server);
        assert.equal(report.status, 'SUCCESS', JSON.stringify(report.error));
        assert.deepEqual(report.versions, []);
      }
      const asked = proxy.hits.slice(first).filter((h) => h.path !== null && HISTORY.test(h.path));
      const last = asked.at(-1)!;
      // From the new baseline: a first 200 (the run that imported tells the central where it
      // now is, or else the first poll), then 304s, the second poll's among them.
      const same = asked.filter((h) => h.path === last.path);
      t.diagnostic(same.map((h) => `${h.path}: ${h.status}, ${h.bytes} B`).join('; '));
      assert.ok(same.length >= 2, JSON.stringify(asked.map((h) => h.path)));
      assert.equal(same[0]!.status, 200);
      for (const poll of same.slice(1)) {
        assert.ok(poll.headers['if-none-match'], 'the local asks with If-None-Match');
        assert.equal(poll.status, 304);
        assert.ok(poll.bytes < 1000, `${poll.bytes} B forwarded for a 304`);
      }
    });

    it('(c) completes against a central that answers a range request with 200', async (t) => {
      await connect(l.server, frontProxy.url);
      const v = await bigVersion(central, 1 * MB);
      front.ranges = false;
      front.data.length = 0;
      // The first answer breaks off after 300 kB: the local then asks for the rest.
      frontProxy.set({ path: v.path, fault: { kind: 'link', resetAfter: 300 * KB }, times: 1 });
      try {
        const report = await runSync(l.server);
        t.diagnostic(
          JSON.stringify(front.data.map(({ range, status, sent }) => [range, status, sent])),
        );
        assert.equal(report.status, 'SUCCESS', JSON.stringify(report.error));
        await assertAtRecordedVersion(central, l.server);
        const resumed = front.data.filter((d) => d.range !== null);
        assert.ok(resumed.length > 0, 'the local asked for a range');
        assert.deepEqual(
          resumed.map((d) => [d.status, d.sent]),
          resumed.map(() => [200, v.size]),
          'the whole file each time',
        );
        assert.equal(downloadOf(report, v.name).resumedFrom, 0);
        assert.deepEqual(await partials(l.server), []);
      } finally {
        front.ranges = true;
        frontProxy.clear();
        await connect(l.server, proxy.url);
      }
    });

    it('(d) discards a partial kept for an ETag that changed, and downloads whole', async () => {
      await connect(l.server, frontProxy.url);
      const v = await bigVersion(central, 1 * MB);
      front.etag = '"link-before"';
      front.data.length = 0;
      // A run that keeps ~600 kB, then meets a central that resets at once: it fails.
      frontProxy.set(
        { path: v.path, fault: { kind: 'link', resetAfter: 600 * KB }, times: 1 },
        { path: v.path, fault: { kind: 'reset' } },
      );
      try {
        const failed = await runSync(l.server);
        assert.equal(failed.status, 'FAILED');
        const [kept] = await partials(l.server);
        assert.equal(kept?.version, v.name);
        assert.equal(kept.etag, '"link-before"');
        assert.ok(kept.bytes > 256 * KB, `${kept.bytes} B kept`);

        front.etag = '"link-after"'; // the file changed on the central
        frontProxy.clear();
        const report = await runSync(l.server);
        assert.equal(report.status, 'SUCCESS', JSON.stringify(report.error));
        const next = front.data.at(-1)!;
        assert.deepEqual(
          [next.range, next.ifRange, next.status, next.sent],
          [`bytes=${kept.bytes}-`, '"link-before"', 200, v.size],
        );
        assert.equal(downloadOf(report, v.name).resumedFrom, 0);
        assert.equal(report.versions.find((x) => x.name === v.name)?.status, 'SUCCESS');
        await assertAtRecordedVersion(central, l.server);
        assert.deepEqual(await partials(l.server), []);
      } finally {
        front.etag = null;
        frontProxy.clear();
        await connect(l.server, proxy.url);
      }
    });

    it(
      '(f) gives a silent central up within a minute per call; the manual sync answers FAILED',
      { skip: BOUNDED && backend !== 'pglite' ? 'bounded: on the PGlite local only' : false },
      async (t) => {
        const v = await bigVersion(central, 1 * MB);
        // Mid-download the central hangs: the answer stops after 300 kB, later ones never start.
        proxy.set(
          { path: v.path, fault: { kind: 'link', stallAfter: 300 * KB }, times: 1 },
          { path: v.path, fault: { kind: 'hang' } },
        );
        const t0 = performance.now();
        const report = await runSync(l.server);
        const seconds = (performance.now() - t0) / 1000;
        proxy.clear();
        const hits = downloads(proxy, v);
        const held = hits.map((h) => ((h.closedAt ?? Infinity) - h.at) / 1000);
        t.diagnostic(`${seconds.toFixed(1)} s, ${report.attempts} attempts, calls held ${held}`);
        assert.equal(report.status, 'FAILED');
        assert.match(report.error?.message ?? '', /no byte received for 30 s/);
        assert.ok(seconds < 150, `the manual sync answered after ${seconds} s`);
        assert.equal(hits[0]?.bytes, 300 * KB);
        for (const s of held) assert.ok(s >= 29 && s < 60, `a call held ${s} s`);
        assert.deepEqual(
          hits.slice(1).map((h) => rangeFrom(h)! > 0),
          hits.slice(1).map(() => true),
          'later calls resume from the kept bytes',
        );
        await assertRecovers(central, l.server);
        await assertAtRecordedVersion(central, l.server);
      },
    );
  });
}
