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
  /** Fields merged into the entity and the history item as served (may break their shape). */
  extra?: Record<string, unknown>;
}

export interface FuzzCentral {
  url: string;
  /** Adds a version, or replaces one of the same name (its bytes and hashCode). */
  put(v: ServedVersion): void;
  /** Withdraws a version (as a reset central would). */
  remove(name: string): void;
  stop(): Promise<void>;
}

export async function startFuzzCentral(): Promise<FuzzCentral> {
  type Stored = ServedVersion & { created: string; id: string };
  const versions: Stored[] = [];
  let added = 0;
  const entity = (v: Stored) => ({
    name: v.name,
    type: v.type,
    created: v.created,
    id: v.id,
    hashCode: v.hashCode,
    ...v.extra,
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
      if (at >= 0) {
        versions[at] = { ...v, created: versions[at]!.created, id: versions[at]!.id };
        return;
      }
      // Later versions are created later; ids are DHIS2-like uids, unique per central.
      const created = new Date(Date.UTC(2026, 0, 1) + added * 60_000)
        .toISOString()
        .replace('Z', '');
      versions.push({ ...v, created, id: `fuzzV${String(added++).padStart(6, '0')}` });
    },
    remove(name) {
      const at = versions.findIndex((x) => x.name === name);
      if (at >= 0) versions.splice(at, 1);
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
