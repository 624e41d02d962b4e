/**
 * The fault proxy itself (test/support/fault-proxy.ts): each fault as a client sees it, in front
 * of a real HTTP server and a real TCP echo server, and the bytes it counts as forwarded.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.ts';

const BIG = Buffer.alloc(100_000, 'x');

/** A raw GET: every byte the client receives, and how the connection ended. */
function rawGet(port: number, path: string, headers = '') {
  return new Promise<{ bytes: Buffer; end: string; socket: net.Socket }>((resolve) => {
    const chunks: Buffer[] = [];
    let end = 'FIN';
    const s = net.connect(port, '127.0.0.1', () =>
      s.write(`GET ${path} HTTP/1.1\r\nHost: x\r\n${headers}\r\n`),
    );
    s.on('data', (d: Buffer) => chunks.push(d));
    s.on('error', (e: NodeJS.ErrnoException) => (end = e.code ?? e.message));
    s.on('close', () => resolve({ bytes: Buffer.concat(chunks), end, socket: s }));
  });
}

/** Waits (up to 2 s) until `done()`; the proxy sees a close a moment after the client. */
async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !done(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(done());
}

const bodyOf = (answer: Buffer) => answer.subarray(answer.indexOf('\r\n\r\n') + 4);

/** The error (and its cause) a fetch through the proxy ends with, or null if it succeeds. */
async function failure(url: string, init: RequestInit = {}): Promise<string | null> {
  try {
    const res = await fetch(url, init);
    await res.arrayBuffer();
    return null;
  } catch (e) {
    const err = e as Error & { cause?: Error & { code?: string } };
    return `${err.name}: ${err.message} / ${err.cause?.code ?? ''} ${err.cause?.message ?? ''}`;
  }
}

