/**
 * One version-creation benchmark in its own process. Imports a generated set (untimed), resets
 * the peak RSS, times POST /api/metadata/version/create over it (every object changed), then
 * measures the floor (bench/floors.ts: json_agg + md5 + gzip of the same rows on native
 * PostgreSQL, best of 3).
 * Usage: node --import tsx bench/version-one.ts <pglite|postgres> <objects>
 */
import { sql } from 'kysely';
import { createTestDatabase, type Backend } from '../test/support/databases.ts';
import { startServer } from '../test/support/server.ts';
import { objectRow, versionFloor } from './floors.ts';
import { generateMetadata } from './generate.ts';
import { hwmMb, resetHwm } from './proc.ts';

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

// The peak from here on is the version's, not the import's (nothing else runs in this process).
resetHwm();
const t0 = performance.now();
const res = await post('/api/metadata/version/create?type=BEST_EFFORT');
const seconds = (performance.now() - t0) / 1000;
const rssMb = hwmMb();
const version = (await res.json()) as { name: string };
if (!res.ok) throw new Error(`create failed: ${res.status} ${JSON.stringify(version)}`);
const stored = await server.instance.services.versions.byName(version.name);
// The floor aggregates the very rows the version was cut from, as stored (payload text).
const { rows } = await sql<{
  type: string;
  id: string;
  code: string | null;
  scope: string;
  name: string | null;
  payload: string;
}>`select type, id, code, scope, name, payload::text as payload from metadata_object`.execute(
  server.instance.database.db,
);
const lines = rows.map((r) =>
  objectRow(r.type, r.id, r.code && r.scope ? `${r.scope}/${r.code}` : r.code, r.name, r.payload),
);
rows.length = 0;
await server.stop();
await database.dispose();

const floor = await versionFloor(lines);
console.log(
  JSON.stringify({
    backend,
    objects: stored!.objects,
    seconds,
    bytes: stored!.bytes,
    gzipBytes: stored!.gzipBytes,
    rssMb,
    floorSeconds: floor.seconds,
    floorBytes: floor.bytes,
  }),
);
