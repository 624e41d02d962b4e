/**
 * One import benchmark. The server runs alone in a child process (bench/server-child.ts), so
 * its VmHWM is the import's peak RSS and not this driver's payload (issue 18 §5).
 * Usage: node --import tsx bench/import-one.ts <pglite|postgres> <workload>
 * Prints one JSON line with the measurements and the floor (bench/floors.ts) of the same payload.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Backend } from '../test/support/databases.ts';
import { importFloor } from './floors.ts';
import { generateMetadata } from './generate.ts';
import { spawnServer } from './spawn-server.ts';

const FIXTURES = path.resolve(import.meta.dirname, '../../shared/research/fixtures');
/** The fixture as one compact JSON text (what is sent, and what the floor parses). */
const fixture = (p: string) =>
  JSON.stringify(JSON.parse(readFileSync(path.join(FIXTURES, p), 'utf8')));

const [backend, workload] = process.argv.slice(2) as [Backend, string];
const server = await spawnServer(backend);

async function importText(
  text: string,
): Promise<{ seconds: number; stats: Record<string, number>; status: string }> {
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

let measured: string;
let result: Awaited<ReturnType<typeof importText>>;
let written = -1;
switch (workload) {
  case 'orgunits10k':
    measured = fixture('platform-perf/orgunits/orgunits_0000.json');
    result = await importText(measured);
    break;
  case 'users5k':
    await importText(fixture('platform-perf/orgunits/orgunits_0000.json'));
    await importText(fixture('platform-perf/usergroups/usergroups.json'));
    measured = fixture('platform-perf/users/users_0000.json');
    result = await importText(measured);
    break;
  case 'reimport10k': {
    measured = fixture('platform-perf/orgunits/orgunits_0000.json');
    await importText(measured);
    const before = await server.changeSeq();
    result = await importText(measured);
    written = (await server.changeSeq()) - before;
    break;
  }
  case 'generated100k':
    measured = JSON.stringify(generateMetadata(100_000));
    result = await importText(measured);
    break;
  default:
    throw new Error(`unknown workload ${workload}`);
}
const rssMb = server.hwmMb();
await server.stop();
const floor = await importFloor(measured);
console.log(
  JSON.stringify({
    backend,
    workload,
    objects: floor.objects,
    status: result.status,
    stats: result.stats,
    seconds: result.seconds,
    rssMb,
    floorSeconds: floor.seconds,
    floor,
    written,
  }),
);
