/**
 * A minimal central for the snapshot fuzz suite (issue 10 §5): it serves, for each version, the
 * exact bytes a test hands it — arbitrary, bit-flipped, truncated, valid gzip of invalid JSON —
 * with the hashCode the test chooses, so that the local's hash check can be made to pass and the
 * parser and importer behind it are really exercised. Answers the DHIS2 calls a local makes:
 * ping, history (with and without baseline), version by name, `data.gz` (or `data` when a
 * version is served uncompressed).
 */
import http from 'node:http';

export interface ServedVersion {
  name: string;
  type: 'ATOMIC' | 'BEST_EFFORT';
  hashCode: string;
  /** The body of `data.gz` (or of `data` when `gzip` is false). */
  body: Buffer;
  /** false: `data.gz` answers 404 and `data` serves the body as JSON. */
  gzip: boolean;
}

export interface FuzzCentral {
  url: string;
  /** Adds a version, or replaces one of the same name (its bytes and hashCode). */
  put(v: ServedVersion): void;
  stop(): Promise<void>;
}

export async function startFuzzCentral(): Promise<FuzzCentral> {
  const versions: (ServedVersion & { created: string })[] = [];
  const entity = (v: ServedVersion & { created: string }) => ({
    name: v.name,
    type: v.type,
    created: v.created,
    id: `fuzzV${String(versions.indexOf(v)).padStart(6, '0')}`,
    hashCode: v.hashCode,
  });
  const json = (res: http.ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json;charset=UTF-8' });
    res.end(JSON.stringify(body));
  };
  const notFound = (res: http.ServerResponse) =>
    json(res, 404, { httpStatusCode: 404, status: 'ERROR', message: 'Not found' });

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const path = url.pathname;
    if (path === '/api/system/ping') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      return res.end('pong');
    }
    if (path === '/api/metadata/version/history') {
      const baseline = url.searchParams.get('baseline');
      const from = baseline ? versions.findIndex((v) => v.name === baseline) : -1;
      if (baseline && from < 0) return notFound(res);
      return json(res, 200, {
        metadataversions: versions
          .slice(from + 1)
          .map(entity)
          .reverse(),
      });
    }
    if (path === '/api/metadata/version') {
      const v = versions.find((x) => x.name === url.searchParams.get('versionName'));
      return v ? json(res, 200, entity(v)) : notFound(res);
    }
    const m = /^\/api\/metadata\/version\/([^/]+)\/(data|data\.gz)$/.exec(path);
    const v = m && versions.find((x) => x.name === decodeURIComponent(m[1]!));
    if (!m || !v || v.gzip !== (m[2] === 'data.gz')) return notFound(res);
    res.writeHead(200, {
      'content-type': v.gzip ? 'application/gzip' : 'application/json',
      'content-length': String(v.body.length),
    });
    res.end(v.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    put(v) {
      const at = versions.findIndex((x) => x.name === v.name);
      const created = new Date(Date.UTC(2026, 0, 1) + versions.length * 60_000)
        .toISOString()
        .replace('Z', '');
      if (at >= 0) versions[at] = { ...v, created: versions[at]!.created };
      else versions.push({ ...v, created });
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
