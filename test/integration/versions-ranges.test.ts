/**
 * Ranges on the snapshot downloads (issue 19 §1), on both backends, over real HTTP: a 206 holds
 * exactly the slice of the whole answer (across the stored 1 MiB gzip chunks, from the database
 * and from the in-memory cache, for `data.gz` and the inflated `/data`), 416 past the end,
 * If-Range by the strong ETag only, HEAD with the whole length, and a syntactically invalid or
 * multi-range Range ignored (RFC 9110 §14.2). Snapshots are never content-encoded (§5).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import type { MetadataVersion } from '../../src/domain/versioning/version.ts';
import { CHUNK_BYTES } from '../../src/store/snapshot-writer.ts';
import { backends } from '../support/databases.ts';
import { useServer, type TestServer } from '../support/server.ts';
import {
  createVersion,
  dataElement,
  importDataElements,
  md5,
  resetVersions,
  snapshotBytes,
  uid,
  type VersionJson,
} from '../support/versions.ts';

type Json = Record<string, unknown>;

const path = (name: string, kind: 'json' | 'gz') =>
  `/api/metadata/version/${name}/${kind === 'json' ? 'data' : 'data.gz'}`;

async function get(server: TestServer, url: string, headers: Record<string, string> = {}) {
  const res = await server.request(url, { headers });
  return { res, bytes: Buffer.from(await res.arrayBuffer()) };
}

/** Asks for `range` and checks the 206 against the slice of `whole` it names. */
async function expectSlice(
  server: TestServer,
  url: string,
  whole: Buffer,
  range: string,
  [start, end]: [number, number],
  headers: Record<string, string> = {},
) {
  const { res, bytes } = await get(server, url, { range, ...headers });
  assert.equal(res.status, 206, `${range}: ${bytes.toString('utf8', 0, 300)}`);
  assert.equal(res.headers.get('content-range'), `bytes ${start}-${end}/${whole.length}`, range);
  assert.equal(res.headers.get('content-length'), String(end - start + 1), range);
  assert.equal(res.headers.get('accept-ranges'), 'bytes');
  assert.equal(res.headers.get('content-encoding'), null, 'a range is never content-encoded');
  assert.ok(bytes.equals(whole.subarray(start, end + 1)), `${range}: the bytes of the slice`);
}

/** Ranges of a snapshot of `size` bytes: each side of every chunk boundary, both ends, suffixes. */
function rangesOf(size: number): [string, [number, number]][] {
  const out: [string, [number, number]][] = [
    ['bytes=0-0', [0, 0]],
    ['bytes=0-99', [0, 99]],
    [`bytes=${size - 1}-`, [size - 1, size - 1]],
    ['bytes=-100', [size - 100, size - 1]],
    [`bytes=-${size + 50}`, [0, size - 1]],
    [`bytes=${size - 10}-${size + 1000}`, [size - 10, size - 1]],
    ['BYTES = 7 - 20', [7, 20]],
  ];
  for (let b = CHUNK_BYTES; b < size; b += CHUNK_BYTES)
    out.push(
      [`bytes=${b - 1}-${b}`, [b - 1, b]],
      [`bytes=${b}-`, [b, size - 1]],
      [`bytes=${b - 5}-${b - 1}`, [b - 5, b - 1]],
      [`bytes=${b - 1000}-${b + 1000}`, [b - 1000, b + 1000]],
    );
  return out;
}

