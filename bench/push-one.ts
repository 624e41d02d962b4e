/**
 * One data push benchmark (issue 7): a central in another process (bench/data-central-one.ts),
 * a local here on the given backend holding `n` data values, timed over one sync run (whose
 * only work is the push: the central has no versions). Peak RSS is this process's VmHWM (the
 * local's: the values are generated in the database). Floor: `COPY` of the same values into a
 * table keyed on DHIS2's five data-value columns on native PostgreSQL, best of 3, same run.
 * Usage: node --import tsx bench/push-one.ts <pglite|postgres> <n>
 */
import { createTestDatabase, type Backend } from '../test/support/databases.ts';
import { startServer } from '../test/support/server.ts';
import { spawnCentral } from './central-child.ts';
import { copyLines, loadValues, pushMetadata } from './data-generate.ts';
import { pushFloor } from './floors.ts';
import { hwmMb } from './proc.ts';

const [backend, count] = process.argv.slice(2) as [Backend, string];
const n = Number(count);
const { child, central: central } = await spawnCentral<{
  url: string;
  password: string;
  databaseUrl: string | null;
}>('data-central-one.ts');

const database = await createTestDatabase(backend);
const local = await startServer(database);
const post = async (p: string, body?: unknown) => {
  const res = await local.request(p, {
    method: 'POST',
    ...(body !== undefined
      ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }
      : {}),
  });
  if (!res.ok) throw new Error(`${p}: ${res.status} ${await res.text()}`);
  return res;
};
await post('/api/metadata', pushMetadata());
// The values are loaded straight into the table (the benchmark is the push, not data entry).
const { db } = local.instance.database;
await loadValues(db, n);
await post('/api/systemSettings', {
  keyRemoteInstanceUrl: central.url,
  keyRemoteInstanceUsername: 'admin',
  keyRemoteInstancePassword: central.password,
});

const t0 = performance.now();
const report = (await (await post('/api/metadata/sync/run?wait=true')).json()) as {
  status: string;
  steps: { name: string; status: string; message?: string }[];
  error: unknown;
};
const seconds = (performance.now() - t0) / 1000;
const rssMb = hwmMb();
const pushStep = report.steps.find((s) => s.name === 'dataPush');
if (report.status !== 'SUCCESS' || !pushStep?.message?.includes(`data values: ${n}`))
  throw new Error(`push failed: ${JSON.stringify(report)}`);
await local.stop();
await database.dispose();

// The floor: COPY of the same values into a table keyed on DHIS2's five data-value columns, on
// native PostgreSQL (bench/floors.ts).
const copySeconds = await pushFloor(copyLines(n));
child.kill('SIGTERM');
console.log(JSON.stringify({ backend, values: n, seconds, rssMb, copySeconds }));
process.exit(0);
