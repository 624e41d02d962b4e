/**
 * The local's central client over a breaking, silent or unchanged link (issue 19 §2–§4, §6),
 * against a node:http central serving a fixed gzip with ranges: partials kept in batches in the
 * database (PGlite and PostgreSQL), a 416, silence failing a call while a slow steady body
 * completes, the history asked with If-None-Match, progress, and the transfer meter.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import { gzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { createHttpCentralClient } from '../../src/central/http-central-client.ts';
import { createHistoryCache } from '../../src/central/history-cache.ts';
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

const TEXT = Buffer.from(JSON.stringify({ filler: randomBytes(1_500_000).toString('hex') }));
const GZ = gzipSync(TEXT);
const MD5 = createHash('md5').update(TEXT).digest('hex');
const ETAG = '"abc.gz"';

interface Seen {
  path: string;
  range: string | undefined;
  ifNoneMatch: string | undefined;
  status: number;
}

/** A central: history (with an ETag unless `etags` is off) and one data.gz with ranges. */
async function startCentral() {
  const state = {
    etags: true,
    history: [{ name: 'Version_2', id: 'v2id', hashCode: MD5, type: 'BEST_EFFORT' }],
    /** The next data.gz answers: break off after this byte of the file, or hang there. */
    cuts: [] as { at: number; hang?: boolean }[],
    /** Send the file in pieces of this size, this far apart (a slow, steady link). */
    trickle: null as { bytes: number; ms: number } | null,
    seen: [] as Seen[],
  };
  const server = http.createServer((req, res) => {
    void (async () => {
      const seen: Seen = {
        path: req.url ?? '',
        range: req.headers.range,
        ifNoneMatch: req.headers['if-none-match'],
        status: 200,
      };
      state.seen.push(seen);
      if (req.url?.startsWith('/api/metadata/version/history')) {
        const body = JSON.stringify({ metadataversions: state.history });
        const etag = `"${createHash('sha1').update(body).digest('hex')}"`;
        if (state.etags && req.headers['if-none-match'] === etag) {
          seen.status = 304;
          res.writeHead(304, { etag });
          return res.end();
        }
        res.writeHead(200, {
          'content-type': 'application/json',
          ...(state.etags ? { etag } : {}),
        });
        return res.end(body);
      }
      let start = 0;
      const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
      if (m && req.headers['if-range'] === ETAG) {
        start = Number(m[1]);
        if (start >= GZ.length) {
          seen.status = 416;
          res.writeHead(416, { 'content-range': `bytes */${GZ.length}` });
          return res.end();
        }
        seen.status = 206;
      }
      res.writeHead(seen.status, {
        'content-type': 'application/gzip',
        etag: ETAG,
        'content-length': String(GZ.length - start),
        ...(seen.status === 206
          ? { 'content-range': `bytes ${start}-${GZ.length - 1}/${GZ.length}` }
          : {}),
      });
      const cut = state.cuts.shift();
      const end = cut ? Math.max(start, cut.at) : GZ.length;
      const step = state.trickle?.bytes ?? 64 * 1024;
      for (let at = start; at < end; at += step) {
        await new Promise<void>((r) =>
          res.write(GZ.subarray(at, Math.min(end, at + step)), () => r()),
        );
        if (state.trickle) await new Promise((r) => setTimeout(r, state.trickle!.ms));
      }
      if (!cut) return res.end();
      if (cut.hang) return; // silent from here on: the client must give up
      await new Promise((r) => setTimeout(r, 30));
      res.socket?.destroy();
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    state,
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

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

let central: Awaited<ReturnType<typeof startCentral>>;
before(async () => {
  central = await startCentral();
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
      central.state.cuts = [{ at: cut }];
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
          [`bytes=${kept}-`, 206],
        ],
      );
      assert.equal(snap.download?.resumedFrom, kept);
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
      central.state.cuts = [{ at: 100_000 }];
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
      central.state.cuts = [{ at: 500_000 }];
      await assert.rejects(client(partials).snapshot('Version_2'));
      assert.equal(await partials.find('Version_2'), null);
    });
  });
}

