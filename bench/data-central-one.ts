/**
 * A central for the data push benchmark (issue 7), in its own process so the local's peak RSS
 * is its own. Imports the push metadata, then prints one JSON line {url, password, databaseUrl}
 * and serves until killed. Usage: node --import tsx bench/data-central-one.ts
 */
import { createTestDatabase, postgresAvailable } from '../test/support/databases.ts';
import { ADMIN_PASSWORD, startServer } from '../test/support/server.ts';
import { pushMetadata } from './data-generate.ts';

const database = await createTestDatabase((await postgresAvailable()) ? 'postgres' : 'pglite');
const server = await startServer(database);
const post = async (path: string, body: unknown) => {
  const res = await server.request(path, {
    method: 'POST',
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json' },
  });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
};
await post('/api/systemSettings', { keyVersionEnabled: true });
await post('/api/metadata', pushMetadata());
const location = database.location;
console.log(
  JSON.stringify({
    url: server.url,
    password: ADMIN_PASSWORD,
    databaseUrl: 'databaseUrl' in location ? location.databaseUrl : null,
  }),
);
const stop = () =>
  void server
    .stop()
    .then(() => database.dispose())
    .then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
