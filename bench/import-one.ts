/**
 * One import benchmark in its own process, so peak RSS belongs to that workload alone.
 * Usage: node --import tsx bench/import-one.ts <pglite|postgres> <workload>
 * Prints one JSON line with the measurements.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { createTestDatabase, type Backend } from '../test/support/databases.ts';
import { startServer } from '../test/support/server.ts';
import { copyFloorPGlite, copyFloorPostgres, copyRows } from './copy-floor.ts';
import { generateMetadata } from './generate.ts';

const FIXTURES = path.resolve(import.meta.dirname, '../../shared/research/fixtures');
const fixture = (p: string) =>
  JSON.parse(readFileSync(path.join(FIXTURES, p), 'utf8')) as Record<
    string,
    Record<string, unknown>[]
  >;

const [backend, workload] = process.argv.slice(2) as [Backend, string];
const database = await createTestDatabase(backend);
const server = await startServer(database);

async function importBody(
  body: unknown,
): Promise<{ seconds: number; stats: Record<string, number>; status: string }> {
  const text = JSON.stringify(body);
  const t0 = performance.now();
  const res = await server.request('/api/metadata', {
    method: 'POST',
    body: text,
    headers: { 'content-type': 'application/json' },
  });
  const json = (await res.json()) as {
    response?: { status: string; stats: Record<string, number> };
    message?: string;
  };
  const seconds = (performance.now() - t0) / 1000;
  if (!json.response) throw new Error(`import failed: ${res.status} ${json.message}`);
  return { seconds, stats: json.response.stats, status: json.response.status };
}

let measured: Record<string, Record<string, unknown>[]>;
let result: Awaited<ReturnType<typeof importBody>>;
let written = -1;
const store = server.instance.services.metadata;
switch (workload) {
  case 'orgunits10k':
    measured = fixture('platform-perf/orgunits/orgunits_0000.json');
    result = await importBody(measured);
    break;
  case 'users5k':
    await importBody(fixture('platform-perf/orgunits/orgunits_0000.json'));
    await importBody(fixture('platform-perf/usergroups/usergroups.json'));
    measured = fixture('platform-perf/users/users_0000.json');
    result = await importBody(measured);
    break;
  case 'reimport10k': {
    measured = fixture('platform-perf/orgunits/orgunits_0000.json');
    await importBody(measured);
    const before = await store.changeSeq();
    result = await importBody(measured);
    written = (await store.changeSeq()) - before;
    break;
  }
  case 'generated100k':
    measured = generateMetadata(100_000);
    result = await importBody(measured);
    break;
  default:
    throw new Error(`unknown workload ${workload}`);
}
const rssMb = process.resourceUsage().maxRSS / 1024;
const lines = copyRows(measured);
let copySeconds: number;
if (backend === 'postgres')
  copySeconds = await copyFloorPostgres(
    (database.location as { databaseUrl: string }).databaseUrl,
    lines,
  );
else {
  const floor = await PGlite.create();
  copySeconds = await copyFloorPGlite(floor, lines);
  await floor.close();
}
await server.stop();
await database.dispose();
const objects = lines.length;
console.log(
  JSON.stringify({
    backend,
    workload,
    objects,
    status: result.status,
    stats: result.stats,
    seconds: result.seconds,
    rssMb,
    copySeconds,
    written,
  }),
);
