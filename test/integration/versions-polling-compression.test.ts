/**
 * Cheap polling and compressed answers (issue 19 §4 central side, §5 server side), on both
 * backends over real HTTP. `history?baseline=` carries a strong ETag (the MD5 of the very bytes
 * of the answer) and answers 304 to it, still recording the poller in the fleet; a changed
 * history has another tag. JSON answers over 1 KB are gzipped for a client that accepts gzip and
 * inflate to the plain answer; small answers and snapshots are not; a gzip bomb body is
 * still 413. Raw bytes are read with node:http, which (unlike fetch) does not inflate.
 */
import assert from 'node:assert/strict';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { describe, it } from 'node:test';
import { gunzipSync, gzipSync } from 'node:zlib';
import { backends } from '../support/databases.ts';
import { ADMIN_PASSWORD, basic, useServer, type TestServer } from '../support/server.ts';
import { createVersion, md5, resetVersions, uid } from '../support/versions.ts';

type Json = Record<string, unknown>;
const LIMIT = 256 * 1024;

interface Raw {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** One request as sent, the answer's bytes as received (no inflating). */
function raw(
  server: TestServer,
  path: string,
  headers: Record<string, string> = {},
  init: { method?: string; body?: Buffer } = {},
): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      server.url + path,
      {
        method: init.method ?? 'GET',
        headers: { authorization: basic('admin', ADMIN_PASSWORD), ...headers },
      },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (c: Buffer) => parts.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(parts) }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(init.body);
  });
}

const history = (baseline: string, headers: Record<string, string> = {}) => ({
  path: `/api/metadata/version/history?baseline=${baseline}`,
  headers,
});

