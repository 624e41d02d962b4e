/**
 * A central for the sync benchmarks, in its own process (so the local's peak RSS is its own).
 * Usage: node --import tsx bench/central-one.ts <small100|big22mb|bootstrap200k|objects:N>
 * Prints one JSON line {url, password, versions} when ready, then serves until killed.
 */
import { createTestDatabase, postgresAvailable } from '../test/support/databases.ts';
import { ADMIN_PASSWORD, startServer } from '../test/support/server.ts';
import { poster, versionChain } from './central-seed.ts';
import { generateMetadata } from './generate.ts';

const [workload] = process.argv.slice(2) as [string];
const database = await createTestDatabase((await postgresAvailable()) ? 'postgres' : 'pglite');
const server = await startServer(database);
const post = poster(server);
let versions = 0;
if (workload === 'small100')
  versions = await versionChain(post, { objects: 500, versions: 100, changes: 5 });
else {
  await post('/api/systemSettings', { keyVersionEnabled: true });
  const n = workload.startsWith('objects:')
    ? Number(workload.slice('objects:'.length))
    : workload === 'big22mb'
      ? 58_000
      : 200_000;
  await post('/api/metadata', generateMetadata(n));
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
