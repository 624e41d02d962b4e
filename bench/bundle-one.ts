/**
 * One offline bundle benchmark (issue 20): a central child process (bench/central-one.ts) exports
 * its versions as a bundle file; a fresh local in this process, which does nothing else, pins
 * the central's key and imports the file (`services.bundles.import`, what `metasync bundle
 * import` runs): the check of the whole file, then the sync run over it. Its VmHWM is the
 * import's peak RSS. The floor, as for the online sync: the same snapshots imported directly
 * (POST /api/metadata into another fresh database).
 * Usage: node --import tsx bench/bundle-one.ts <pglite|postgres> <small100|bootstrap200k>
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { SUPERUSER } from '../src/domain/auth/users.ts';
import { createTestDatabase, type Backend } from '../test/support/databases.ts';
import { startServer } from '../test/support/server.ts';
import { spawnCentral } from './central-child.ts';
import { hwmMb } from './proc.ts';

const [backend, workload] = process.argv.slice(2) as [Backend, string];
const { child, central: central } = await spawnCentral<{
  url: string;
  password: string;
  versions: number;
}>('central-one.ts', [workload]);
const auth = `Basic ${Buffer.from(`admin:${central.password}`).toString('base64')}`;
const fromCentral = async (p: string) => {
  const res = await fetch(`${central.url}${p}`, { headers: { authorization: auth } });
  if (!res.ok) throw new Error(`${p}: ${res.status}`);
  return Buffer.from(await res.arrayBuffer());
};

const tmp = await mkdtemp(path.join(os.tmpdir(), 'metasync-bench-bundle-'));
const file = path.join(tmp, 'bundle.tar');
const e0 = performance.now();
const bundle = await fromCentral('/api/metasync/bundles');
const exportSeconds = (performance.now() - e0) / 1000;
await writeFile(file, bundle);
const { publicKey } = JSON.parse((await fromCentral('/api/metasync/signing-key')).toString()) as {
  publicKey: string;
};

const database = await createTestDatabase(backend);
const local = await startServer(database);
await local.instance.services.signing.pin(publicKey, { username: 'bench' });
const t0 = performance.now();
const started = await local.instance.services.bundles.import({
  path: file,
  triggeredBy: 'bench',
  actorId: SUPERUSER.userId,
});
const verifySeconds = (performance.now() - t0) / 1000;
const report = await started.done;
const seconds = (performance.now() - t0) / 1000;
const rssMb = hwmMb();
if (report.status !== 'SUCCESS') throw new Error(`import failed: ${JSON.stringify(report.error)}`);
await local.stop();
await database.dispose();

// The floor: the same snapshots imported directly (no file, no hashes, no version records).
const fresh = await createTestDatabase(backend);
const direct = await startServer(fresh);
let directSeconds = 0;
for (let i = 1; i <= central.versions; i++) {
  const snapshot = await fromCentral(`/api/metadata/version/Version_${i}/data`);
  const d0 = performance.now();
  const res = await direct.request('/api/metadata?atomicMode=NONE', {
    method: 'POST',
    body: snapshot,
    headers: { 'content-type': 'application/json' },
  });
  if (!res.ok) throw new Error(`direct import failed: ${res.status}`);
  directSeconds += (performance.now() - d0) / 1000;
}
await direct.stop();
await fresh.dispose();
child.kill('SIGTERM');
await rm(tmp, { recursive: true, force: true });
console.log(
  JSON.stringify({
    backend,
    workload,
    versions: report.versions.length,
    bundleBytes: bundle.length,
    exportSeconds,
    verifySeconds,
    seconds,
    rssMb,
    directSeconds,
  }),
);
