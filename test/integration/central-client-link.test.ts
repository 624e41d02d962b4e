/**
 * The local's central client downloading over a breaking link (issue 19 §2, §6), against a
 * node:http central serving a fixed gzip with ranges (test/support/link-central.ts): partials
 * kept in batches in the database (PGlite and PostgreSQL), flushed at the break and resumed, a
 * 416, another version id, and the progress and record of the download.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createHttpCentralClient } from '../../src/central/http-central-client.ts';
import { PARTIAL_BATCH } from '../../src/central/resumable-download.ts';
import type { PartialDownloadStore } from '../../src/domain/ports.ts';
import {
  RemoteError,
  type DownloadProgress,
  type StreamedSnapshot,
} from '../../src/domain/sync/central-client.ts';
import type { OpenDatabase } from '../../src/store/db.ts';
import { createKyselyPartialDownloadStore } from '../../src/store/kysely-partial-download-store.ts';
import { backends, createTestDatabase, type TestDatabase } from '../support/databases.ts';
import {
  ETAG,
  GZ,
  MD5,
  TEXT,
  startLinkCentral,
  type LinkCentral,
} from '../support/link-central.ts';

/** Counts the appends a store takes. */
function counting(store: PartialDownloadStore) {
  const appends: number[] = [];
  return {
    appends,
    store: {
      ...store,
      read: (v: string) => store.read(v),
      append: async (v: string, offset: number, bytes: Uint8Array) => {
        appends.push(bytes.length);
        return store.append(v, offset, bytes);
      },
    } satisfies PartialDownloadStore,
  };
}

const streamed = (s: unknown) => s as StreamedSnapshot;

let central: LinkCentral;
before(async () => {
  central = await startLinkCentral();
});
after(() => central.stop());

