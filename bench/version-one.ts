/**
 * One version-creation benchmark in its own process (peak RSS is this workload's alone).
 * Usage: node --import tsx bench/version-one.ts <pglite|postgres> <objects>
 * Imports a generated set (untimed), times POST /api/metadata/version/create over it, and times
 * PostgreSQL's json_agg over the same rows in the same database as the floor.
 */
import { sql } from 'kysely';
import { createTestDatabase, type Backend } from '../test/support/databases.ts';
import { startServer } from '../test/support/server.ts';
import { generateMetadata } from './generate.ts';

const [backend, count] = process.argv.slice(2) as [Backend, string];
const n = Number(count);
const database = await createTestDatabase(backend);
const server = await startServer(database);
const post = (path: string, body?: string) =>
  server.request(path, {
    method: 'POST',
    ...(body ? { body, headers: { 'content-type': 'application/json' } } : {}),
  });

await post('/api/systemSettings', JSON.stringify({ keyVersionEnabled: true }));
const imported = await post('/api/metadata', JSON.stringify(generateMetadata(n)));
if (!imported.ok) throw new Error(`import failed: ${imported.status}`);

const t0 = performance.now();
const res = await post('/api/metadata/version/create?type=BEST_EFFORT');
const seconds = (performance.now() - t0) / 1000;
const version = (await res.json()) as { name: string };
if (!res.ok) throw new Error(`create failed: ${res.status} ${JSON.stringify(version)}`);
const stored = await server.instance.services.versions.byName(version.name);
const rssMb = process.resourceUsage().maxRSS / 1024;

const f0 = performance.now();
const { rows } = await sql<{
  n: number;
}>`select length(json_agg(payload order by type, id)::text) as n from metadata_object`.execute(
  server.instance.database.db,
);
const floorSeconds = (performance.now() - f0) / 1000;

await server.stop();
await database.dispose();
console.log(
  JSON.stringify({
    backend,
    objects: stored!.objects,
    seconds,
    bytes: stored!.bytes,
    gzipBytes: stored!.gzipBytes,
    rssMb,
    floorSeconds,
    floorBytes: Number(rows[0]!.n),
  }),
);
