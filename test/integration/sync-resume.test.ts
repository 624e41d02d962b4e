/**
 * A local resumes a broken-off snapshot download (issue 19 §2, §6, §7) over real HTTP: a real
 * metasync central behind a front (test/support/ranged-front.ts) that answers ranges as a
 * central with ranges does, or ignores them as DHIS2 does, and breaks downloads off at chosen
 * bytes; the local keeps the partial in its database (PGlite or PostgreSQL).
 */
import assert from 'node:assert/strict';
import { gunzipSync, gzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import type { DownloadRecord } from '../../src/domain/sync/central-client.ts';
import { createKyselyPartialDownloadStore } from '../../src/store/kysely-partial-download-store.ts';
import { backends } from '../support/databases.ts';
import { startRangedFront, type RangedFront } from '../support/ranged-front.ts';
import { useServer, type TestServer } from '../support/server.ts';
import {
  centralBackend,
  connect,
  createVersion,
  importMetadata,
  newDataElement,
  runSync,
  syncOk,
  type SyncReportJson,
} from '../support/sync.ts';
import { enableVersioning } from '../support/versions.ts';

/**
 * The download record of `name` in a run's report (issue 19 §6). Read loosely: the report's
 * response schema gains the field with the branch that shows it.
 */
const download = (report: SyncReportJson, name: string) =>
  (report.versions.find((x) => x.name === name) as { download?: DownloadRecord } | undefined)
    ?.download;

for (const backend of await backends()) {
  describe(`resuming downloads, local on ${backend}`, () => {
    const central = useServer(backend === 'pglite' ? centralBackend() : backend);
    const local = useServer(backend, { syncRetry: 3, syncRetryFrequencyMs: 20 });
    let front: RangedFront;
    before(async () => {
      await enableVersioning(central);
      front = await startRangedFront(central.url);
      await connect(local, front.url);
    });
    after(() => front.stop());

    const partials = (server: TestServer) =>
      createKyselyPartialDownloadStore(server.instance.database.db);
    /** A new version on the central with `n` data elements; its name and data.gz. */
    async function newVersion(n = 150): Promise<{ name: string; gz: Buffer }> {
      await importMetadata(central, {
        dataElements: Array.from({ length: n }, (_, i) => newDataElement(`Resume ${i}`)),
      });
      const { name } = await createVersion(central);
      const r = await central.request(`/api/metadata/version/${name}/data.gz`);
      assert.equal(r.status, 200);
      return { name, gz: Buffer.from(await r.arrayBuffer()) };
    }
    const reset = () => {
      front.ranges = true;
      front.etag = null;
      front.cuts = [];
      front.bodies = [];
      front.statuses = [];
      front.file = null;
      front.data = [];
    };

    it('a download broken at 60 % continues at once, in the same attempt: the central sends only the rest', async () => {
      reset();
      const { name, gz } = await newVersion();
      const cut = Math.floor(gz.length * 0.6);
      front.cuts = [cut];
      const report = await syncOk(local);
      assert.equal(report.attempts, 1);
      assert.deepEqual(
        front.data.map((d) => [d.range, d.status, d.sent]),
        [
          [null, 200, cut],
          [`bytes=${cut}-`, 206, gz.length - cut],
        ],
      );
      assert.ok(front.data[1]!.ifRange?.endsWith('.gz"'), String(front.data[1]!.ifRange));
      assert.equal(front.sentBytes(), gz.length, 'no byte sent twice');
      const v = report.versions.find((x) => x.name === name)!;
      assert.equal(v.status, 'SUCCESS');
      assert.deepEqual(
        { ...download(report, name), seconds: 0 },
        { received: gz.length, size: gz.length, resumedFrom: 0, seconds: 0, resumes: [cut] },
      );
      assert.deepEqual(report.transfer?.resumed, [{ version: name, from: cut }]);
      assert.equal(await partials(local).find(name), null, 'the partial is gone once imported');
    });

    it('a break, then a central that is down: the next attempt resumes from the kept bytes', async () => {
      reset();
      const { name, gz } = await newVersion();
      const cut = Math.floor(gz.length * 0.6);
      front.cuts = [cut];
      front.statuses = [null, 503];
      const report = await syncOk(local);
      assert.equal(report.attempts, 2);
      assert.deepEqual(
        front.data.map((d) => [d.range, d.status, d.sent]),
        [
          [null, 200, cut],
          [`bytes=${cut}-`, 503, 0],
          [`bytes=${cut}-`, 206, gz.length - cut],
        ],
      );
      assert.equal(front.sentBytes(), gz.length, 'no byte sent twice');
      assert.deepEqual(
        { ...download(report, name), seconds: 0 },
        { received: gz.length - cut, size: gz.length, resumedFrom: cut, seconds: 0 },
      );
      assert.equal(await partials(local).find(name), null, 'the partial is gone once imported');
    });

    it('resumes in the next run; one partial per version, however many attempts broke', async () => {
      reset();
      const { name, gz } = await newVersion();
      const cut = Math.floor(gz.length * 0.3);
      // Every call of the first run breaks at 30 %: the first brings 30 %, and its continuation
      // and the resumed attempts bring nothing more, so each attempt ends (no loop on a link
      // that gives nothing).
      front.cuts = [cut, cut, cut, cut];
      const failed = await runSync(local);
      assert.equal(failed.status, 'FAILED');
      assert.equal(failed.error?.kind, 'REMOTE_UNREACHABLE');
      assert.equal(failed.attempts, 3);
      assert.deepEqual(
        front.data.map((d) => d.range),
        [null, `bytes=${cut}-`, `bytes=${cut}-`, `bytes=${cut}-`],
      );
      const kept = await partials(local).find(name);
      assert.equal(kept?.bytes, cut, 'the 30 % kept once, not once per attempt');
      front.data = [];
      const report = await syncOk(local);
      assert.deepEqual(
        front.data.map((d) => [d.range, d.status, d.sent]),
        [[`bytes=${cut}-`, 206, gz.length - cut]],
      );
      assert.equal(download(report, name)?.resumedFrom, cut);
      assert.equal(await partials(local).find(name), null);
    });

    it('a central that answers 200 to a range (DHIS2) still completes, from byte 0', async () => {
      reset();
      front.ranges = false;
      const { name, gz } = await newVersion();
      const cut = Math.floor(gz.length * 0.6);
      front.cuts = [cut];
      const report = await syncOk(local);
      assert.deepEqual(
        front.data.map((d) => [d.range, d.status, d.sent]),
        [
          [null, 200, cut],
          [`bytes=${cut}-`, 200, gz.length],
        ],
      );
      assert.equal(download(report, name)?.resumedFrom, 0);
      assert.equal(download(report, name)?.received, gz.length);
      assert.equal(await partials(local).find(name), null);
    });

    it('a partial kept for an ETag that changed is discarded and the version downloaded whole', async () => {
      reset();
      const { name, gz } = await newVersion();
      const cut = Math.floor(gz.length * 0.6);
      front.cuts = [cut, cut, cut, cut];
      assert.equal((await runSync(local)).status, 'FAILED');
      const kept = await partials(local).find(name);
      assert.equal(kept?.bytes, cut);
      front.etag = '"changed.gz"';
      front.data = [];
      const report = await syncOk(local);
      assert.deepEqual(
        front.data.map((d) => [d.range, d.ifRange, d.status, d.sent]),
        [[`bytes=${cut}-`, kept?.etag, 200, gz.length]],
      );
      assert.equal(download(report, name)?.resumedFrom, 0);
      assert.equal(await partials(local).find(name), null);
    });

    it('kept bytes that do not match the rest fail HASH_MISMATCH, and the partial is dropped', async () => {
      reset();
      const { name, gz } = await newVersion();
      const text = gunzipSync(gz);
      // The file served as two gzip members, the first stored (level 0: its length depends only
      // on the text's length), so that a first member of a different text of the same length
      // still inflates: a central whose file changed under the same ETag.
      const at = Math.floor(text.length * 0.6);
      const served = (head: Buffer) =>
        Buffer.concat([gzipSync(head, { level: 0 }), gzipSync(text.subarray(at))]);
      const other = Buffer.from(text.subarray(0, at));
      const i = other.indexOf('"name":"') + 8;
      other[i] = other[i] === 0x58 ? 0x59 : 0x58; // one letter of a name, X or Y
      const good = served(text.subarray(0, at));
      const bad = served(other);
      const cut = gzipSync(text.subarray(0, at), { level: 0 }).length;
      front.file = () => good;
      front.bodies = [bad];
      front.cuts = [cut];
      const failed = await runSync(local);
      assert.equal(failed.status, 'FAILED');
      assert.equal(failed.error?.kind, 'HASH_MISMATCH', JSON.stringify(failed.error));
      assert.equal(failed.attempts, 1, 'the continued download failed, and was not retried');
      assert.deepEqual(
        front.data.map((d) => d.range),
        [null, `bytes=${cut}-`],
      );
      assert.equal(await partials(local).find(name), null, 'the bad partial is dropped');
      front.data = [];
      const report = await syncOk(local);
      assert.deepEqual(
        front.data.map((d) => [d.range, d.status, d.sent]),
        [[null, 200, good.length]],
      );
      assert.equal(report.versions.find((x) => x.name === name)?.status, 'SUCCESS');
    });
  });
}
