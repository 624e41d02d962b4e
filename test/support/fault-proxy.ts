/**
 * A fault-injecting TCP proxy (issue 10 §1), written on `node:net` so that every fault is a real
 * socket event the client under test has to survive: a connection that hangs, closes, resets,
 * crawls, breaks off mid-body, a gateway's canned 502/503, or a poor field link (issue 19 §7:
 * throttled, breaking off every N bytes, or falling silent mid-answer).
 *
 * Two modes:
 * - `http`: the proxy reads each request head on the client→server stream and picks the fault by
 *   method and path. To know where requests start without parsing bodies, it forces one request
 *   per connection: the head is forwarded with `Connection: close` (any Connection/Keep-Alive
 *   header dropped), so the server closes after its answer and the client opens a new connection
 *   for its next request. Every byte after the first head on a connection is that request's body.
 * - `tcp`: no parsing (e.g. in front of PostgreSQL); the fault is picked per connection.
 *
 * Rules are tried in order for each request (http) or connection (tcp); the first that matches
 * and has uses left decides; none means pass-through. Rules change at runtime (`set`, `clear`),
 * and `cut()` resets every connection that is open now. Each hit counts the answer bytes the
 * proxy forwarded to the client, so a test can say how much a download cost (`forwarded`).
 */
import net from 'node:net';
import { shapeLink, type LinkShape } from './link-shaper.ts';

export type Fault =
  /** Forward untouched. */
  | { kind: 'pass' }
  /** Accept and read, never answer, never close (a dropped link; the client's timeout decides). */
  | { kind: 'hang' }
  /** Close at once with a FIN, without answering. */
  | { kind: 'close' }
  /** Close at once with a RST. */
  | { kind: 'reset' }
  /** Forward, holding every chunk in both directions `ms` milliseconds. */
  | { kind: 'delay'; ms: number }
  /**
   * Forward the first `bytes` bytes of the answer's body (http: after its head; tcp: of the
   * stream), then close both sides (FIN): an answer broken off mid-stream.
   */
  | { kind: 'truncate'; bytes: number }
  /** http only: answer this status (a gateway's 502/503) without contacting the server. */
  | { kind: 'status'; status: number }
  /**
   * A poor field link (link-shaper.ts): the answer paced to `bytesPerSecond`, reset (RST) after
   * `resetAfter` bytes, or mute after `stallAfter` bytes with the connection left open. Counts
   * are per connection, i.e. per request in http mode: a resumed download gets a fresh budget.
   */
  | ({ kind: 'link' } & LinkShape);

export interface Rule {
  /** http: the request method, e.g. 'POST' (any when absent). */
  method?: string;
  /** http: tested against the request target (path and query). Any when absent. */
  path?: RegExp;
  fault: Fault;
  /** How many matches the rule applies to; every one when absent. */
  times?: number;
  /** Called when the rule fires, before the fault (e.g. to cut a database at this point). */
  onMatch?: (hit: Hit) => void;
}

export interface Hit {
  at: number;
  method: string | null;
  path: string | null;
  /** http: the request's headers, names lower-cased (e.g. `range`, `if-none-match`). */
  headers: Record<string, string>;
  fault: Fault['kind'];
  /** http: the status of the server's answer, once its first line came through the proxy. */
  status: number | null;
  /** Bytes of the answer (head included) forwarded to the client so far. */
  bytes: number;
  /**
   * When the client's side ended (its FIN or RST: it gave up, or read its answer) or the proxy
   * closed the connection; null while it is open.
   */
  closedAt: number | null;
}

export interface FaultProxy {
  /** `http://127.0.0.1:<port>` */
  url: string;
  port: number;
  /** Every request (http) or connection (tcp) seen, with the fault it got. */
  readonly hits: Hit[];
  /** Answer bytes forwarded to clients, for the requests whose target matches `path` (all). */
  forwarded(path?: RegExp): number;
  /** Replaces the rules. */
  set(...rules: Rule[]): void;
  clear(): void;
  /** Resets (RST) every connection open now, both sides; later connections follow the rules. */
  cut(): void;
  close(): Promise<void>;
}

