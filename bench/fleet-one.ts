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
import pg from 'pg';
import { createTestDatabase, PG_ADMIN_URL, type Backend } from '../test/support/databases.ts';
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

// FLEET_CPU_PROF=<dir>: the central writes a V8 CPU profile there when it stops.
const profile = process.env.FLEET_CPU_PROF;
const central = await startChild(
  'dataDir' in database.location
    ? ['--data-dir', database.location.dataDir]
    : ['--database-url', database.location.databaseUrl],
  profile ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(profile)}`] : [],
);
const admin = basic('admin', ADMIN_PASSWORD);

/**
 * BENCH_NICE=-10 (root): the central, its PostgreSQL backends and the generator (which reads the
 * same variable) run at that priority, to tell the server's own latency from the CPU contention
 * of a shared machine. The backends are re-prioritised every second as the pool opens them.
 */
const nice = process.env.BENCH_NICE;
const renice = async () => {
  if (!nice) return;
  os.setPriority(central.pid, Number(nice));
  const name = 'databaseUrl' in database.location ? new URL(database.location.databaseUrl) : null;
  if (!name) return;
  const c = new pg.Client({ connectionString: PG_ADMIN_URL });
  await c.connect();
  const { rows } = await c.query<{ pid: number }>(
    'select pid from pg_stat_activity where datname = $1',
    [name.pathname.slice(1)],
  );
  await c.end();
  for (const { pid } of rows)
    try {
      os.setPriority(pid, Number(nice));
    } catch {
      // the backend has just exited
    }
};
const renicing = setInterval(() => void renice(), 1000);
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
/**
 * The central's own view of `route` from its /metrics histogram (time inside the server, without
 * the network and the generator): cumulative counts per bucket bound, summed over status codes.
 */
async function serverBuckets(route: string): Promise<Map<number, number>> {
  const text = await (
    await fetch(`${central.url}/metrics`, { headers: { authorization: admin } })
  ).text();
  const out = new Map<number, number>();
  for (const line of text.split('\n')) {
    if (!line.startsWith('metasync_http_request_duration_seconds_bucket{')) continue;
    if (!line.includes(`route="${route}"`) || !line.includes('method="GET"')) continue;
    const le = /le="([^"]+)"/.exec(line)![1]!;
    const bound = le === '+Inf' ? Infinity : Number(le);
    out.set(bound, (out.get(bound) ?? 0) + Number(line.split(' ').pop()));
  }
  return out;
}
/** Of the requests between two scrapes: how many, the share served in ≤ 50 ms, the p95 bucket. */
function serverView(before: Map<number, number>, after: Map<number, number>) {
  const bounds = [...after.keys()].sort((a, b) => a - b);
  const delta = (b: number) => (after.get(b) ?? 0) - (before.get(b) ?? 0);
  const total = delta(Infinity);
  return {
    requests: total,
    within50ms: total ? delta(0.05) / total : 0,
    p95AtMostMs: (bounds.find((b) => delta(b) >= 0.95 * total) ?? Infinity) * 1000,
  };
}

const driver = async (phase: 'warmup' | 'run') => {
  const { stdout } = await run(
    process.execPath,
    ['--import', 'tsx', path.join(import.meta.dirname, 'fleet-driver.ts'), planFile, phase],
    { maxBuffer: 16 * 1024 * 1024 },
  );
  return JSON.parse(stdout.trim().split('\n').pop()!) as Record<string, unknown>;
};
log(`central pid ${central.pid} on ${backend}; warm-up: ${USERS} first logins`);
const warmup = await driver('warmup');
const HISTORY = '/api/metadata/version/history';
const before = await serverBuckets(HISTORY);
log(`run: ${LOCALS} locals, ${DURATION} s`);
const result = { ...warmup, ...(await driver('run')) };
const server = serverView(before, await serverBuckets(HISTORY));
// VmHWM: the central's peak resident set since it started (warm-up and run included).
const status = await readFile(`/proc/${central.pid}/status`, 'utf8');
const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(status)?.[1]);
const fleet = await adminGet<{ locals: unknown[] }>('/api/metadata/version/fleet');
clearInterval(renicing);
await central.stop();
await database.dispose();
await rm(planFile, { force: true });
console.log(
  JSON.stringify({
    backend,
    nice: nice ?? null,
    locals: LOCALS,
    users: USERS,
    duration: DURATION,
    interval: INTERVAL,
    fleetLocals: fleet.locals.length,
    peakRssMb: kb('VmHWM') / 1024,
    rssMb: kb('VmRSS') / 1024,
    server,
    ...result,
  }),
);
