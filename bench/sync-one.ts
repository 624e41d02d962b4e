/**
 * One sync benchmark: a central child process (bench/central-one.ts) and a local in this
 * process on the given backend, which does nothing else until the run ends: its VmHWM then is
 * the local's peak RSS (issue 18 §5). Times the sync run, then imports the same snapshots
 * directly (POST /api/metadata into a fresh local database) as the floor.
 * Usage: node --import tsx bench/sync-one.ts <pglite|postgres> <small100|nothing|big22mb|bootstrap200k>
 */
import { createTestDatabase, type Backend } from '../test/support/databases.ts';
import { startServer } from '../test/support/server.ts';
import { spawnCentral } from './central-child.ts';
import { hwmMb } from './proc.ts';

const [backend, workload] = process.argv.slice(2) as [Backend, string];
const centralWorkload = workload === 'nothing' ? 'small100' : workload;
const { child, central: central } = await spawnCentral<{
  url: string;
  password: string;
  versions: number;
}>('central-one.ts', [centralWorkload]);

const database = await createTestDatabase(backend);
const local = await startServer(database);
const post = (p: string, body?: unknown) =>
  local.request(p, {
    method: 'POST',
    ...(body !== undefined
      ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }
      : {}),
  });
await post('/api/systemSettings', {
  keyRemoteInstanceUrl: central.url,
  keyRemoteInstanceUsername: 'admin',
  keyRemoteInstancePassword: central.password,
});
if (workload === 'nothing') await post('/api/metadata/sync/run?wait=true');

const t0 = performance.now();
const report = (await (await post('/api/metadata/sync/run?wait=true')).json()) as {
  status: string;
  versions: unknown[];
  error: unknown;
};
const seconds = (performance.now() - t0) / 1000;
const rssMb = hwmMb();
if (report.status !== 'SUCCESS') throw new Error(`sync failed: ${JSON.stringify(report.error)}`);

// The floor: the same snapshots imported directly (no HTTP download, hash, version records).
const snapshots: Buffer[] = [];
const names =
  workload === 'nothing'
    ? []
    : Array.from({ length: central.versions }, (_, i) => `Version_${i + 1}`);
const auth = `Basic ${Buffer.from(`admin:${central.password}`).toString('base64')}`;
for (const n of names)
  snapshots.push(
    Buffer.from(
      await (
        await fetch(`${central.url}/api/metadata/version/${n}/data`, {
          headers: { authorization: auth },
        })
      ).arrayBuffer(),
    ),
  );
await local.stop();
await database.dispose();
let directSeconds = 0;
if (snapshots.length > 0) {
  const fresh = await createTestDatabase(backend);
  const direct = await startServer(fresh);
  const d0 = performance.now();
  for (const s of snapshots) {
    const res = await direct.request('/api/metadata?atomicMode=NONE', {
      method: 'POST',
      body: s,
      headers: { 'content-type': 'application/json' },
    });
    if (!res.ok) throw new Error(`direct import failed: ${res.status}`);
  }
  directSeconds = (performance.now() - d0) / 1000;
  await direct.stop();
  await fresh.dispose();
}
child.kill('SIGTERM');
const bytes = snapshots.reduce((s, b) => s + b.length, 0);
console.log(
  JSON.stringify({
    backend,
    workload,
    versions: report.versions.length,
    seconds,
    rssMb,
    directSeconds,
    bytes,
  }),
);
