/**
 * The data push's calls fail on silence, not on slowness (issue 19 §3), against real sockets:
 * a central that stops reading the body fails the call after the inactivity limit; one that
 * takes its time to import a page it has received is given max(inactivity, processing); one
 * that answers slowly but steadily is waited for; one that goes silent after the upload fails
 * once the processing allowance has passed. The limits are shortened; the client is the real one.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import { createHttpDataClient } from '../../src/central/http-data-client.ts';
import { RemoteError } from '../../src/domain/sync/central-client.ts';

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

const servers: http.Server[] = [];
async function central(handler: Handler): Promise<string> {
  const server = http.createServer(handler);
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}
const readAll = async (req: http.IncomingMessage) => {
  let n = 0;
  for await (const c of req) n += (c as Buffer).length;
  return n;
};
const client = (url: string) =>
  createHttpDataClient({
    url,
    username: 'admin',
    password: 'district',
    maxAttempts: 0,
    inactivityMs: 300,
    processingMs: 1_200,
    timeoutMs: 20_000,
  });
const ok = '{"status":"SUCCESS","importCount":{"imported":1}}';

describe('data push over a link that goes silent (issue 19 §3)', () => {
  after(() => {
    for (const s of servers) {
      s.closeAllConnections();
      s.close();
    }
  });

  it('a central that stops reading the body: the call fails on the upload silence', async () => {
    const url = await central(() => {
      // Never reads: once the socket buffers are full, no byte moves.
    });
    const big = JSON.stringify({ dataValues: 'x'.repeat(64 * 1024 * 1024) });
    await assert.rejects(
      client(url).postJson('/api/dataValueSets', big),
      (e: unknown) =>
        e instanceof RemoteError &&
        e.kind === 'UNREACHABLE' &&
        /no byte received for 300 ms/.test(e.message),
    );
  });

  it('a central that imports a received page in silence longer than the inactivity limit is waited for', async () => {
    const url = await central((req, res) => {
      void readAll(req).then(() =>
        setTimeout(() => {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(ok);
        }, 700),
      );
    });
    const answer = await client(url).postJson('/api/dataValueSets', '{"dataValues":[]}');
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.body, JSON.parse(ok));
  });

  it('an answer that comes slowly but steadily is read to its end', async () => {
    const url = await central((req, res) => {
      void readAll(req).then(() => {
        res.writeHead(200, { 'content-type': 'application/json' });
        const parts = [ok.slice(0, 10), ok.slice(10, 20), ok.slice(20, 30), ok.slice(30)];
        const next = () => {
          const part = parts.shift();
          if (part === undefined) return;
          if (parts.length === 0) return void res.end(part);
          res.write(part);
          setTimeout(next, 200);
        };
        next();
      });
    });
    const answer = await client(url).postJson('/api/dataValueSets', '{"dataValues":[]}');
    assert.deepEqual(answer.body, JSON.parse(ok));
  });

  it('a central that says nothing after the upload fails the call once the processing allowance has passed', async () => {
    const url = await central((req) => {
      void readAll(req); // reads the page, never answers
    });
    await assert.rejects(
      client(url).postJson('/api/dataValueSets', '{"dataValues":[]}'),
      (e: unknown) => e instanceof RemoteError && /no byte received for 1200 ms/.test(e.message),
    );
  });
});