for (const backend of await backends()) {
  describe(`history ETag and compressed answers on ${backend} (issue 19 §4, §5)`, () => {
    const server = useServer(backend, { maxRequestBytes: LIMIT });

    it('history?baseline= carries the MD5 of its bytes as a strong ETag; If-None-Match gets 304 without a body', async () => {
      await resetVersions(server);
      const v1 = await createVersion(server, 'ATOMIC', { force: true });
      await createVersion(server, 'ATOMIC', { force: true });
      const h = history(v1.name);
      const first = await raw(server, h.path);
      assert.equal(first.status, 200);
      const etag = first.headers.etag!;
      assert.equal(etag, `"${md5(first.body)}"`, 'the tag is the MD5 of the bytes sent');
      const parsed = JSON.parse(first.body.toString('utf8')) as { metadataversions: Json[] };
      assert.deepEqual(
        parsed.metadataversions.map((v) => v.name),
        ['Version_2'],
      );
      assert.equal(first.body.toString('utf8'), JSON.stringify(parsed), 'compact JSON as before');
      const again = await raw(server, h.path);
      assert.equal(again.headers.etag, etag, 'the same history, the same tag');
      assert.ok(again.body.equals(first.body));

      for (const ifNoneMatch of [etag, `W/${etag}`, `"other", ${etag}`, '*']) {
        const cond = await raw(server, h.path, { 'if-none-match': ifNoneMatch });
        assert.equal(cond.status, 304, ifNoneMatch);
        assert.equal(cond.body.length, 0);
        assert.equal(cond.headers.etag, etag);
      }
      const stale = await raw(server, h.path, { 'if-none-match': `"${'0'.repeat(32)}"` });
      assert.equal(stale.status, 200);
      assert.ok(stale.body.equals(first.body));

      // Another baseline, another answer, another tag; a new version changes the tag.
      const all = await raw(server, '/api/metadata/version/history');
      assert.notEqual(all.headers.etag, etag);
      await createVersion(server, 'ATOMIC', { force: true });
      const changed = await raw(server, h.path, { 'if-none-match': etag });
      assert.equal(changed.status, 200, 'a new version: the old tag no longer matches');
      assert.notEqual(changed.headers.etag, etag);
      assert.equal(changed.headers.etag, `"${md5(changed.body)}"`);
      assert.deepEqual(
        (
          JSON.parse(changed.body.toString('utf8')) as { metadataversions: Json[] }
        ).metadataversions.map((v) => v.name),
        ['Version_2', 'Version_3'],
      );
    });

    it('a 304 poll is recorded in the fleet as a 200 is', async () => {
      await resetVersions(server);
      const v1 = await createVersion(server, 'ATOMIC', { force: true });
      const h = history(v1.name);
      const etag = (await raw(server, h.path)).headers.etag!;
      const systemId = `sys-${uid()}`;
      const cond = await raw(server, h.path, {
        'if-none-match': etag,
        'x-metasync-system-id': systemId,
        'x-metasync-system-name': 'Polled%20by%20304',
      });
      assert.equal(cond.status, 304);
      const fleet = JSON.parse(
        (await raw(server, '/api/metadata/version/fleet')).body.toString(),
      ) as {
        locals: Json[];
      };
      const seen = fleet.locals.find((l) => l.systemId === systemId);
      assert.ok(seen, `the 304 poller is in the fleet: ${JSON.stringify(fleet.locals)}`);
      assert.equal(seen.name, 'Polled by 304');
      assert.equal(seen.version, v1.name);
    });

    it('a JSON answer over 1 KB is gzipped for a client that accepts gzip, and inflates to the plain answer', async () => {
      for (let i = 0; i < 12; i++) await createVersion(server, 'ATOMIC', { force: true });
      const path = '/api/metadata/versions';
      const plain = await raw(server, path);
      assert.equal(plain.status, 200);
      assert.equal(plain.headers['content-encoding'], undefined, 'not asked: not compressed');
      assert.ok(plain.body.length > 1024, `big enough to compress: ${plain.body.length}`);
      for (const accept of ['gzip', 'gzip, deflate, br', 'br;q=1, gzip;q=0.5']) {
        const zipped = await raw(server, path, { 'accept-encoding': accept });
        assert.equal(zipped.status, 200);
        assert.equal(zipped.headers['content-encoding'], 'gzip', accept);
        assert.match(String(zipped.headers.vary), /accept-encoding/i);
        assert.match(String(zipped.headers['content-type']), /^application\/json/);
        assert.ok(zipped.body.length < plain.body.length, 'smaller on the wire');
        assert.ok(gunzipSync(zipped.body).equals(plain.body), 'inflates to the plain answer');
      }
      const identity = await raw(server, path, { 'accept-encoding': 'identity' });
      assert.equal(identity.headers['content-encoding'], undefined);
      // A history is JSON too: compressed, and its tag is still the MD5 of the plain bytes.
      const h = await raw(server, '/api/metadata/version/history', { 'accept-encoding': 'gzip' });
      assert.equal(h.headers['content-encoding'], 'gzip');
      assert.equal(h.headers.etag, `"${md5(gunzipSync(h.body))}"`);
      // fetch (what a metasync local uses) asks for gzip by itself and inflates transparently.
      const viaFetch = await server.request(path);
      assert.equal(viaFetch.headers.get('content-encoding'), 'gzip');
      assert.ok(Buffer.from(await viaFetch.arrayBuffer()).equals(plain.body));
    });

    it('not compressed: answers under 1 KB and snapshots (application/gzip stays as stored); /metrics is', async () => {
      const small = await raw(server, '/api/system/ping', { 'accept-encoding': 'gzip' });
      assert.equal(small.status, 200);
      assert.ok(small.body.length < 1024);
      assert.equal(small.headers['content-encoding'], undefined);
      await resetVersions(server);
      await createVersion(server, 'ATOMIC', { force: true });
      const latest = JSON.parse((await raw(server, '/api/metadata/version')).body.toString()) as {
        name: string;
        hashCode: string;
      };
      const gz = await raw(server, `/api/metadata/version/${latest.name}/data.gz`, {
        'accept-encoding': 'gzip',
      });
      assert.equal(gz.status, 200);
      assert.equal(gz.headers['content-type'], 'application/gzip');
      assert.equal(gz.headers['content-encoding'], undefined);
      assert.equal(md5(gunzipSync(gz.body)), latest.hashCode, 'gzipped once, as stored');
      const json = await raw(server, `/api/metadata/version/${latest.name}/data`, {
        'accept-encoding': 'gzip',
      });
      assert.equal(json.headers['content-encoding'], undefined);
      assert.equal(md5(json.body), latest.hashCode);
      // /metrics is text, not a stream: compressed like JSON (Prometheus asks for gzip itself).
      const metrics = await raw(server, '/metrics', { 'accept-encoding': 'gzip' });
      assert.equal(metrics.status, 200);
      assert.equal(metrics.headers['content-encoding'], 'gzip');
      assert.match(gunzipSync(metrics.body).toString(), /^# HELP /m);
    });

    it('request bodies: gzip is still decoded by metasync’s own plugin, and a gzip bomb is still 413', async () => {
      const bomb = gzipSync(Buffer.alloc(20 * 1024 * 1024, 0x20));
      assert.ok(bomb.length < LIMIT);
      const refused = await raw(
        server,
        '/api/dataValueSets',
        {
          'content-type': 'application/json',
          'content-encoding': 'gzip',
          'accept-encoding': 'gzip',
        },
        { method: 'POST', body: bomb },
      );
      assert.equal(refused.status, 413);
      const message = JSON.parse(
        (refused.headers['content-encoding'] === 'gzip'
          ? gunzipSync(refused.body)
          : refused.body
        ).toString(),
      ) as Json;
      assert.equal(message.httpStatusCode, 413);
      const ok = await raw(
        server,
        '/api/dataValueSets',
        { 'content-type': 'application/json', 'content-encoding': 'gzip' },
        { method: 'POST', body: gzipSync(JSON.stringify({ dataValues: [] })) },
      );
      assert.equal(ok.status, 200, ok.body.toString());
      assert.equal((await raw(server, '/api/system/ping')).status, 200);
    });
  });
}