describe('fault proxy, http mode', () => {
  let server: http.Server;
  let proxy: FaultProxy;
  const seen: { url: string; connection: string | undefined }[] = [];
  before(async () => {
    server = http.createServer((req, res) => {
      seen.push({ url: req.url ?? '', connection: req.headers.connection });
      req.on('error', () => undefined); // the proxy resets some on purpose
      req.resume();
      req.on('end', () => {
        const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
        if (req.url === '/ranged' && range) {
          const from = Number(range[1]);
          res.writeHead(206, {
            'content-length': BIG.length - from,
            'content-range': `bytes ${from}-${BIG.length - 1}/${BIG.length}`,
          });
          res.end(BIG.subarray(from));
        } else if (req.url === '/big' || req.url === '/ranged') res.end(BIG);
        else res.end(`ok ${req.method} ${req.url}`);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as net.AddressInfo;
    proxy = await startFaultProxy({ target: { host: '127.0.0.1', port }, mode: 'http' });
  });
  after(async () => {
    await proxy.close();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it('passes requests through, one per connection, bodies included', async () => {
    proxy.clear();
    const a = await fetch(`${proxy.url}/a?x=1`);
    assert.equal(await a.text(), 'ok GET /a?x=1');
    const b = await fetch(`${proxy.url}/b`, { method: 'POST', body: 'hello' });
    assert.equal(await b.text(), 'ok POST /b');
    assert.deepEqual(seen.slice(-2), [
      { url: '/a?x=1', connection: 'close' },
      { url: '/b', connection: 'close' },
    ]);
    assert.deepEqual(
      proxy.hits.slice(-2).map((h) => [h.method, h.path, h.fault]),
      [
        ['GET', '/a?x=1', 'pass'],
        ['POST', '/b', 'pass'],
      ],
    );
  });

  it('answers a canned 503 for the matching request only, `times` times', async () => {
    proxy.set({ path: /^\/c/, fault: { kind: 'status', status: 503 }, times: 1 });
    const before = seen.length;
    const first = await fetch(`${proxy.url}/c`);
    assert.equal(first.status, 503);
    assert.match(await first.text(), /Service Unavailable/);
    assert.equal(proxy.hits.at(-1)?.status, 503);
    assert.equal(seen.length, before, 'the server never saw it');
    assert.equal((await fetch(`${proxy.url}/c`)).status, 200);
    assert.equal((await fetch(`${proxy.url}/d`)).status, 200);
  });

  it('truncates an answer after N bytes', async () => {
    proxy.set({ path: /^\/big$/, fault: { kind: 'truncate', bytes: 5000 } });
    assert.match((await failure(`${proxy.url}/big`)) ?? 'succeeded', /terminated/);
    // Raw: the whole head, exactly 5,000 bytes of the 100,000-byte body, then the end.
    const got = await new Promise<Buffer>((resolve) => {
      const chunks: Buffer[] = [];
      const s = net.connect(proxy.port, '127.0.0.1', () =>
        s.write('GET /big HTTP/1.1\r\nHost: x\r\n\r\n'),
      );
      s.on('data', (d: Buffer) => chunks.push(d));
      s.on('close', () => resolve(Buffer.concat(chunks)));
    });
    const headEnd = got.indexOf('\r\n\r\n');
    assert.match(
      got.subarray(0, headEnd).toString(),
      /^HTTP\/1\.1 200 OK\r\n.*content-length: 100000/is,
    );
    assert.equal(got.length - headEnd - 4, 5000);
    assert.equal(proxy.hits.at(-1)?.bytes, got.length, 'what the client got is counted');
  });

  it('resets, closes, or hangs a connection', async () => {
    proxy.set({ path: /^\/reset$/, fault: { kind: 'reset' } });
    assert.match((await failure(`${proxy.url}/reset`)) ?? 'succeeded', /ECONNRESET|other side/);
    proxy.set({ path: /^\/close$/, fault: { kind: 'close' } });
    assert.match((await failure(`${proxy.url}/close`)) ?? 'succeeded', /other side closed/);
    proxy.set({ path: /^\/hang$/, fault: { kind: 'hang' } });
    const t0 = performance.now();
    const hung = await failure(`${proxy.url}/hang`, { signal: AbortSignal.timeout(300) });
    assert.match(hung ?? 'succeeded', /TimeoutError/);
    assert.ok(performance.now() - t0 >= 290);
  });

  it('delays every chunk and calls onMatch', async () => {
    let fired = 0;
    proxy.set({ path: /^\/slow$/, fault: { kind: 'delay', ms: 150 }, onMatch: () => fired++ });
    const t0 = performance.now();
    const res = await fetch(`${proxy.url}/slow`);
    assert.equal(await res.text(), 'ok GET /slow');
    // The head goes up late, the answer comes down late: at least two delays.
    assert.ok(performance.now() - t0 >= 290, `${performance.now() - t0} ms`);
    assert.equal(fired, 1);
  });

  it('link: paces an answer to bytesPerSecond and counts what it forwarded', async () => {
    proxy.set({ path: /^\/big$/, fault: { kind: 'link', bytesPerSecond: 50_000 } });
    const t0 = performance.now();
    const { bytes, end } = await rawGet(proxy.port, '/big');
    const seconds = (performance.now() - t0) / 1000;
    assert.equal(end, 'FIN');
    assert.deepEqual(bodyOf(bytes), BIG);
    // 100 kB at 50 kB/s: 2 s, less the first 50 ms slice. Loose above: the machine is shared.
    assert.ok(seconds >= 1.9 && seconds < 8, `${seconds} s`);
    const hit = proxy.hits.at(-1)!;
    assert.deepEqual([hit.fault, hit.status, hit.bytes], ['link', 200, bytes.length]);
    await until(() => hit.closedAt !== null);
  });

  it('link: resets after resetAfter bytes, each request with a fresh budget', async () => {
    proxy.set({ path: /^\/ranged$/, fault: { kind: 'link', resetAfter: 30_000 } });
    const first = proxy.hits.length;
    let body = Buffer.alloc(0);
    const ends: string[] = [];
    const asked: (string | null)[] = [];
    // A client that resumes with Range after each break, as the local does.
    while (body.length < BIG.length) {
      asked.push(body.length > 0 ? `bytes=${body.length}-` : null);
      const range = body.length > 0 ? `Range: bytes=${body.length}-\r\n` : '';
      const { bytes, end } = await rawGet(proxy.port, '/ranged', range);
      ends.push(end);
      body = Buffer.concat([body, bodyOf(bytes)]);
      assert.ok(ends.length < 10, 'the download makes no progress');
    }
    assert.deepEqual(body, BIG);
    const hits = proxy.hits.slice(first);
    // Four requests of ≤ 30,000 bytes each for 100,000 bytes and their heads: three reset.
    assert.deepEqual(ends, ['ECONNRESET', 'ECONNRESET', 'ECONNRESET', 'FIN']);
    assert.deepEqual(
      hits.map((h) => [h.status, h.bytes === 30_000]),
      [
        [200, true],
        [206, true],
        [206, true],
        [206, false],
      ],
    );
    assert.deepEqual(
      hits.map((h) => h.headers.range ?? null),
      asked,
    );
    const answered = hits.reduce((n, h) => n + h.bytes, 0);
    assert.ok(answered > BIG.length && answered < BIG.length + 1000, `${answered}`);
    assert.ok(proxy.forwarded(/^\/ranged$/) >= answered, 'forwarded() sums the matching hits');
  });

  it('link: falls silent after stallAfter bytes and keeps the connection open', async () => {
    proxy.set({ path: /^\/big$/, fault: { kind: 'link', stallAfter: 10_000 } });
    const got: Buffer[] = [];
    const s = net.connect(proxy.port, '127.0.0.1', () =>
      s.write('GET /big HTTP/1.1\r\nHost: x\r\n\r\n'),
    );
    s.on('data', (d: Buffer) => got.push(d));
    let closed = false;
    s.on('close', () => (closed = true));
    await new Promise((r) => setTimeout(r, 600));
    assert.equal(Buffer.concat(got).length, 10_000);
    assert.equal(closed, false, 'a hung link is not closed');
    const hit = proxy.hits.at(-1)!;
    assert.deepEqual([hit.bytes, hit.closedAt], [10_000, null]);
    s.destroy(); // the client gives up; the proxy sees it
    await until(() => hit.closedAt !== null);
    const t0 = performance.now();
    const hung = await failure(`${proxy.url}/big`, { signal: AbortSignal.timeout(400) });
    assert.match(hung ?? 'succeeded', /TimeoutError/);
    assert.ok(performance.now() - t0 >= 390);
  });
});

describe('fault proxy, tcp mode', () => {
  let echo: net.Server;
  let proxy: FaultProxy;
  before(async () => {
    echo = net.createServer((s) => {
      s.on('error', () => undefined); // cut() resets it
      s.pipe(s);
    });
    await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
    const { port } = echo.address() as net.AddressInfo;
    proxy = await startFaultProxy({ target: { host: '127.0.0.1', port }, mode: 'tcp' });
  });
  after(async () => {
    await proxy.close();
    await new Promise((r) => echo.close(r));
  });

  const connect = () =>
    new Promise<net.Socket>((resolve, reject) => {
      const s = net.connect(proxy.port, '127.0.0.1', () => resolve(s));
      s.once('error', reject);
    });
  const echoOnce = (s: net.Socket, text: string) =>
    new Promise<string>((resolve) => {
      s.once('data', (d: Buffer) => resolve(d.toString()));
      s.write(text);
    });

  it('relays a connection, and cut() resets the open ones', async () => {
    proxy.clear();
    const s = await connect();
    assert.equal(await echoOnce(s, 'ping'), 'ping');
    const closed = new Promise<string>((resolve) => {
      s.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
      s.on('close', () => resolve('closed'));
    });
    proxy.cut();
    assert.equal(await closed, 'ECONNRESET');
  });

  it('resets new connections while a reset rule is set', async () => {
    proxy.set({ fault: { kind: 'reset' } });
    const s = await connect().catch((e: NodeJS.ErrnoException) => String(e.code));
    if (typeof s === 'string') assert.equal(s, 'ECONNRESET');
    else {
      const end = await new Promise<string>((resolve) => {
        s.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
        s.on('close', () => resolve('closed'));
        s.write('x');
      });
      assert.match(end, /ECONNRESET|closed|EPIPE/);
    }
    proxy.clear();
    const ok = await connect();
    assert.equal(await echoOnce(ok, 'again'), 'again');
    ok.destroy();
  });
});
