/**
 * One data bundle benchmark (issue 20 §5): a local on the given backend holding `n` data values
 * (loaded as bench/push-one.ts loads them) exports its data bundle (`GET
 * /api/metasync/data-bundles`, what `metasync bundle export-data` writes), and a central in
 * another process (bench/data-central-one.ts), with the local's key pinned, imports it (`POST
 * /api/metasync/data-bundles`). Peak RSS is this process's VmHWM (the local's export). The floor,
 * as for the push: `COPY` of the same values on native PostgreSQL, best of 3, same run.
 * Usage: node --import tsx bench/data-bundle-one.ts <pglite|postgres> <n>
 */
import { createTestDatabase, type Backend } from '../test/support/databases.ts';
import { startServer } from '../test/support/server.ts';
import { spawnCentral } from './central-child.ts';
import { copyLines, loadValues, pushMetadata } from './data-generate.ts';
import { pushFloor } from './floors.ts';
import { hwmMb } from './proc.ts';

const [backend, count] = process.argv.slice(2) as [Backend, string];
const n = Number(count);
const { child, central: central } = await spawnCentral<{ url: string; password: string }>(
  'data-central-one.ts',
);
const auth = `Basic ${Buffer.from(`admin:${central.password}`).toString('base64')}`;
const toCentral = async (p: string, init: RequestInit) => {
  const res = await fetch(`${central.url}${p}`, {
    ...init,
    headers: { authorization: auth, ...(init.headers as Record<string, string>) },
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${p}: ${res.status} ${text.slice(0, 500)}`);
  return JSON.parse(text) as Record<string, unknown>;
};

const database = await createTestDatabase(backend);
const local = await startServer(database);
const metadata = await local.request('/api/metadata', {
  method: 'POST',
  body: JSON.stringify(pushMetadata()),
  headers: { 'content-type': 'application/json' },
});
if (!metadata.ok) throw new Error(`metadata: ${metadata.status}`);
const { db } = local.instance.database;
await loadValues(db, n);

const e0 = performance.now();
const res = await local.request('/api/metasync/data-bundles');
const bundle = Buffer.from(await res.arrayBuffer());
if (!res.ok) throw new Error(`export: ${res.status} ${bundle.toString('utf8', 0, 500)}`);
const exportSeconds = (performance.now() - e0) / 1000;
const rssMb = hwmMb();
const { systemId, publicKey } = {
  systemId: local.instance.services.instance.systemId,
  publicKey: (await local.instance.services.signing.publicKey()).publicKeyPem,
};
await local.stop();
await database.dispose();

await toCentral(`/api/metasync/signing-key/locals/${systemId}`, {
  method: 'PUT',
  body: JSON.stringify({ publicKey, reason: 'bench' }),
  headers: { 'content-type': 'application/json' },
});
const i0 = performance.now();
const imported = await toCentral('/api/metasync/data-bundles', {
  method: 'POST',
  body: bundle,
  headers: { 'content-type': 'application/x-tar' },
});
const importSeconds = (performance.now() - i0) / 1000;
const parts = (imported.parts ?? []) as { kind: string; count: number }[];
const values = parts.filter((p) => p.kind === 'dataValues').reduce((s, p) => s + p.count, 0);
if (values !== n) throw new Error(`imported ${values} values, not ${n}`);

const copySeconds = await pushFloor(copyLines(n));
child.kill('SIGTERM');
console.log(
  JSON.stringify({
    backend,
    values: n,
    bundleBytes: bundle.length,
    exportSeconds,
    importSeconds,
    seconds: exportSeconds + importSeconds,
    rssMb,
    copySeconds,
  }),
);
process.exit(0);
