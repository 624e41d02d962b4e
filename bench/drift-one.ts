/**
 * One drift benchmark (issue 23 §2): a central child process with N generated objects in one
 * version, a local that syncs it, then edits on the local (1 % of the data elements renamed, 500
 * data elements created, the deepest org units deleted up to 200), then the check in a process
 * of its own (bench/drift-check-child.ts: what `metasync drift` does). The floor is the check's
 * three counts over two keyed tables of N hashes on native PostgreSQL (bench/floors.ts).
 * Usage: node --import tsx bench/drift-one.ts <pglite|postgres> <objects>
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { generateUid } from '../src/domain/uid.ts';
import { createTestDatabase, type Backend } from '../test/support/databases.ts';
import { startServer } from '../test/support/server.ts';
import { spawnCentral } from './central-child.ts';
import { driftFloor } from './floors.ts';
import { generateMetadata } from './generate.ts';

const [backend, count] = process.argv.slice(2) as [Backend, string];
const n = Number(count);
const exec = promisify(execFile);
const { child: central, central: remote } = await spawnCentral<{ url: string; password: string }>(
  'central-one.ts',
  [`objects:${n}`],
);

const database = await createTestDatabase(backend);
const local = await startServer(database);
const post = async (p: string, body?: unknown) => {
  const res = await local.request(p, {
    method: 'POST',
    ...(body !== undefined
      ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }
      : {}),
  });
  const json = (await res.json()) as { status?: string; error?: unknown };
  if (!res.ok && res.status !== 409) throw new Error(`${p}: ${res.status} ${JSON.stringify(json)}`);
  return json;
};
await post('/api/systemSettings', {
  keyRemoteInstanceUrl: remote.url,
  keyRemoteInstanceUsername: 'admin',
  keyRemoteInstancePassword: remote.password,
});
const s0 = performance.now();
const run = await post('/api/metadata/sync/run?wait=true');
if (run.status !== 'SUCCESS') throw new Error(`sync failed: ${JSON.stringify(run.error)}`);
const syncSeconds = (performance.now() - s0) / 1000;
central.kill('SIGTERM');

// The local edits: the same generated objects (same seed) as the central's version.
const body = generateMetadata(n);
const elements = body.dataElements!;
const renamed = elements
  .slice(0, Math.max(1, Math.floor(elements.length / 100)))
  .map((o) => ({ ...o, name: `${String(o.name)} (edited here)` }));
await post('/api/metadata', { dataElements: renamed });
let seed = 7;
const uid = () => generateUid((k) => (seed = (seed * 48271) % 2147483647) % k);
await post('/api/metadata', {
  dataElements: Array.from({ length: 500 }, (_, i) => ({
    id: uid(),
    name: `Local element ${i}`,
    shortName: `Local element ${i}`,
    valueType: 'NUMBER',
    aggregationType: 'SUM',
    domainType: 'AGGREGATE',
  })),
});
const units = body.organisationUnits!;
const leaves = units.slice(-200).map((o) => ({ id: o.id }));
await post('/api/metadata?importStrategy=DELETE&atomicMode=NONE', { organisationUnits: leaves });
await local.stop();

const where =
  'dataDir' in database.location
    ? ['--data-dir', database.location.dataDir]
    : ['--database-url', database.location.databaseUrl];
const { stdout } = await exec(
  process.execPath,
  ['--import', 'tsx', path.join(import.meta.dirname, 'drift-check-child.ts'), ...where],
  { env: { ...process.env, METASYNC_LOG_LEVEL: 'warn' }, maxBuffer: 16 * 1024 * 1024 },
);
const check = JSON.parse(stdout.trim().split('\n').pop()!) as {
  seconds: number;
  rssMb: number;
  counts: { changed: number; created: number; deleted: number };
  listed: number;
  paths: number;
  startMb: number;
  countSeconds: number;
  countMb: number;
};
await database.dispose();
const floor = await driftFloor(n);
console.log(
  JSON.stringify({
    backend,
    objects: n,
    seconds: check.seconds,
    rssMb: check.rssMb,
    floorSeconds: floor.seconds,
    counts: check.counts,
    listed: check.listed,
    startMb: check.startMb,
    countSeconds: check.countSeconds,
    countMb: check.countMb,
    paths: check.paths,
    syncSeconds,
  }),
);
