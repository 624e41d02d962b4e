/**
 * A node:http front for a central in the resume tests (issue 19 §2): it passes every call
 * through, and serves `data.gz` itself from the upstream's file, as a central with ranges will
 * (`Accept-Ranges`, 206 + `Content-Range`, 416, `If-Range` with the strong ETag) or, with
 * `ranges = false`, as DHIS2 does (always the whole 200). It breaks a download off after a chosen
 * byte of the file and counts the file's bytes it sent, so a test sees what was fetched again.
 */
import http from 'node:http';

export interface DataRequest {
  path: string;
  range: string | null;
  ifRange: string | null;
  status: number;
  /** File bytes written in the answer (up to the break). */
  sent: number;
}

export interface RangedFront {
  url: string;
  /** false: Range and If-Range are ignored, the whole file is sent with 200 (a DHIS2 central). */
  ranges: boolean;
  /** The ETag sent with `data.gz` instead of the upstream's (a file that changed). */
  etag: string | null;
  /** For each coming `data.gz` answer in turn: break it off at this byte of the file. */
  cuts: number[];
  /**
   * For each coming `data.gz` answer in turn: serve these bytes as the file (a central whose file
   * changed under the same ETag); afterwards the upstream's file again.
   */
  bodies: Buffer[];
  /**
   * For each coming `data.gz` request in turn: answer this status without the file (a link that
   * stays down after a break); null serves it.
   */
  statuses: (number | null)[];
  /** The file as this front serves it, when set (else the upstream's). */
  file: ((upstream: Buffer) => Buffer) | null;
  data: DataRequest[];
  /** All file bytes sent for data.gz. */
  sentBytes(): number;
  stop(): Promise<void>;
}

// Range and If-Range are this front's to answer, not the upstream's.
const hop = new Set([
  'connection',
  'transfer-encoding',
  'keep-alive',
  'content-length',
  'range',
  'if-range',
]);

export async function startRangedFront(target: string): Promise<RangedFront> {
  const front: RangedFront = {
    url: '',
    ranges: true,
    etag: null,
    cuts: [],
    bodies: [],
    statuses: [],
    file: null,
    data: [],
    sentBytes: () => front.data.reduce((n, d) => n + d.sent, 0),
    stop: async () => {},
  };

  async function upstream(req: http.IncomingMessage, body: Buffer) {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers))
      if (typeof v === 'string' && !hop.has(k) && k !== 'host') headers[k] = v;
    return fetch(target + req.url, {
      method: req.method ?? 'GET',
      headers,
      redirect: 'manual',
      ...(body.length > 0 ? { body } : {}),
    });
  }

  async function data(req: http.IncomingMessage, res: http.ServerResponse) {
    const up = await upstream(req, Buffer.alloc(0));
    const whole = Buffer.from(await up.arrayBuffer());
    if (up.status !== 200) {
      res.writeHead(up.status, { 'content-type': up.headers.get('content-type') ?? 'text/plain' });
      return res.end(whole);
    }
    const status = front.statuses.shift();
    if (typeof status === 'number') {
      front.data.push({
        path: req.url ?? '',
        range: req.headers.range ?? null,
        ifRange: (req.headers['if-range'] as string | undefined) ?? null,
        status,
        sent: 0,
      });
      res.writeHead(status, { 'content-type': 'text/plain' });
      return res.end('down');
    }
    const file = front.bodies.shift() ?? (front.file ? front.file(whole) : whole);
    const etag = front.etag ?? up.headers.get('etag');
    const range = req.headers.range ?? null;
    const ifRange = (req.headers['if-range'] as string | undefined) ?? null;
    const record: DataRequest = { path: req.url ?? '', range, ifRange, status: 200, sent: 0 };
    front.data.push(record);
    let start = 0;
    const m = front.ranges && range ? /^bytes=(\d+)-$/.exec(range) : null;
    if (m && (ifRange === null || ifRange === etag)) {
      start = Number(m[1]);
      if (start >= file.length) {
        record.status = 416;
        res.writeHead(416, { 'content-range': `bytes */${file.length}` });
        return res.end();
      }
      record.status = 206;
    }
    const head: Record<string, string> = {
      'content-type': 'application/gzip',
      'content-length': String(file.length - start),
      ...(etag ? { etag } : {}),
      ...(front.ranges ? { 'accept-ranges': 'bytes' } : {}),
      ...(record.status === 206
        ? { 'content-range': `bytes ${start}-${file.length - 1}/${file.length}` }
        : {}),
    };
    res.writeHead(record.status, head);
    const cut = front.cuts.shift();
    if (cut === undefined) {
      record.sent = file.length - start;
      return res.end(file.subarray(start));
    }
    const part = file.subarray(start, Math.max(start, cut));
    record.sent = part.length;
    // Written and flushed, then the connection is reset: the client has every byte before it.
    await new Promise<void>((resolve) =>
      part.length ? res.write(part, () => resolve()) : resolve(),
    );
    await new Promise((r) => setTimeout(r, 30));
    res.socket?.destroy();
  }

  const server = http.createServer((req, res) => {
    void (async () => {
      if (/\/api\/metadata\/version\/[^/]+\/data\.gz$/.test((req.url ?? '').split('?')[0]!))
        return data(req, res);
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const up = await upstream(req, Buffer.concat(chunks));
      const headers: Record<string, string> = {};
      up.headers.forEach((v, k) => {
        if (!hop.has(k) && k !== 'content-encoding') headers[k] = v;
      });
      const body = Buffer.from(await up.arrayBuffer());
      headers['content-length'] = String(body.length);
      res.writeHead(up.status, headers);
      res.end(body);
    })().catch((e: unknown) => {
      if (!res.headersSent) res.writeHead(502);
      res.end(String(e));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  front.url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  front.stop = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return front;
}
