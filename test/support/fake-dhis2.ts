/**
 * Stand-ins for a central in the sync tests (issue 6 §7, contract §6, §12, §17):
 *
 * - `startFakeDhis2Central`: a plain node:http server answering the way a DHIS2 central does, from
 *   the contract's JSON examples in ../shared/research/fixtures/versioning/: `pong`, history with
 *   `+0000` and offset-less dates, newest first, 200 with an EMPTY body when nothing is newer,
 *   500 for unknown names, and `data.gz` with `Content-Type: application/gzip`. Its `release`
 *   (issue 16 §12) sets `/api/system/info` and the data endpoints (fake-dhis2-release.ts): ≤ 2.41
 *   takes `/api/events`, 2.42+ `/api/tracker`; it records what it was sent.
 * - `startProxy`: a pass-through proxy in front of a real central that can tamper with what it
 *   forwards (a flipped byte in `data.gz`, a rewritten `parentHashCode` in `history`).
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { basic } from './server.ts';
import {
  createDataReceivers,
  notFoundPage,
  systemInfo,
  type Received,
} from './fake-dhis2-release.ts';

export type { Received };

type Json = Record<string, unknown>;

export const FIXTURES = path.resolve(
  import.meta.dirname,
  '../../../shared/research/fixtures/versioning',
);
export const fixturesAvailable = (): boolean =>
  existsSync(path.join(FIXTURES, 'metadata_version_history.json'));
export const fixture = <T = Json>(name: string): T =>
  JSON.parse(readFileSync(path.join(FIXTURES, name), 'utf8')) as T;

const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');

async function listen(server: http.Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

const close = (server: http.Server) =>
  new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });

export interface FakeVersion {
  /** The entity `GET /api/metadata/version?versionName=` answers (hashCode is set here). */
  entity: Json;
  /** The snapshot object; served as compact JSON, gzipped. */
  snapshot: Json;
}

export interface FakeCentral {
  url: string;
  /** Every request as `METHOD path?query`, in order. */
  requests: string[];
  /** Makes more versions visible (by name, already given to the constructor). */
  publish(...names: string[]): void;
  /** The MD5 of what `data.gz` of `name` inflates to. */
  hashOf(name: string): string;
  /** The data POSTs it took (path, query, parsed body), in order. */
  received: Received[];
  /** The events it holds by uid (`deleted: true` once deleted). */
  events: Map<string, Json>;
  stop(): Promise<void>;
}

/** The release and oddities of a fake central (issue 16 §4, §11, §12). */
export interface FakeCentralShape {
  /** `/api/system/info` `version`, which also picks the data endpoints; default `2.41.0`. */
  release?: string;
  /** false: no `/api/system/info` (404), as an old or odd central. */
  systemInfo?: boolean;
  /** false: no event endpoint at all (neither `/api/events` nor `/api/tracker`). */
  events?: boolean;
  /** The first n pings answer 503. */
  pingFailures?: number;
  /** Every request is answered `302 Location: <redirectTo>` (an http→https proxy). */
  redirectTo?: string;
}

const releaseLine = (release: string) => Number(/^2\.(\d+)/.exec(release)?.[1] ?? 41);

/**
 * A DHIS2 central with `versions` (oldest first). `firstHistory` is what `history` without a
 * baseline answers (the fixture, hashCodes rewritten); with a baseline, the published versions
 * created after it, newest first, dates without an offset, the last one with an `importdate`.
 */
