/**
 * What a run moves over its link (issue 19 §5, §6), between real servers through a recording
 * proxy that sees the bytes on the wire: the data push to a metasync central goes gzip-compressed
 * (`Content-Encoding: gzip`) and lands as sent; to a DHIS2 central (the fake) it stays plain
 * JSON. The report's `transfer.bytesSent` is at least the request bodies the proxy saw and at
 * most all it saw (the clients estimate request heads, without the fields fetch adds), and
 * `metasync_sync_bytes_total` grows by the run's bytes.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { backends } from '../support/databases.ts';
import {
  IDS,
  exportValues,
  importDataMetadata,
  postValues,
  value,
  valueMap,
} from '../support/data.ts';
import { startFakeDhis2Central, type FakeCentral } from '../support/fake-dhis2.ts';
import type { TestServer } from '../support/server.ts';
import { connect, step, syncOk, useCentralAndLocal } from '../support/sync.ts';
import { useServer } from '../support/server.ts';

interface Seen {
  method: string;
  path: string;
  encoding: string | undefined;
  /** The request line and header fields as they came (each with its `: ` and CRLF). */
  head: number;
  body: Buffer;
}

/** Forwards every request to `target` byte for byte, recording each request as it came. */
async function recordingProxy(target: string) {
  const seen: Seen[] = [];
  const to = new URL(target);
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      seen.push({
        method: req.method ?? '',
        path: (req.url ?? '').split('?')[0]!,
        encoding: req.headers['content-encoding'],
        head:
          `${req.method} ${req.url} HTTP/1.1\r\n`.length +
          req.rawHeaders.reduce((n, part) => n + part.length + 2, 0),
        body,
      });
      const up = http.request(
        {
          host: to.hostname,
          port: to.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, host: to.host },
        },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      up.on('error', (e) => {
        res.writeHead(502);
        res.end(String(e));
      });
      up.end(body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    stop: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** `sent` holds every request body byte the proxy saw, and no more than all it saw. */
function sentWithin(sent: number, seen: Seen[]) {
  const bodies = seen.reduce((sum, s) => sum + s.body.length, 0);
  const all = seen.reduce((sum, s) => sum + s.head + s.body.length, 0);
  assert.ok(sent >= bodies, `${sent} bytes counted, ${bodies} in bodies`);
  assert.ok(sent <= all, `${sent} bytes counted, ${all} on the wire`);
}

const PUSH = /^\/api\/(dataValueSets|completeDataSetRegistrations|events|tracker)$/;

/** One sample of a metric in the text exposition. */
async function sample(server: TestServer, name: string, labels = ''): Promise<number> {
  const text = await (await server.request('/metrics')).text();
  const line = text
    .split('\n')
    .find((l) => l.startsWith(labels ? `${name}{${labels}} ` : `${name} `));
  assert.ok(line, `no sample ${name}{${labels}}`);
  return Number(line.split(' ').pop());
}

/** `n` values on the local, a month each from 2001-01, so the page is worth compressing. */
async function writeValues(local: TestServer, n: number, from = 0) {
  const values = Array.from({ length: n }, (_, i) => {
    const m = from + i;
    const period = `${2001 + Math.floor(m / 12)}${String((m % 12) + 1).padStart(2, '0')}`;
    return value(IDS.deNumber, period, String(m + 1), { comment: `value ${m} from the field` });
  });
  const r = await postValues(local, { dataValues: values });
  assert.equal(r.summary.status, 'SUCCESS', r.text);
}

for (const backend of await backends()) {
  describe(`transfer of a ${backend} local's run (issue 19 §5, §6)`, () => {
    const { central, local } = useCentralAndLocal(backend, { syncRetry: 1 });
    let proxy: Awaited<ReturnType<typeof recordingProxy>>;
    before(async () => {
      for (const s of [central, local]) await importDataMetadata(s);
      proxy = await recordingProxy(central.url);
      await connect(local, proxy.url);
    });
    after(() => proxy?.stop());

    it('pushes gzip-compressed to a metasync central; it lands as on the local; the report and /metrics count the bytes', async () => {
      await writeValues(local, 60);
      const sentBefore = await sample(local, 'metasync_sync_bytes_total', 'direction="sent"');
      const receivedBefore = await sample(
        local,
        'metasync_sync_bytes_total',
        'direction="received"',
      );
      proxy.seen.length = 0;
      const report = await syncOk(local);
      assert.equal(step(report, 'dataPush').status, 'SUCCESS', step(report, 'dataPush').message);

      const pushes = proxy.seen.filter((s) => s.method === 'POST' && PUSH.test(s.path));
      assert.ok(
        pushes.some((p) => p.path === '/api/dataValueSets'),
        'values were pushed',
      );
      for (const p of pushes) {
        assert.equal(p.encoding, 'gzip', `${p.path} went as ${p.encoding ?? 'plain'}`);
        const plain = gunzipSync(p.body);
        assert.ok(JSON.parse(plain.toString('utf8')), 'the gzip holds JSON');
        if (p.path === '/api/dataValueSets')
          assert.ok(p.body.length * 3 < plain.length, `${p.body.length} of ${plain.length}`);
      }
      const all = `orgUnit=${IDS.ouRoot}&children=true`;
      assert.deepEqual(
        valueMap(await exportValues(central, all)),
        valueMap(await exportValues(local, all)),
      );

      // The report: every request body byte on the wire, and no more than all that went.
      assert.ok(report.transfer, 'the report has its transfer');
      sentWithin(report.transfer.bytesSent, proxy.seen);
      assert.ok(report.transfer.bytesReceived > 0);
      assert.deepEqual(report.transfer.resumed, []);
      assert.equal(report.transfer.downloading, undefined, 'a finished run downloads nothing');
      const stored = await (await local.request(`/api/metadata/sync/reports/${report.id}`)).json();
      assert.deepEqual((stored as typeof report).transfer, report.transfer);

      // /metrics: the run's bytes, and the resumed downloads' family.
      // The counter also has what the run sent after its report was saved (it tells the
      // central the version reached), never less.
      const sent =
        (await sample(local, 'metasync_sync_bytes_total', 'direction="sent"')) - sentBefore;
      assert.ok(sent >= report.transfer.bytesSent, `${sent} < ${report.transfer.bytesSent}`);
      sentWithin(sent, proxy.seen);
      assert.ok(
        (await sample(local, 'metasync_sync_bytes_total', 'direction="received"')) -
          receivedBefore >=
          report.transfer.bytesReceived,
      );
      assert.equal(await sample(local, 'metasync_sync_resumed_downloads_total'), 0);
    });
  });
}

describe('transfer to a DHIS2 central (issue 19 §5)', () => {
  const local = useServer('pglite', { syncRetry: 1 });
  let fake: FakeCentral;
  let proxy: Awaited<ReturnType<typeof recordingProxy>>;
  before(async () => {
    await importDataMetadata(local);
    fake = await startFakeDhis2Central({
      username: 'admin',
      password: 'district',
      versions: [],
      published: [],
      firstHistory: { metadataversions: [] },
    });
    proxy = await recordingProxy(fake.url);
    await connect(local, proxy.url, 'admin', 'district');
  });
  after(async () => {
    await proxy?.stop();
    await fake?.stop();
  });

  it('pushes plain JSON: DHIS2 honours no Content-Encoding on requests', async () => {
    await writeValues(local, 20);
    const report = await syncOk(local);
    assert.equal(step(report, 'dataPush').status, 'SUCCESS', step(report, 'dataPush').message);
    const pushes = proxy.seen.filter((s) => s.method === 'POST' && PUSH.test(s.path));
    assert.ok(pushes.some((p) => p.path === '/api/dataValueSets'));
    for (const p of pushes) {
      assert.equal(p.encoding, undefined);
      assert.ok(JSON.parse(p.body.toString('utf8')), `${p.path} is plain JSON`);
    }
    assert.equal(fake.received.filter((r) => r.path === '/api/dataValueSets').length, 1);
    sentWithin(report.transfer?.bytesSent ?? 0, proxy.seen);
  });
});