for (const backend of await backends()) {
  describe(`central client downloads on a breaking link, partials on ${backend}`, () => {
    let database: TestDatabase;
    let open: OpenDatabase;
    let partials: PartialDownloadStore;
    before(async () => {
      database = await createTestDatabase(backend);
      open = await database.open();
      partials = createKyselyPartialDownloadStore(open.db);
    });
    after(async () => {
      await open.close();
      await database.dispose();
    });
    const client = (store: PartialDownloadStore, extra = {}) =>
      createHttpCentralClient({
        url: central.url,
        username: 'u',
        password: 'p',
        partials: store,
        ...extra,
      });

    it('keeps what arrived in few batches, flushes at the break, and resumes from it', async () => {
      const { store, appends } = counting(partials);
      central.state.seen = [];
      const cut = 1_000_000;
      // The link stays down after the break: the range request that would continue it at once
      // gets a 503, so the attempt fails and the next one resumes from what was kept.
      central.state.cuts = [{ at: cut, then: 503 }];
      await assert.rejects(
        client(store).snapshot('Version_2', { versionId: 'v2id' }),
        (e: unknown) => e instanceof RemoteError && e.kind === 'UNREACHABLE',
      );
      // Every byte the client read is kept: full batches, then what was buffered at the break.
      // (Bytes still queued in the HTTP stream when the reset came are lost with it.)
      const kept = (await partials.find('Version_2'))?.bytes ?? 0;
      assert.ok(kept > cut / 2 && kept <= cut, `kept ${kept} of ${cut}`);
      assert.equal(
        appends.reduce((a, b) => a + b, 0),
        kept,
      );
      assert.ok(appends.length <= Math.ceil(cut / PARTIAL_BATCH), String(appends));
      assert.ok(
        appends.slice(0, -1).every((n) => n >= PARTIAL_BATCH),
        String(appends),
      );

      const progress: DownloadProgress[] = [];
      const snap = streamed(
        await client(store).snapshot('Version_2', {
          versionId: 'v2id',
          onProgress: (p) => progress.push(p),
        }),
      );
      assert.equal(snap.md5, MD5, 'the MD5 is over the whole snapshot');
      assert.equal(snap.size, TEXT.length);
      assert.deepEqual(snap.gzip, GZ);
      assert.deepEqual(
        central.state.seen.map((s) => [s.range, s.status]),
        [
          [undefined, 200],
          [`bytes=${kept}-`, 503],
          [`bytes=${kept}-`, 206],
        ],
      );
      assert.equal(snap.download?.resumedFrom, kept);
      assert.equal(snap.download?.resumes, undefined, 'no break in the second attempt');
      assert.equal(snap.download?.received, GZ.length - kept);
      assert.equal(snap.download?.size, GZ.length);
      const last = progress.at(-1)!;
      assert.deepEqual(
        { ...last, bytesPerSecond: 0 },
        {
          version: 'Version_2',
          received: GZ.length,
          total: GZ.length,
          resumedFrom: kept,
          bytesPerSecond: 0,
        },
      );
      assert.equal(progress[0]?.received, kept, 'the first report starts at the kept bytes');
      for (let i = 1; i < progress.length; i++)
        assert.ok(progress[i]!.received >= progress[i - 1]!.received);
      await partials.discard('Version_2');
    });

    it('a break before the first batch is full still keeps what was read (flushed at the break)', async () => {
      central.state.cuts = [{ at: 100_000, then: 503 }];
      await assert.rejects(client(partials).snapshot('Version_2', { versionId: 'v2id' }));
      const kept = (await partials.find('Version_2'))?.bytes ?? 0;
      assert.ok(kept > 0 && kept <= 100_000, `kept ${kept}`);
      await partials.discard('Version_2');
    });

    it('a partial for another version id is dropped; one the central cannot satisfy (416) is asked again whole', async () => {
      await partials.begin({ version: 'Version_2', versionId: 'old-id', etag: ETAG });
      await partials.append('Version_2', 0, GZ.subarray(0, 1000));
      central.state.seen = [];
      const a = streamed(await client(partials).snapshot('Version_2', { versionId: 'v2id' }));
      assert.equal(a.md5, MD5);
      assert.deepEqual(
        central.state.seen.map((s) => s.range),
        [undefined],
      );

      await partials.begin({ version: 'Version_2', versionId: 'v2id', etag: ETAG });
      await partials.append('Version_2', 0, Buffer.concat([GZ, Buffer.from('extra')]));
      central.state.seen = [];
      const b = streamed(await client(partials).snapshot('Version_2', { versionId: 'v2id' }));
      assert.equal(b.md5, MD5);
      assert.deepEqual(
        central.state.seen.map((s) => [s.range, s.status]),
        [
          [`bytes=${GZ.length + 5}-`, 416],
          [undefined, 200],
        ],
      );
      assert.equal(b.download?.resumedFrom, 0);
      await partials.discard('Version_2');
    });

    it('without a version id nothing is kept (nothing to check a partial against)', async () => {
      central.state.cuts = [{ at: 500_000, then: 503 }];
      await assert.rejects(client(partials).snapshot('Version_2'));
      assert.equal(await partials.find('Version_2'), null);
    });

    it('a break that brought bytes is continued at once, within the same call, many times', async () => {
      const { store, appends } = counting(partials);
      central.state.seen = [];
      // A link that breaks every 256 kB (issue 19 §7), the first piece shorter.
      const cuts = [200_000, 456_000, 712_000, 968_000, 1_224_000].filter((c) => c < GZ.length);
      central.state.cuts = cuts.map((at) => ({ at }));
      const snap = streamed(await client(store).snapshot('Version_2', { versionId: 'v2id' }));
      assert.equal(snap.md5, MD5);
      assert.deepEqual(snap.gzip, GZ);
      const resumes = snap.download?.resumes ?? [];
      assert.equal(resumes.length, cuts.length, `resumes ${String(resumes)}`);
      const ranges = central.state.seen.map((s) => [s.range, s.status]);
      assert.deepEqual(ranges, [[undefined, 200], ...resumes.map((r) => [`bytes=${r}-`, 206])]);
      // Every byte that crossed the link before a break was read (the body is read eagerly),
      // so little is fetched twice: at most one chunk of the central's writes per break.
      cuts.forEach((cut, i) =>
        assert.ok(resumes[i]! <= cut && resumes[i]! > cut - 64 * 1024, `${resumes[i]} for ${cut}`),
      );
      assert.equal(snap.download?.resumedFrom, 0);
      assert.equal(snap.download?.size, GZ.length);
      assert.ok(snap.download!.received >= GZ.length);
      // The partial kept every byte in order, but for the last batch (a finished download's
      // partial is dropped once the version is imported).
      const appended = appends.reduce((a, b) => a + b, 0);
      assert.ok(appended > GZ.length - PARTIAL_BATCH, `appended ${appended}`);
      assert.equal(await partials.find('Version_2').then((p) => p?.bytes), appended);
      await partials.discard('Version_2');
    });

    it('a break without a version id is continued too (nothing is kept)', async () => {
      central.state.cuts = [{ at: 500_000 }];
      const snap = streamed(await client(partials).snapshot('Version_2'));
      assert.equal(snap.md5, MD5);
      assert.equal(snap.download?.resumes?.length, 1);
      assert.equal(await partials.find('Version_2'), null);
    });

    it('a break that brought nothing ends the attempt (no loop on a dead link)', async () => {
      central.state.seen = [];
      central.state.cuts = [{ at: 0 }];
      await assert.rejects(
        client(partials).snapshot('Version_2', { versionId: 'v2id' }),
        (e: unknown) => e instanceof RemoteError && e.kind === 'UNREACHABLE',
      );
      assert.equal(central.state.seen.length, 1, 'no range request after an empty break');
      await partials.discard('Version_2');
    });
  });
}