describe('central client: silence fails a call, slowness does not (issue 19 §3)', () => {
  const client = (inactivityMs: number) =>
    createHttpCentralClient({ url: central.url, username: 'u', password: 'p', inactivityMs });

  it('a download that goes silent fails with DHIS2 wording and the reason', async () => {
    central.state.cuts = [{ at: 200_000, hang: true }];
    await assert.rejects(client(300).snapshot('Version_2'), (e: unknown) => {
      assert.ok(e instanceof RemoteError && e.kind === 'UNREACHABLE', String(e));
      assert.match(e.message, /^Network is unreachable: http:\/\/127\.0\.0\.1:\d+ \(/);
      assert.match(e.message, /no byte received for 300 ms/);
      return true;
    });
  });

  it('a slow but steady download outlives the inactivity limit many times over', async () => {
    central.state.trickle = { bytes: 128 * 1024, ms: 100 };
    try {
      const snap = streamed(await client(300).snapshot('Version_2'));
      assert.equal(snap.md5, MD5);
    } finally {
      central.state.trickle = null;
    }
  });
});

describe('central client: the history asked with If-None-Match (issue 19 §4)', () => {
  it('an unchanged history is a 304 and the list kept; a new client of the next run asks the same', async () => {
    central.state.etags = true;
    central.state.seen = [];
    const cache = createHistoryCache();
    const make = () =>
      createHttpCentralClient({
        url: central.url,
        username: 'u',
        password: 'p',
        historyCache: cache,
      });
    const first = await make().history('Version_1');
    const second = await make().history('Version_1');
    assert.deepEqual(second, first);
    assert.equal(second[0]?.name, 'Version_2');
    assert.deepEqual(
      central.state.seen.map((s) => s.status),
      [200, 304],
    );
    assert.equal(central.state.seen[0]?.ifNoneMatch, undefined);
    assert.match(central.state.seen[1]?.ifNoneMatch ?? '', /^"[0-9a-f]{40}"$/);

    central.state.history = [
      ...central.state.history,
      { name: 'Version_3', id: 'v3', hashCode: 'b'.repeat(32), type: 'ATOMIC' },
    ];
    const third = await make().history('Version_1');
    assert.deepEqual(
      third.map((v) => v.name),
      ['Version_2', 'Version_3'],
    );
    assert.equal(central.state.seen.at(-1)?.status, 200);
    // Another baseline is another question.
    await make().history(null);
    assert.equal(central.state.seen.at(-1)?.ifNoneMatch, undefined);
    central.state.history = central.state.history.slice(0, 1);
  });

  it('a central without ETags (DHIS2) is never sent If-None-Match', async () => {
    central.state.etags = false;
    central.state.seen = [];
    const cache = createHistoryCache();
    for (let i = 0; i < 2; i++)
      await createHttpCentralClient({
        url: central.url,
        username: 'u',
        password: 'p',
        historyCache: cache,
      }).history('Version_1');
    assert.deepEqual(
      central.state.seen.map((s) => [s.ifNoneMatch, s.status]),
      [
        [undefined, 200],
        [undefined, 200],
      ],
    );
    central.state.etags = true;
  });

  it('the meter counts every body byte received and each request sent', async () => {
    let received = 0;
    let sent = 0;
    const c = createHttpCentralClient({
      url: central.url,
      username: 'u',
      password: 'p',
      meter: { received: (n) => (received += n), sent: (n) => (sent += n) },
    });
    const list = await c.history('Version_1');
    const historyBytes = Buffer.byteLength(
      JSON.stringify({ metadataversions: central.state.history }),
    );
    assert.equal(received, historyBytes);
    assert.equal(list.length, 1);
    await c.snapshot('Version_2');
    assert.equal(received, historyBytes + GZ.length);
    assert.ok(sent > 100, `request heads counted: ${sent}`);
  });
});
