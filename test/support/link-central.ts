/**
 * A node:http central for the central client's link tests (issue 19 §2–§4): a history with a
 * strong ETag and 304 (unless `etags` is off, as DHIS2), and one fixed data.gz with ranges
 * (206, 416, If-Range) that it can break off or fall silent at a chosen byte, or trickle.
 */
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import { gzipSync } from 'node:zlib';

export const TEXT = Buffer.from(JSON.stringify({ filler: randomBytes(1_500_000).toString('hex') }));
export const GZ = gzipSync(TEXT);
export const MD5 = createHash('md5').update(TEXT).digest('hex');
export const ETAG = '"abc.gz"';

export interface Seen {
  path: string;
  range: string | undefined;
  ifNoneMatch: string | undefined;
  status: number;
}

/** A central: history (with an ETag unless `etags` is off) and one data.gz with ranges. */
export async function startLinkCentral() {
  const state = {
    etags: true,
    history: [{ name: 'Version_2', id: 'v2id', hashCode: MD5, type: 'BEST_EFFORT' }],
    /**
     * The next data.gz answers: break off after this byte of the file, or hang there; `then`:
     * the data.gz request that follows the break gets this status (a link that stays down).
     */
    cuts: [] as { at: number; hang?: boolean; then?: number }[],
    /** The status the next data.gz request gets instead of the file, if any. */
    refuse: null as number | null,
    /** Send the file in pieces of this size, this far apart (a slow, steady link). */
    trickle: null as { bytes: number; ms: number } | null,
    seen: [] as Seen[],
  };
  const server = http.createServer((req, res) => {
    void (async () => {
      const seen: Seen = {
        path: req.url ?? '',
        range: req.headers.range,
        ifNoneMatch: req.headers['if-none-match'],
        status: 200,
      };
      state.seen.push(seen);
      if (req.url?.startsWith('/api/metadata/version/history')) {
        const body = JSON.stringify({ metadataversions: state.history });
        const etag = `"${createHash('sha1').update(body).digest('hex')}"`;
        if (state.etags && req.headers['if-none-match'] === etag) {
          seen.status = 304;
          res.writeHead(304, { etag });
          return res.end();
        }
        res.writeHead(200, {
          'content-type': 'application/json',
          ...(state.etags ? { etag } : {}),
        });
        return res.end(body);
      }
      if (state.refuse !== null) {
        seen.status = state.refuse;
        state.refuse = null;
        res.writeHead(seen.status, { 'content-type': 'text/plain' });
        return res.end('down');
      }
      let start = 0;
      const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
      if (m && req.headers['if-range'] === ETAG) {
        start = Number(m[1]);
        if (start >= GZ.length) {
          seen.status = 416;
          res.writeHead(416, { 'content-range': `bytes */${GZ.length}` });
          return res.end();
        }
        seen.status = 206;
      }
      res.writeHead(seen.status, {
        'content-type': 'application/gzip',
        'accept-ranges': 'bytes',
        etag: ETAG,
        'content-length': String(GZ.length - start),
        ...(seen.status === 206
          ? { 'content-range': `bytes ${start}-${GZ.length - 1}/${GZ.length}` }
          : {}),
      });
      const cut = state.cuts.shift();
      const end = cut ? Math.max(start, cut.at) : GZ.length;
      const step = state.trickle?.bytes ?? 64 * 1024;
      for (let at = start; at < end; at += step) {
        await new Promise<void>((r) =>
          res.write(GZ.subarray(at, Math.min(end, at + step)), () => r()),
        );
        if (state.trickle) await new Promise((r) => setTimeout(r, state.trickle!.ms));
      }
      if (!cut) return res.end();
      if (cut.then !== undefined) state.refuse = cut.then;
      if (cut.hang) return; // silent from here on: the client must give up
      await new Promise((r) => setTimeout(r, 30));
      res.socket?.destroy();
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    state,
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export type LinkCentral = Awaited<ReturnType<typeof startLinkCentral>>;