export async function startFakeDhis2Central(
  opts: {
    username: string;
    password: string;
    versions: FakeVersion[];
    published: string[];
    firstHistory: { metadataversions: Json[] };
  } & FakeCentralShape,
): Promise<FakeCentral> {
  const release = opts.release ?? '2.41.0';
  const receivers = createDataReceivers({
    line: releaseLine(release),
    events: opts.events !== false,
  });
  let pingFailures = opts.pingFailures ?? 0;
  const byName = new Map<string, { entity: Json; gz: Buffer; created: number }>();
  for (const v of opts.versions) {
    const bytes = Buffer.from(JSON.stringify(v.snapshot), 'utf8');
    const entity: Json = { ...v.entity, hashCode: md5(bytes) };
    const created = Date.parse(String(entity.created).replace(/\+0000$/, 'Z'));
    byName.set(String(entity.name), { entity, gz: gzipSync(bytes), created });
  }
  const published = new Set(opts.published);
  const hashOf = (name: string) => String(byName.get(name)!.entity.hashCode);
  const requests: string[] = [];
  const auth = basic(opts.username, opts.password);

  const error500 = (res: http.ServerResponse, message: string) => {
    res.writeHead(500, { 'content-type': 'application/json;charset=UTF-8' });
    res.end(
      JSON.stringify({
        httpStatus: 'Internal Server Error',
        httpStatusCode: 500,
        status: 'ERROR',
        message,
      }),
    );
  };
  const json = (res: http.ServerResponse, body: unknown) => {
    res.writeHead(200, { 'content-type': 'application/json;charset=UTF-8' });
    res.end(JSON.stringify(body));
  };
  const listItem = (e: Json, withImportDate: boolean): Json => ({
    name: e.name,
    type: e.type,
    created: String(e.created).replace(/\+0000$/, ''),
    id: e.id,
    ...(withImportDate ? { importdate: '2016-07-01T00:00:00.000' } : {}),
    hashCode: e.hashCode,
  });

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://x');
    requests.push(`${req.method} ${url.pathname}${url.search}`);
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    if (opts.redirectTo) {
      res.writeHead(302, { location: opts.redirectTo });
      return res.end();
    }
    if (req.headers.authorization !== auth) {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="DHIS2"' });
      return res.end();
    }
    const text = Buffer.concat(chunks).toString('utf8');
    if (receivers.handle(req, url, text ? (JSON.parse(text) as unknown) : null, res)) return;
    if (url.pathname === '/api/system/info' && opts.systemInfo !== false)
      return json(res, systemInfo(release));
    if (url.pathname === '/api/system/ping' && pingFailures > 0) {
      pingFailures--;
      res.writeHead(503, { 'content-type': 'text/html' });
      return res.end('<html><body>Service Unavailable</body></html>');
    }
    if (url.pathname === '/api/system/ping') {
      res.writeHead(200, {
        'content-type': 'text/plain;charset=UTF-8',
        'cache-control': 'no-store',
      });
      return res.end('pong');
    }
    if (url.pathname === '/api/metadata/version/history') {
      const baseline = url.searchParams.get('baseline');
      if (!baseline)
        return json(res, {
          metadataversions: [...opts.firstHistory.metadataversions]
            .map((e) => ({ ...e, hashCode: hashOf(String(e.name)) }))
            .reverse(),
        });
      const from = byName.get(baseline);
      if (!from || !published.has(baseline)) {
        const latest = [...published].at(-1);
        return error500(
          res,
          `There is no such metadata version. The latest version is Version ${latest}`,
        );
      }
      const newer = [...byName.values()]
        .filter((v) => published.has(String(v.entity.name)) && v.created > from.created)
        .reverse(); // newest first: DHIS2 has no ORDER BY
      if (newer.length === 0) {
        res.writeHead(200); // DHIS2's controller returns null: 200 with no body at all
        return res.end();
      }
      return json(res, { metadataversions: newer.map((v, i) => listItem(v.entity, i === 0)) });
    }
    if (url.pathname === '/api/metadata/version') {
      const name = url.searchParams.get('versionName') ?? '';
      const v = byName.get(name);
      if (!v || !published.has(name))
        return error500(
          res,
          `No metadata version with name ${name} exists. Please check again later.`,
        );
      return json(res, v.entity);
    }
    const data = /^\/api\/metadata\/version\/([^/]+)\/data\.gz$/.exec(url.pathname);
    if (data) {
      const name = decodeURIComponent(data[1]!);
      const v = byName.get(name);
      if (!v || !published.has(name))
        return error500(res, `No metadata version snapshot found for the given version ${name}`);
      res.writeHead(200, {
        'content-type': 'application/gzip',
        'content-disposition': 'attachment; filename="metadata.json.gz"',
        'content-transfer-encoding': 'binary',
        'cache-control': 'no-cache',
      });
      return res.end(v.gz);
    }
    notFoundPage(res, url.pathname);
  };
  const server = http.createServer((req, res) => {
    handle(req, res).catch((e: unknown) => error500(res, String(e)));
  });
  const url = await listen(server);
  return {
    url,
    requests,
    received: receivers.received,
    events: receivers.events,
    publish: (...names) => names.forEach((n) => published.add(n)),
    hashOf,
    stop: () => close(server),
  };
}

export type ProxyMode = 'pass' | 'flip-byte' | 'parent-hash' | 'history-500';

export interface TamperingProxy {
  url: string;
  mode: ProxyMode;
  /** Paths of the snapshots it tampered with. */
  tampered: string[];
  stop(): Promise<void>;
}

/** A proxy to `target` that, by `mode`, alters `data.gz` bodies or `history` lists, or fails history. */
export async function startProxy(target: string): Promise<TamperingProxy> {
  const proxy: TamperingProxy = { url: '', mode: 'pass', tampered: [], stop: async () => {} };
  const server = http.createServer((req, res) => {
    void (async () => {
      const pathname = (req.url ?? '').split('?')[0]!;
      if (proxy.mode === 'history-500' && pathname.endsWith('/history')) {
        res.writeHead(500, { 'content-type': 'application/json' });
        return res.end('{"httpStatusCode":500,"status":"ERROR","message":"Database is down"}');
      }
      const upstream = await fetch(target + req.url, {
        method: req.method,
        headers: { authorization: req.headers.authorization ?? '', accept: '*/*' },
      });
      let body = Buffer.from(await upstream.arrayBuffer());
      if (proxy.mode === 'flip-byte' && upstream.ok && pathname.endsWith('/data.gz')) {
        // Still valid gzip and valid JSON, one character different: only the MD5 can tell.
        const json = gunzipSync(body).toString('utf8');
        const at = json.indexOf('"name":"') + 8;
        const c = json[at] === 'X' ? 'Y' : 'X';
        body = gzipSync(Buffer.from(json.slice(0, at) + c + json.slice(at + 1), 'utf8'));
        proxy.tampered.push(pathname);
      }
      if (proxy.mode === 'parent-hash' && upstream.ok && pathname.endsWith('/history')) {
        const list = JSON.parse(body.toString('utf8')) as { metadataversions: Json[] };
        for (const v of list.metadataversions) v.parentHashCode = 'f'.repeat(32);
        body = Buffer.from(JSON.stringify(list), 'utf8');
      }
      const headers: Record<string, string> = {};
      for (const k of [
        'content-type',
        'content-disposition',
        'cache-control',
        'www-authenticate',
      ]) {
        const v = upstream.headers.get(k);
        if (v) headers[k] = v;
      }
      headers['content-length'] = String(body.length);
      res.writeHead(upstream.status, headers);
      res.end(body);
    })().catch((e: unknown) => {
      res.writeHead(502);
      res.end(String(e));
    });
  });
  proxy.url = await listen(server);
  proxy.stop = () => close(server);
  return proxy;
}
