/**
 * A local fetching from a rogue or spoofed central (issue 10 §4): a `data.gz` that inflates past
 * what a snapshot can be (Node's longest string, ~512 MiB) fails as a bad snapshot without first
 * inflating to 4 GiB in memory. The bomb is streamed from a small gzip of zeros.
 */
import assert from 'node:assert/strict';
import { constants } from 'node:buffer';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createGzip } from 'node:zlib';
import { createHttpCentralClient } from '../../src/central/http-central-client.ts';
import { RemoteError } from '../../src/domain/sync/central-client.ts';

/** ~600 MiB of zeros, gzipped once (~600 KiB) and kept for every request. */
async function bomb(): Promise<Buffer> {
  const gzip = createGzip({ level: 9 });
  const chunks: Buffer[] = [];
  gzip.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise((r) => gzip.on('end', r));
  const zeros = Buffer.alloc(16 * 1024 * 1024);
  const total = constants.MAX_STRING_LENGTH + 64 * 1024 * 1024;
  for (let sent = 0; sent < total; sent += zeros.length)
    if (!gzip.write(zeros)) await new Promise((r) => gzip.once('drain', r));
  gzip.end();
  await done;
  return Buffer.concat(chunks);
}

describe('a local against a hostile central', () => {
  let server: Server;
  let url = '';
  before(async () => {
    const body = await bomb();
    server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/gzip', 'content-length': body.length });
      res.end(body);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  it('refuses a data.gz bomb as a bad snapshot, holding at most ~512 MiB', async () => {
    const client = createHttpCentralClient({ url, username: 'u', password: 'p' });
    const rssBefore = process.memoryUsage().rss;
    let peak = rssBefore;
    const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
    try {
      await assert.rejects(client.snapshot('Version_1'), (e: unknown) => {
        assert.ok(e instanceof RemoteError, String(e));
        assert.equal(e.kind, 'PARSE');
        assert.match(e.message, /not valid gzip/);
        return true;
      });
    } finally {
      clearInterval(timer);
    }
    const grew = (Math.max(peak, process.memoryUsage().rss) - rssBefore) / 2 ** 20;
    // Without the cap Node inflates to 4 GiB (its Buffer limit) before failing.
    assert.ok(grew < 1200, `RSS grew ${Math.round(grew)} MiB`);
  });
});
