/**
 * A central for the sync benchmarks, in its own process (so the local's peak RSS is its own).
 * Usage: node --import tsx bench/central-one.ts <small100|big22mb|bootstrap200k>
 * Prints one JSON line {url, password, versions} when ready, then serves until killed.
 */
import { createTestDatabase, postgresAvailable } from '../test/support/databases.ts';
import { ADMIN_PASSWORD, startServer } from '../test/support/server.ts';
import { generateMetadata } from './generate.ts';

const [workload] = process.argv.slice(2) as [string];
const database = await createTestDatabase((await postgresAvailable()) ? 'postgres' : 'pglite');
const server = await startServer(database);
const post = async (path: string, body?: unknown) => {
  const res = await server.request(path, {
    method: 'POST',
    ...(body !== undefined
      ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }
      : {}),
  });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return res;
};
await post('/api/systemSettings', { keyVersionEnabled: true });
let versions = 0;
if (workload === 'small100') {
  const base = generateMetadata(500);
  await post('/api/metadata', base);
  await post('/api/metadata/version/create?type=ATOMIC');
  versions++;
  const des = base.dataElements!;
  for (let v = 0; v < 99; v++) {
    const changed = des
      .slice((v * 5) % des.length, ((v * 5) % des.length) + 5)
      .map((d) => ({ ...d, description: `revision ${v}` }));
    await post('/api/metadata', { dataElements: changed });
    await post('/api/metadata/version/create?type=BEST_EFFORT');
    versions++;
  }
} else {
  await post('/api/metadata', generateMetadata(workload === 'big22mb' ? 58_000 : 200_000));
  await post('/api/metadata/version/create?type=ATOMIC');
  versions++;
}
console.log(JSON.stringify({ url: server.url, password: ADMIN_PASSWORD, versions }));
const stop = () =>
  void server
    .stop()
    .then(() => database.dispose())
    .then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
