/**
 * The load benchmark (issue 10 §2): one central as a `metasync serve` child process (its peak RSS
 * is its own: VmHWM), seeded with 10k generated objects over 20 versions and one sync user per
 * local; 1,000 simulated locals, each with its own system id, user and baseline, poll `history`
 * every `interval` seconds, and 10 % also download the `data.gz` of the versions they are behind
 * on (bench/fleet-driver.ts, in a third process).
 * Usage: node --import tsx bench/fleet-one.ts <pglite|postgres> [locals] [seconds] [interval] [users]
 * (users: distinct sync users, default one per local; local i signs in as user i mod users).
 */
import { execFile } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { startChild } from '../test/support/child-server.ts';
import { createTestDatabase, type Backend } from '../test/support/databases.ts';
import { ADMIN_PASSWORD, basic, startServer } from '../test/support/server.ts';
import { createFleetUsers, fleetUsers, poster, versionChain } from './central-seed.ts';
import type { FleetPlan } from './fleet-driver.ts';

const run = promisify(execFile);
const [backend, localsArg, secondsArg, intervalArg, usersArg] = process.argv.slice(2) as [
  Backend,
  ...string[],
];
const LOCALS = Number(localsArg ?? 1000);
const DURATION = Number(secondsArg ?? 60);
const INTERVAL = Number(intervalArg ?? 5);
const USERS = Number(usersArg ?? LOCALS);
const VERSIONS = 20;
const t0 = performance.now();
const log = (what: string) =>
  process.stderr.write(`  [${((performance.now() - t0) / 1000).toFixed(0)} s] ${what}\n`);

// Seeding in-process (the same composition root), then the server is stopped and the database
// handed to `metasync serve`: PGlite allows one process per data directory.
const database = await createTestDatabase(backend);
const users = await fleetUsers(USERS);
const seeding = await startServer(database);
await versionChain(poster(seeding), { objects: 10_000, versions: VERSIONS, changes: 200 });
await createFleetUsers(seeding, users);
await seeding.stop();
log('seeded');

const central = await startChild(
  'dataDir' in database.location
    ? ['--data-dir', database.location.dataDir]
    : ['--database-url', database.location.databaseUrl],
);
const admin = basic('admin', ADMIN_PASSWORD);
const adminGet = async <T>(p: string) =>
  (await (await fetch(central.url + p, { headers: { authorization: admin } })).json()) as T;
const { metadataversions: versions } = await adminGet<{
  metadataversions: { name: string; hashCode: string }[];
}>('/api/metadata/versions');
const plan: FleetPlan = {
  url: central.url,
  interval: INTERVAL,
  duration: DURATION,
  versions,
  locals: Array.from({ length: LOCALS }, (_, i) => {
    const u = users[i % USERS]!;
    const downloads = i % 10 === 0;
    // Pollers are spread over every version (some current); downloaders are always behind.
    const at = downloads ? (i / 10) % (VERSIONS - 1) : i % VERSIONS;
    return {
      systemId: `local-${i}`,
      name: `Local ${i}`,
      authorization: basic(u.username, u.password),
      baseline: versions[at]!.name,
      downloads,
    };
  }),
};
const planFile = path.join(os.tmpdir(), `metasync-fleet-plan-${process.pid}.json`);
await writeFile(planFile, JSON.stringify(plan));
log(`central pid ${central.pid} on ${backend}; ${LOCALS} locals, ${DURATION} s`);
const { stdout } = await run(
  process.execPath,
  ['--import', 'tsx', path.join(import.meta.dirname, 'fleet-driver.ts'), planFile],
  { maxBuffer: 16 * 1024 * 1024 },
);
const result = JSON.parse(stdout.trim().split('\n').pop()!) as Record<string, unknown>;
// VmHWM: the central's peak resident set since it started (warm-up and run included).
const status = await readFile(`/proc/${central.pid}/status`, 'utf8');
const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(status)?.[1]);
const fleet = await adminGet<{ locals: unknown[] }>('/api/metadata/version/fleet');
await central.stop();
await database.dispose();
await rm(planFile, { force: true });
console.log(
  JSON.stringify({
    backend,
    locals: LOCALS,
    users: USERS,
    duration: DURATION,
    interval: INTERVAL,
    fleetLocals: fleet.locals.length,
    peakRssMb: kb('VmHWM') / 1024,
    rssMb: kb('VmRSS') / 1024,
    ...result,
  }),
);