const HEAD_END = Buffer.from('\r\n\r\n');
const MAX_HEAD = 64 * 1024;
const REASONS: Record<number, string> = { 502: 'Bad Gateway', 503: 'Service Unavailable' };

interface RequestHead {
  method: string;
  path: string;
  headers: Record<string, string>;
  /** The head to forward: to close after this one request. */
  rewritten: string;
}

/** The request head parsed and rewritten; null when it is not an HTTP/1.x request. */
function parseHead(head: string): RequestHead | null {
  const lines = head.split('\r\n');
  const m = /^([A-Z]+) (\S+) HTTP\/1\.[01]$/.exec(lines[0] ?? '');
  if (!m) return null;
  const kept = lines.slice(1).filter((l) => !/^(connection|keep-alive)\s*:/i.test(l));
  const headers: Record<string, string> = {};
  for (const line of kept) {
    const colon = line.indexOf(':');
    if (colon > 0)
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return {
    method: m[1]!,
    path: m[2]!,
    headers,
    rewritten: [lines[0], ...kept, 'Connection: close'].join('\r\n') + '\r\n\r\n',
  };
}

function cannedAnswer(status: number): string {
  const body = `${status} ${REASONS[status] ?? 'Fault'} (fault proxy)\n`;
  return (
    `HTTP/1.1 ${status} ${REASONS[status] ?? 'Fault'}\r\n` +
    `Content-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
    `Connection: close\r\n\r\n${body}`
  );
}

export async function startFaultProxy(options: {
  target: { host: string; port: number };
  mode: 'http' | 'tcp';
}): Promise<FaultProxy> {
  const { target, mode } = options;
  let rules: { rule: Rule; left: number }[] = [];
  const hits: Hit[] = [];
  const open = new Set<net.Socket>();

  const track = (s: net.Socket) => {
    open.add(s);
    s.on('close', () => open.delete(s));
    // A reset or a write after the peer left is part of the game, never a crash.
    s.on('error', () => undefined);
  };

  const choose = (method: string | null, path: string | null): Rule | null => {
    for (const r of rules) {
      if (r.left <= 0) continue;
      if (r.rule.method && r.rule.method !== method) continue;
      if (r.rule.path && !(path !== null && r.rule.path.test(path))) continue;
      r.left--;
      return r.rule;
    }
    return null;
  };

  /** Connects to the target and relays `first` then both streams, applying the fault. */
  function relay(client: net.Socket, first: Buffer, fault: Fault, hit: Hit) {
    const upstream = net.connect(target.port, target.host);
    track(upstream);
    const delayMs = fault.kind === 'delay' ? fault.ms : 0;
    const later = (f: () => void) => (delayMs > 0 ? setTimeout(f, delayMs) : f());
    // Timers of equal duration fire in creation order, so delayed chunks keep their order.
    if (first.length > 0) later(() => upstream.write(first));
    client.on('data', (d: Buffer) => later(() => upstream.write(d)));
    client.on('end', () => later(() => upstream.end()));
    // The answer's status, from its first line as it passes (http).
    let statusLine = '';
    const watchStatus = (d: Buffer) => {
      if (mode === 'tcp' || hit.status !== null || statusLine.length >= 16) return;
      statusLine += d.toString('latin1', 0, 16);
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine);
      if (m) hit.status = Number(m[1]);
    };
    upstream.on('error', () => client.resetAndDestroy());
    client.on('error', () => upstream.resetAndDestroy());
    client.on('close', () => upstream.destroy());
    if (fault.kind === 'link') {
      const link = shapeLink(client, upstream, fault, (n) => (hit.bytes += n));
      upstream.on('data', (d: Buffer) => {
        watchStatus(d);
        link.data(d);
      });
      upstream.on('end', () => link.end());
      return;
    }
    let sent = 0;
    // Where the truncation cuts: known at once in tcp mode, once the answer's head is seen in http.
    let limit = mode === 'tcp' && fault.kind === 'truncate' ? fault.bytes : Infinity;
    let head = Buffer.alloc(0);
    upstream.on('data', (d: Buffer) => {
      watchStatus(d);
      if (fault.kind === 'truncate') {
        if (limit === Infinity) {
          head = Buffer.concat([head, d]);
          const end = head.indexOf(HEAD_END);
          if (end >= 0) limit = end + HEAD_END.length + fault.bytes;
        }
        const room = limit - sent;
        if (room <= 0) return;
        sent += d.length;
        if (d.length >= room) {
          hit.bytes += room;
          client.end(d.subarray(0, room));
          upstream.destroy();
          return;
        }
      }
      later(() => {
        hit.bytes += d.length;
        client.write(d);
      });
    });
    // A FIN is passed on as a FIN (after what it follows), a reset as a reset.
    upstream.on('end', () => later(() => client.end()));
  }

  function apply(client: net.Socket, first: Buffer, { fault, hit }: { fault: Fault; hit: Hit }) {
    const closed = () => (hit.closedAt ??= Date.now());
    client.once('end', closed);
    client.once('close', closed);
    switch (fault.kind) {
      case 'hang':
        client.resume(); // read and discard whatever comes
        return;
      case 'close':
        client.end();
        client.destroySoon();
        return;
      case 'reset':
        client.resetAndDestroy();
        return;
      case 'status': {
        const answer = cannedAnswer(fault.status);
        hit.status = fault.status;
        hit.bytes = Buffer.byteLength(answer);
        client.resume();
        client.end(answer);
        return;
      }
      case 'pass':
      case 'delay':
      case 'truncate':
      case 'link':
        relay(client, first, fault, hit);
        return;
    }
  }

  const decide = (head: Omit<RequestHead, 'rewritten'> | null) => {
    const method = head?.method ?? null;
    const path = head?.path ?? null;
    const rule = choose(method, path);
    const fault = rule?.fault ?? { kind: 'pass' as const };
    const hit: Hit = {
      at: Date.now(),
      method,
      path,
      headers: head?.headers ?? {},
      fault: fault.kind,
      status: null,
      bytes: 0,
      closedAt: null,
    };
    hits.push(hit);
    rule?.onMatch?.(hit);
    return { fault, hit };
  };

  const server = net.createServer({ allowHalfOpen: true }, (client) => {
    track(client);
    if (mode === 'tcp') {
      apply(client, Buffer.alloc(0), decide(null));
      return;
    }
    let buffered = Buffer.alloc(0);
    const onData = (d: Buffer) => {
      buffered = Buffer.concat([buffered, d]);
      const end = buffered.indexOf(HEAD_END);
      if (end < 0 && buffered.length < MAX_HEAD) return;
      client.off('data', onData);
      client.pause();
      const parsed = end < 0 ? null : parseHead(buffered.subarray(0, end).toString('latin1'));
      if (!parsed) {
        // Not HTTP/1.x as expected: forward it untouched.
        apply(client, buffered, decide(null));
        return;
      }
      const rest = buffered.subarray(end + HEAD_END.length);
      const first = Buffer.concat([Buffer.from(parsed.rewritten, 'latin1'), rest]);
      apply(client, first, decide(parsed));
      client.resume();
    };
    client.on('data', onData);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    hits,
    forwarded: (path) =>
      hits
        .filter((h) => !path || (h.path !== null && path.test(h.path)))
        .reduce((sum, h) => sum + h.bytes, 0),
    set(...next) {
      rules = next.map((rule) => ({ rule, left: rule.times ?? Infinity }));
    },
    clear() {
      rules = [];
    },
    cut() {
      for (const s of open) s.resetAndDestroy();
    },
    async close() {
      for (const s of open) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