for (const backend of await backends()) {
  describe(`snapshot ranges on ${backend} (issue 19 §1)`, () => {
    const server = useServer(backend);
    let small: MetadataVersion;
    let big: MetadataVersion;
    /** The stored version (with its sizes) behind an answer of the API. */
    const stored = async (v: VersionJson) =>
      (await server.instance.services.versions.byName(v.name))!;

    it('setup: a small version and one over 8 MiB whose gzip spans several stored chunks', async () => {
      await resetVersions(server);
      small = await stored(await createVersion(server, 'ATOMIC'));
      // Random text, so the gzip spans chunks too; the repeated tail takes the JSON past the
      // in-memory cache's 8 MiB entry limit (as versions-snapshots.test.ts does).
      const tag = uid();
      const tail = 'long description '.repeat(150);
      await importDataElements(
        server,
        Array.from({ length: 3000 }, (_, i) =>
          dataElement(uid(), `Ranged ${tag} ${i}`, {
            description: `${i} ${randomBytes(1000).toString('base64')} ${tail}`,
          }),
        ),
      );
      big = await stored(await createVersion(server));
      assert.ok(big.bytes > 8 * 1024 * 1024, `JSON ${big.bytes}`);
      assert.ok(big.gzipBytes > 2 * CHUNK_BYTES, `three stored chunks at least: ${big.gzipBytes}`);
    });

    it('data.gz of a large version: every range read from the stored chunks, then from the cache, is its slice', async () => {
      const url = path(big.name, 'gz');
      // The whole file is read only afterwards: these first ranges come from the database.
      const parts: Buffer[] = [];
      for await (const c of (await server.instance.services.versions.readSnapshot(big.id, 'gz'))!)
        parts.push(Buffer.from(c));
      const gz = Buffer.concat(parts);
      for (const [range, expected] of rangesOf(gz.length))
        await expectSlice(server, url, gz, range, expected);
      const full = await get(server, url);
      assert.equal(full.res.status, 200);
      assert.equal(full.res.headers.get('accept-ranges'), 'bytes');
      assert.ok(full.bytes.equals(gz), 'the whole answer is the stored gzip');
      assert.equal(md5(gunzipSync(full.bytes)), big.hashCode);
      // Now cached in memory (under 8 MiB): the same ranges are slices of the cached bytes.
      for (const [range, expected] of rangesOf(gz.length))
        await expectSlice(server, url, gz, range, expected);
    });

    it('/data of a large version (inflated, never cached) and of a small one (cached): ranges are slices of the JSON', async () => {
      const json = await snapshotBytes(server, big.name, 'json');
      assert.equal(md5(json), big.hashCode);
      for (const [range, expected] of [
        ['bytes=0-99', [0, 99]],
        [
          `bytes=${5 * 1024 * 1024}-${5 * 1024 * 1024 + 65_535}`,
          [5 * 1024 * 1024, 5 * 1024 * 1024 + 65_535],
        ],
        [`bytes=${json.length - 1000}-`, [json.length - 1000, json.length - 1]],
        ['bytes=-1', [json.length - 1, json.length - 1]],
      ] as [string, [number, number]][])
        await expectSlice(server, path(big.name, 'json'), json, range, expected);
      const smallJson = await snapshotBytes(server, small.name, 'json');
      for (const [range, expected] of rangesOf(smallJson.length).slice(0, 6))
        await expectSlice(server, path(small.name, 'json'), smallJson, range, expected);
    });

    it('a range starting past the end: 416 with Content-Range bytes */size, as a WebMessage', async () => {
      for (const kind of ['gz', 'json'] as const) {
        const size = kind === 'gz' ? small.gzipBytes : small.bytes;
        for (const range of [`bytes=${size}-`, `bytes=${size + 10}-${size + 20}`, 'bytes=-0']) {
          const { res, bytes } = await get(server, path(small.name, kind), { range });
          assert.equal(res.status, 416, `${kind} ${range}`);
          assert.equal(res.headers.get('content-range'), `bytes */${size}`);
          assert.equal(res.headers.get('etag'), null, 'an error is not the snapshot');
          assert.equal(res.headers.get('cache-control'), 'no-store');
          const body = JSON.parse(bytes.toString('utf8')) as Json;
          assert.equal(body.httpStatusCode, 416);
          assert.equal(body.status, 'ERROR');
          assert.match(String(body.message), new RegExp(`${size} bytes`));
        }
      }
    });

    it('an invalid or multi-range Range is ignored: the whole 200', async () => {
      const gz = await snapshotBytes(server, small.name, 'gz');
      for (const range of [
        'bytes=20-10',
        'bytes=0-1,5-6',
        'items=0-5',
        'bytes=abc',
        'bytes=-',
        'bytes 0-5',
        `bytes=0-${'9'.repeat(40)}`,
      ]) {
        const { res, bytes } = await get(server, path(small.name, 'gz'), { range });
        assert.equal(res.status, 200, range);
        assert.equal(res.headers.get('content-range'), null, range);
        assert.ok(bytes.equals(gz), range);
      }
    });

    it('If-Range: the strong ETag keeps the range; another tag, a weak tag or a date gets the whole 200', async () => {
      const url = path(small.name, 'gz');
      const gz = await snapshotBytes(server, small.name, 'gz');
      const etag = `"${small.hashCode}.gz"`;
      await expectSlice(server, url, gz, 'bytes=10-', [10, gz.length - 1], { 'if-range': etag });
      for (const ifRange of [
        `"${'0'.repeat(32)}.gz"`,
        `"${small.hashCode}"`,
        `W/${etag}`,
        new Date().toUTCString(),
      ]) {
        const { res, bytes } = await get(server, url, { range: 'bytes=10-', 'if-range': ifRange });
        assert.equal(res.status, 200, ifRange);
        assert.ok(bytes.equals(gz), ifRange);
      }
      const json = await snapshotBytes(server, small.name, 'json');
      await expectSlice(server, path(small.name, 'json'), json, 'bytes=5-9', [5, 9], {
        'if-range': `"${small.hashCode}"`,
      });
    });

    it('HEAD: the whole length and Accept-Ranges, a Range notwithstanding; If-None-Match still 304', async () => {
      for (const kind of ['gz', 'json'] as const) {
        const v = kind === 'gz' ? big : small;
        const res = await server.request(path(v.name, kind), {
          method: 'HEAD',
          headers: { range: 'bytes=0-9' },
        });
        assert.equal(res.status, 200, kind);
        assert.equal(res.headers.get('accept-ranges'), 'bytes');
        assert.equal(
          res.headers.get('content-length'),
          String(kind === 'gz' ? v.gzipBytes : v.bytes),
        );
        const etag = `"${v.hashCode}${kind === 'gz' ? '.gz' : ''}"`;
        const cond = await server.request(path(v.name, kind), {
          headers: { 'if-none-match': etag, range: 'bytes=0-9' },
        });
        assert.equal(cond.status, 304, `${kind}: If-None-Match is decided before Range`);
      }
    });

    it('snapshots are sent as stored to a client accepting gzip: no Content-Encoding, application/gzip kept', async () => {
      for (const kind of ['gz', 'json'] as const) {
        const res = await server.request(path(small.name, kind), {
          headers: { 'accept-encoding': 'gzip' },
        });
        await res.arrayBuffer();
        assert.equal(res.status, 200);
        assert.equal(res.headers.get('content-encoding'), null, kind);
        assert.equal(
          res.headers.get('content-length'),
          String(kind === 'gz' ? small.gzipBytes : small.bytes),
        );
        if (kind === 'gz') assert.equal(res.headers.get('content-type'), 'application/gzip');
      }
    });
  });
}
