/**
 * Serving benchmark: `history` polled by 1,000 distinct simulated locals, and a cached `data.gz`,
 * each against the same bytes served by a bare node:http server in the same process (the floor).
 * Usage: node --import tsx bench/serve-one.ts <pglite|postgres>
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { createTestDatabase, type Backend } from '../test/support/databases.ts';
import { ADMIN_PASSWORD, basic, startServer } from '../test/support/server.ts';
import { generateMetadata } from './generate.ts';

const run = promisify(execFile);
const [backend] = process.argv.slice(2) as [Backend];
const LOCALS = 1000;
const CONNECTIONS = 10;
const DURATION = 8;

const database = await createTestDatabase(backend);
const server = await startServer(database);
const auth = basic('admin', ADMIN_PASSWORD);
const post = (path: string, body?: string) =>
  server.request(path, {
    method: 'POST',
    ...(body ? { body, headers: { 'content-type': 'application/json' } } : {}),
  });
await post('/api/systemSettings', JSON.stringify({ keyVersionEnabled: true }));
await post('/api/metadata/version/create?type=ATOMIC');
// ~375 kB gzipped, as the issue asks: a generated set of about 9,000 objects.
await post('/api/metadata', JSON.stringify(generateMetadata(9000)));
await post('/api/metadata/version/create?type=BEST_EFFORT');
const gz = Buffer.from(
  await (await server.request('/api/metadata/version/Version_2/data.gz')).arrayBuffer(),
);

const floor = http.createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'application/gzip', 'content-length': gz.length });
  res.end(gz);
});
await new Promise<void>((r) => floor.listen(0, '127.0.0.1', r));
const floorUrl = `http://127.0.0.1:${(floor.address() as AddressInfo).port}`;

async function load(url: string, withLocals: boolean) {
  const { stdout } = await run(
    process.execPath,
    [
      '--import',
      'tsx',
      path.join(import.meta.dirname, 'load-one.ts'),
      url,
      withLocals ? 'locals' : 'plain',
      auth,
      String(CONNECTIONS),
      String(DURATION),
    ],
    { maxBuffer: 16 * 1024 * 1024 },
  );
  return JSON.parse(stdout.trim().split('\n').pop()!) as Record<string, number>;
}

const history = await load(`${server.url}/api/metadata/version/history?baseline=Version_1`, true);
const fleet = (await (await server.request('/api/metadata/version/fleet')).json()) as {
  locals: unknown[];
};
const dataGz = await load(`${server.url}/api/metadata/version/Version_2/data.gz`, false);
const staticGz = await load(floorUrl, false);
floor.close();
await server.stop();
await database.dispose();
console.log(
  JSON.stringify({
    backend,
    gzBytes: gz.length,
    history,
    fleetLocals: fleet.locals.length,
    dataGz,
    staticGz,
    connections: CONNECTIONS,
    locals: LOCALS,
    duration: DURATION,
  }),
);
