/**
 * `npm run bench [-- import|versions|sync|push|serve]`: runs each benchmark in its own process on
 * PGlite and PostgreSQL and prints tables with the hardware floors measured in the same run
 * (PostgreSQL COPY for imports and data pushes, json_agg for snapshots, a bare node:http server
 * for serving). `-- load [seconds] [interval] [pglite]` (not part of the default run: minutes
 * long) is the fleet load of issue 10: 1,000 locals polling one central (bench/fleet-one.ts).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { postgresAvailable } from '../test/support/databases.ts';
import type { EndpointStats } from './fleet-driver.ts';
import { printTable } from './table.ts';

const exec = promisify(execFile);
const FIXTURES = path.resolve(import.meta.dirname, '../../shared/research/fixtures');
const fixtures = existsSync(FIXTURES);
const backends = (await postgresAvailable()) ? ['pglite', 'postgres'] : ['pglite'];
const only = process.argv[2];
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

async function child<T>(script: string, args: string[]): Promise<T> {
  process.stderr.write(`running ${script} ${args.join(' ')}…\n`);
  const { stdout } = await exec(
    process.execPath,
    ['--import', 'tsx', path.join(import.meta.dirname, script), ...args],
    {
      env: { ...process.env, METASYNC_TEST_LOG: 'warn' },
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  return JSON.parse(stdout.trim().split('\n').pop()!) as T;
}

if (!only || only === 'import') {
  interface Row {
    backend: string;
    workload: string;
    objects: number;
    status: string;
    stats: { created: number; unchanged?: number };
    seconds: number;
    rssMb: number;
    copySeconds: number;
    written: number;
  }
  const targets: Record<string, string> = {
    orgunits10k: '≤ 5 s',
    users5k: '≤ 5 s',
    reimport10k: '≤ 2 s, 0 written',
    generated100k: '≤ 60 s',
  };
  if (!fixtures) console.log(`(fixtures not found at ${FIXTURES}: fixture workloads skipped)`);
  const rows: Row[] = [];
  for (const workload of [
    ...(fixtures ? ['orgunits10k', 'reimport10k', 'users5k'] : []),
    'generated100k',
  ])
    for (const backend of backends)
      rows.push(await child<Row>('import-one.ts', [backend, workload]));
  printTable(
    'Metadata import: POST /api/metadata over loopback HTTP (target peak RSS ≤ 1 GB)',
    [
      'workload',
      'backend',
      'objects',
      'seconds',
      'obj/s',
      'peak RSS',
      'COPY s',
      '×COPY',
      'status',
      'target',
      'result',
    ],
    rows.map((r) => [
      r.workload,
      r.backend,
      r.objects,
      r.seconds.toFixed(2),
      Math.round(r.objects / r.seconds),
      `${Math.round(r.rssMb)} MB`,
      r.copySeconds.toFixed(2),
      (r.seconds / r.copySeconds).toFixed(1),
      r.status,
      targets[r.workload] ?? '',
      r.workload === 'reimport10k'
        ? `${r.stats.unchanged ?? 0} unchanged, ${r.written} written`
        : `${r.stats.created} created`,
    ]),
  );
}

if (!only || only === 'versions') {
  interface Row {
    backend: string;
    objects: number;
    seconds: number;
    bytes: number;
    gzipBytes: number;
    rssMb: number;
    floorSeconds: number;
  }
  const rows: Row[] = [];
  for (const n of [1_000, 10_000, 100_000])
    for (const backend of backends)
      rows.push(await child<Row>('version-one.ts', [backend, String(n)]));
  printTable(
    'Version creation: POST /api/metadata/version/create (targets: 10k ≤ 2 s, 100k ≤ 15 s, peak RSS ≤ 1 GB)',
    ['objects', 'backend', 'seconds', 'bytes', 'gzip', 'peak RSS', 'json_agg s', '×json_agg'],
    rows.map((r) => [
      r.objects,
      r.backend,
      r.seconds.toFixed(2),
      mb(r.bytes),
      mb(r.gzipBytes),
      `${Math.round(r.rssMb)} MB`,
      r.floorSeconds.toFixed(2),
      (r.seconds / r.floorSeconds).toFixed(1),
    ]),
  );
}

if (!only || only === 'sync') {
  interface Row {
    backend: string;
    workload: string;
    versions: number;
    seconds: number;
    rssMb: number;
    directSeconds: number;
    bytes: number;
  }
  const targets: Record<string, string> = {
    small100: '≤ 30 s',
    nothing: '≤ 1 s',
    big22mb: '≤ 30 s',
    bootstrap200k: '≤ 5 min, ≤ 1 GB',
  };
  const rows: Row[] = [];
  for (const workload of ['small100', 'nothing', 'big22mb', 'bootstrap200k'])
    for (const backend of backends) rows.push(await child<Row>('sync-one.ts', [backend, workload]));
  printTable(
    'Sync runs of a local from a central in another process (loopback HTTP); floor = the same snapshots imported directly',
    [
      'workload',
      'local',
      'versions',
      'snapshot bytes',
      'seconds',
      'peak RSS',
      'direct s',
      '×direct',
      'target',
    ],
    rows.map((r) => [
      r.workload,
      r.backend,
      r.versions,
      mb(r.bytes),
      r.seconds.toFixed(2),
      `${Math.round(r.rssMb)} MB`,
      r.directSeconds ? r.directSeconds.toFixed(2) : '-',
      r.directSeconds ? (r.seconds / r.directSeconds).toFixed(1) : '-',
      targets[r.workload] ?? '',
    ]),
  );
}

if (!only || only === 'push') {
  interface Row {
    backend: string;
    values: number;
    seconds: number;
    rssMb: number;
    copySeconds: number;
  }
  const targets: Record<number, string> = {
    10_000: '',
    100_000: '≤ 15 s, ≤ 1 GB',
    1_000_000: '≤ 3 min, ≤ 1 GB',
  };
  const rows: Row[] = [];
  for (const n of [10_000, 100_000, 1_000_000])
    for (const backend of backends)
      rows.push(await child<Row>('push-one.ts', [backend, String(n)]));
  printTable(
    'Data push (issue 7): a local pushes n data values to a central in another process (one sync run); floor = COPY of the same rows on the central backend',
    ['values', 'local', 'seconds', 'values/s', 'peak RSS', 'COPY s', '×COPY', 'target'],
    rows.map((r) => [
      r.values,
      r.backend,
      r.seconds.toFixed(2),
      Math.round(r.values / r.seconds),
      `${Math.round(r.rssMb)} MB`,
      r.copySeconds.toFixed(2),
      (r.seconds / r.copySeconds).toFixed(1),
      targets[r.values] ?? '',
    ]),
  );
}

if (!only || only === 'serve') {
  type Load = {
    rps: number;
    p50: number;
    p90: number;
    p975: number;
    p99: number;
    non2xx: number;
    errors: number;
  };
  interface Row {
    backend: string;
    gzBytes: number;
    history: Load;
    fleetLocals: number;
    dataGz: Load;
    staticGz: Load;
    connections: number;
    duration: number;
  }
  const rows: Row[] = [];
  for (const backend of backends) rows.push(await child<Row>('serve-one.ts', [backend]));
  const line = (r: Row, what: string, l: Load, floor?: Load) => [
    what,
    r.backend,
    Math.round(l.rps),
    `${l.p50} ms`,
    `${l.p90} ms`,
    `${l.p975} ms`,
    `${l.p99} ms`,
    l.non2xx + l.errors,
    floor ? `${Math.round((100 * l.rps) / floor.rps)} %` : '',
  ];
  printTable(
    `Serving over loopback: ${rows[0]?.connections} connections, ${rows[0]?.duration} s each; history polled by 1,000 distinct locals (target p95 ≤ 50 ms); data.gz of ${mb(rows[0]?.gzBytes ?? 0)}`,
    ['endpoint', 'backend', 'req/s', 'p50', 'p90', 'p97.5', 'p99', 'failed', 'of static'],
    rows.flatMap((r) => [
      line(r, `history (${r.fleetLocals} locals in fleet)`, r.history),
      line(r, 'data.gz (cached)', r.dataGz, r.staticGz),
      line(r, 'same bytes, bare node:http', r.staticGz),
    ]),
  );
}

if (only === 'load') {
  type Stats = EndpointStats;
  interface Row {
    backend: string;
    locals: number;
    users: number;
    interval: number;
    duration: number;
    seconds: number;
    warmupSeconds: number;
    fleetLocals: number;
    peakRssMb: number;
    history: Stats;
    dataGz: Stats;
    samples: string[];
    md5Checks: number;
    gzMb: number;
    lagP99: number;
    nice: string | null;
    server: { requests: number; within50ms: number; p95AtMostMs: number };
  }
  // `-- load [seconds] [interval] [pglite]`: PostgreSQL is the central the issue asks for; PGlite
  // only on request, for comparison.
  const [seconds = '60', interval = '5', withPglite] = process.argv.slice(3);
  const rows: Row[] = [];
  for (const backend of withPglite ? backends : backends.filter((b) => b === 'postgres'))
    rows.push(await child<Row>('fleet-one.ts', [backend, '1000', seconds, interval]));
  const line = (r: Row, what: string, s: Stats, target: string) => [
    what,
    r.backend,
    s.requests,
    (s.requests / r.seconds).toFixed(1),
    `${s.p50} ms`,
    `${s.p95} ms`,
    `${s.p99} ms`,
    `${s.max} ms`,
    s.errors,
    target,
  ];
  printTable(
    `Load: one central (metasync serve), ${rows[0]?.locals} locals with their own system id, user and baseline, each polling history every ${interval} s for ${seconds} s; 10 % also download the data.gz of the next version they are behind on`,
    ['endpoint', 'central', 'requests', 'req/s', 'p50', 'p95', 'p99', 'max', 'errors', 'target'],
    rows.flatMap((r) => [
      line(r, `history (${r.fleetLocals} in fleet)`, r.history, 'p95 ≤ 50 ms, 0 errors'),
      line(
        r,
        `data.gz (${r.gzMb.toFixed(0)} MB, ${r.md5Checks} MD5-checked)`,
        r.dataGz,
        '0 errors',
      ),
    ]),
  );
  for (const r of rows)
    console.log(
      `${r.backend}${r.nice ? ` (BENCH_NICE=${r.nice})` : ''}: central peak RSS ${Math.round(r.peakRssMb)} MB (target ≤ 500 MB); history inside the central (its /metrics): ${(100 * r.server.within50ms).toFixed(1)} % ≤ 50 ms, p95 ≤ ${r.server.p95AtMostMs} ms; warm-up (${r.users} first logins) ${r.warmupSeconds.toFixed(0)} s; generator lag p99 ${r.lagP99} ms${r.samples.length ? `; errors: ${r.samples.join('; ')}` : ''}`,
    );
}
