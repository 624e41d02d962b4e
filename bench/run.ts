/**
 * `npm run bench [-- import|versions|sync|drift|bundle|data-bundle|push|serve|rest]`: runs each benchmark in its own
 * process on PGlite and PostgreSQL and prints tables with seconds, peak RSS (VmHWM of a process
 * that does nothing else), the floor measured in the same run (bench/floors.ts: native
 * PostgreSQL for both backends), the ratio, the target (bench/targets.ts) and PASS/MISS; every
 * section's rows also go to bench/out/<section>.json. `-- load [seconds] [interval] [pglite]`
 * (not part of the default run: minutes long) is the fleet load of issue 10: 1,000 locals
 * polling one central (bench/fleet-one.ts). `-- link [--size 10mb] [--rate 32000] [--reset 1mb]
 * [--attempts 3] [--backend B] [--mode resume,whole]` (not in the default run either) is issue 19 §8: a version over a
 * slow link that breaks, with and without resuming (bench/link-one.ts).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { postgresAvailable, type Backend } from '../test/support/databases.ts';
import type { EndpointStats } from './fleet-driver.ts';
import { printTable } from './table.ts';
import { describe, targetOf, verdict } from './targets.ts';

const exec = promisify(execFile);
const FIXTURES = path.resolve(import.meta.dirname, '../../shared/research/fixtures');
const fixtures = existsSync(FIXTURES);
const backends: Backend[] = (await postgresAvailable()) ? ['pglite', 'postgres'] : ['pglite'];
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

const OUT = path.join(import.meta.dirname, 'out');
/** Keeps a section's rows (with their targets and verdicts) for the closing notes. */
function save(section: string, rows: unknown[]): void {
  mkdirSync(OUT, { recursive: true });
  writeFileSync(
    path.join(OUT, `${section}.json`),
    JSON.stringify({ section, at: new Date().toISOString(), rows }, null, 2) + '\n',
  );
}
const ratio = (x: number, floor: number) => (floor > 0 ? x / floor : undefined);
// Two decimals: the sync target is 1.2×, and 1.16 must not print as 1.2.
const times = (r: number | undefined) => (r === undefined ? '-' : r.toFixed(2));

if (!only || only === 'import') {
  interface Row {
    backend: Backend;
    workload: string;
    objects: number;
    status: string;
    stats: { created: number; unchanged?: number };
    seconds: number;
    rssMb: number;
    floorSeconds: number;
    written: number;
  }
  if (!fixtures) console.log(`(fixtures not found at ${FIXTURES}: fixture workloads skipped)`);
  const rows: Row[] = [];
  for (const workload of [
    ...(fixtures ? ['orgunits10k', 'reimport10k', 'users5k'] : []),
    'generated100k',
  ])
    for (const backend of backends)
      rows.push(await child<Row>('import-one.ts', [backend, workload]));
  const judged = rows.map((r) => {
    const target = targetOf('import', r.workload, r.backend);
    const x = ratio(r.seconds, r.floorSeconds);
    const m = { ratio: x, rssMb: r.rssMb, seconds: r.seconds, written: r.written };
    return { ...r, ratio: x, target, result: verdict(target, m) };
  });
  save('import', judged);
  printTable(
    'Metadata import: POST /api/metadata over loopback HTTP to a server alone in its process; floor = JSON.parse + COPY of the same objects into a fresh keyed table, native PostgreSQL, best of 3',
    [
      'workload',
      'backend',
      'objects',
      'seconds',
      'obj/s',
      'peak RSS',
      'floor s',
      '×floor',
      'status',
      'written',
      'target',
      'result',
    ],
    judged.map((r) => [
      r.workload,
      r.backend,
      r.objects,
      r.seconds.toFixed(2),
      Math.round(r.objects / r.seconds),
      `${Math.round(r.rssMb)} MB`,
      r.floorSeconds.toFixed(2),
      times(r.ratio),
      r.status,
      r.workload === 'reimport10k'
        ? `${r.stats.unchanged ?? 0} unchanged, ${r.written} written`
        : `${r.stats.created} created`,
      describe(r.target),
      r.result,
    ]),
  );
}

if (!only || only === 'versions') {
  interface Row {
    backend: Backend;
    objects: number;
    seconds: number;
    bytes: number;
    gzipBytes: number;
    rssMb: number;
    floorSeconds: number;
    floorBytes: number;
  }
  const rows: (Row & { n: number })[] = [];
  for (const n of [1_000, 10_000, 100_000])
    for (const backend of backends)
      rows.push({ n, ...(await child<Row>('version-one.ts', [backend, String(n)])) });
  const judged = rows.map((r) => {
    const target = targetOf('versions', r.n, r.backend);
    const x = ratio(r.seconds, r.floorSeconds);
    return { ...r, ratio: x, target, result: verdict(target, { ...r, ratio: x }) };
  });
  save('versions', judged);
  printTable(
    'Version creation: POST /api/metadata/version/create, every object changed (peak RSS: VmHWM during the creation, reset after the import it starts from); floor = json_agg + md5 + gzip of the same rows, native PostgreSQL, best of 3',
    [
      'objects',
      'backend',
      'seconds',
      'bytes',
      'gzip',
      'peak RSS',
      'floor s',
      '×floor',
      'target',
      'result',
    ],
    judged.map((r) => [
      r.objects,
      r.backend,
      r.seconds.toFixed(2),
      mb(r.bytes),
      mb(r.gzipBytes),
      `${Math.round(r.rssMb)} MB`,
      r.floorSeconds.toFixed(2),
      times(r.ratio),
      describe(r.target),
      r.result,
    ]),
  );
}

if (!only || only === 'sync') {
  interface Row {
    backend: Backend;
    workload: string;
    versions: number;
    seconds: number;
    rssMb: number;
    directSeconds: number;
    bytes: number;
  }
  const rows: Row[] = [];
  for (const workload of ['small100', 'nothing', 'big22mb', 'bootstrap200k'])
    for (const backend of backends) rows.push(await child<Row>('sync-one.ts', [backend, workload]));
  const judged = rows.map((r) => {
    const target = targetOf('sync', r.workload, r.backend);
    const x = ratio(r.seconds, r.directSeconds);
    return { ...r, ratio: x, target, result: verdict(target, { ...r, ratio: x }) };
  });
  save('sync', judged);
  printTable(
    'Sync runs of a local from a central in another process (loopback HTTP); peak RSS of the local; floor = the same snapshots imported directly',
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
      'result',
    ],
    judged.map((r) => [
      r.workload,
      r.backend,
      r.versions,
      mb(r.bytes),
      r.seconds.toFixed(2),
      `${Math.round(r.rssMb)} MB`,
      r.directSeconds ? r.directSeconds.toFixed(2) : '-',
      times(r.ratio),
      describe(r.target),
      r.result,
    ]),
  );
}

if (!only || only === 'drift') {
  interface Row {
    backend: Backend;
    objects: number;
    seconds: number;
    rssMb: number;
    floorSeconds: number;
    counts: { changed: number; created: number; deleted: number };
    listed: number;
    paths: number;
    syncSeconds: number;
  }
  const rows: Row[] = [];
  for (const objects of ['100000', '200000'])
    for (const backend of backends) rows.push(await child<Row>('drift-one.ts', [backend, objects]));
  const judged = rows.map((r) => {
    const target = targetOf('drift', String(r.objects), r.backend);
    const x = ratio(r.seconds, r.floorSeconds);
    return { ...r, ratio: x, target, result: verdict(target, { ...r, ratio: x }) };
  });
  save('drift', judged);
  printTable(
    'Drift checks on a synced local after local edits (1 % renamed, 500 created, 200 deleted), in a process of their own (issue 23 §2); floor = the three counts over two keyed tables of hashes on native PostgreSQL',
    [
      'objects',
      'local',
      'changed/created/deleted',
      'listed',
      'seconds',
      'peak RSS',
      'floor s',
      '×floor',
      'target',
      'result',
    ],
    judged.map((r) => [
      r.objects,
      r.backend,
      `${r.counts.changed}/${r.counts.created}/${r.counts.deleted}`,
      r.listed,
      r.seconds.toFixed(2),
      `${Math.round(r.rssMb)} MB`,
      r.floorSeconds.toFixed(3),
      times(r.ratio),
      describe(r.target),
      r.result,
    ]),
  );
}

if (!only || only === 'bundle') {
  interface Row {
    backend: Backend;
    workload: string;
    versions: number;
    bundleBytes: number;
    exportSeconds: number;
    verifySeconds: number;
    seconds: number;
    rssMb: number;
    directSeconds: number;
  }
  const rows: Row[] = [];
  for (const workload of ['small100', 'bootstrap200k'])
    for (const backend of backends)
      rows.push(await child<Row>('bundle-one.ts', [backend, workload]));
  const judged = rows.map((r) => {
    const target = targetOf('bundle', r.workload, r.backend);
    const x = ratio(r.seconds, r.directSeconds);
    return { ...r, ratio: x, target, result: verdict(target, { ...r, ratio: x }) };
  });
  save('bundle', judged);
  printTable(
    'Offline bundle import into a fresh local (issue 20): check of the whole file, then the sync run over it; peak RSS of the local; floor = the same snapshots imported directly',
    [
      'workload',
      'local',
      'versions',
      'bundle',
      'export s',
      'check s',
      'import s (all)',
      'peak RSS',
      'direct s',
      '×direct',
      'target',
      'result',
    ],
    judged.map((r) => [
      r.workload,
      r.backend,
      r.versions,
      mb(r.bundleBytes),
      r.exportSeconds.toFixed(2),
      r.verifySeconds.toFixed(2),
      r.seconds.toFixed(2),
      `${Math.round(r.rssMb)} MB`,
      r.directSeconds.toFixed(2),
      times(r.ratio),
      describe(r.target),
      r.result,
    ]),
  );
}

if (!only || only === 'data-bundle') {
  interface Row {
    backend: Backend;
    values: number;
    bundleBytes: number;
    exportSeconds: number;
    importSeconds: number;
    seconds: number;
    rssMb: number;
    copySeconds: number;
  }
  const rows: Row[] = [];
  for (const n of [100_000, 1_000_000])
    for (const backend of backends)
      rows.push(await child<Row>('data-bundle-one.ts', [backend, String(n)]));
  const judged = rows.map((r) => ({ ...r, ratio: ratio(r.seconds, r.copySeconds) }));
  save('data-bundle', judged);
  printTable(
    'Data bundles (issue 20 §5): a local (backend shown) exports n values, a central on PostgreSQL imports them; peak RSS of the local; floor = COPY of the same values on native PostgreSQL',
    ['values', 'local', 'bundle', 'export s', 'import s', 'peak RSS', 'COPY s', '×COPY'],
    judged.map((r) => [
      r.values,
      r.backend,
      mb(r.bundleBytes),
      r.exportSeconds.toFixed(2),
      r.importSeconds.toFixed(2),
      `${Math.round(r.rssMb)} MB`,
      r.copySeconds.toFixed(2),
      times(r.ratio),
    ]),
  );
}

if (!only || only === 'push') {
  interface Row {
    backend: Backend;
    values: number;
    seconds: number;
    rssMb: number;
    copySeconds: number;
  }
  const rows: Row[] = [];
  for (const n of [10_000, 100_000, 1_000_000])
    for (const backend of backends)
      rows.push(await child<Row>('push-one.ts', [backend, String(n)]));
  const judged = rows.map((r) => {
    const target = targetOf('push', r.values, r.backend);
    const x = ratio(r.seconds, r.copySeconds);
    return { ...r, ratio: x, target, result: verdict(target, { ...r, ratio: x }) };
  });
  save('push', judged);
  printTable(
    "Data push (issue 7): a local pushes n data values to a central in another process (one sync run); peak RSS of the local; floor = COPY of the same values into a table keyed on DHIS2's five data-value columns, native PostgreSQL, best of 3",
    ['values', 'local', 'seconds', 'values/s', 'peak RSS', 'floor s', '×floor', 'target', 'result'],
    judged.map((r) => [
      r.values,
      r.backend,
      r.seconds.toFixed(2),
      Math.round(r.values / r.seconds),
      `${Math.round(r.rssMb)} MB`,
      r.copySeconds.toFixed(2),
      times(r.ratio),
      describe(r.target),
      r.result,
    ]),
  );
}

if (!only || only === 'rest') {
  interface Row {
    backend: Backend;
    rssMb: number;
    hwmMb: number;
    seconds: number;
  }
  const rows: Row[] = [];
  if (!existsSync(path.join(import.meta.dirname, 'rest-one.ts')))
    console.log('(bench/rest-one.ts not found: the server-at-rest section is skipped)');
  else for (const backend of backends) rows.push(await child<Row>('rest-one.ts', [backend]));
  const judged = rows.map((r) => {
    const target = targetOf('rest', 'server', r.backend);
    return { ...r, target, result: verdict(target, { rssMb: r.rssMb }) };
  });
  save('rest', judged);
  printTable(
    'Server at rest: `metasync serve` on an empty database, VmRSS 25 s after start (no floor)',
    ['backend', 'seconds', 'VmRSS', 'VmHWM', 'target', 'result'],
    judged.map((r) => [
      r.backend,
      r.seconds,
      `${Math.round(r.rssMb)} MB`,
      `${Math.round(r.hwmMb)} MB`,
      describe(r.target),
      r.result,
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
  save('serve', rows);
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
  save('load', rows);
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

if (only === 'link') {
  // `-- link [--size 10mb] [--rate 32000] [--reset 1mb] [--attempts 3] [--backend pglite]
  // [--mode resume,whole]`:
  // not in the default run (the issue's figures take about 6 minutes per backend).
  const option = (flag: string, fallback: string) => {
    const i = process.argv.indexOf(`--${flag}`);
    return i > 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
  };
  const bytes = (text: string) => {
    const m = /^(\d+(?:\.\d+)?)\s*(kb|mb|k|m|b)?$/i.exec(text.trim());
    if (!m) throw new Error(`not a size: ${text}`);
    const unit = (m[2] ?? 'b').toLowerCase()[0];
    return Math.round(Number(m[1]) * (unit === 'm' ? 1024 * 1024 : unit === 'k' ? 1024 : 1));
  };
  const size = bytes(option('size', '10mb'));
  // 256 kbit/s: 32,000 bytes per second.
  const rate = bytes(option('rate', '32000'));
  const reset = bytes(option('reset', '1mb'));
  const attempts = option('attempts', '3');
  const chosen = option('backend', '');
  const modes = option('mode', 'resume,whole').split(',');
  interface Row {
    backend: Backend;
    mode: 'resume' | 'whole';
    fileBytes: number;
    status: string;
    imported: boolean;
    attempts: number;
    seconds: number;
    floorSeconds: number;
    forwarded: number;
    requests: number;
    resumes: number;
    rssMb: number;
  }
  const rows: Row[] = [];
  for (const backend of chosen ? [chosen as Backend] : backends)
    for (const mode of modes)
      rows.push(
        await child<Row>('link-one.ts', [
          backend,
          mode,
          String(size),
          String(rate),
          String(reset),
          attempts,
        ]),
      );
  save('link', rows);
  printTable(
    `Field link (issue 19 §8): a version's data.gz over a link paced to ${rate} B/s (${((rate * 8) / 1000).toFixed(0)} kbit/s) that resets every ${mb(reset)}; resume = a central with ranges, whole = the same link to a central that ignores ranges (as DHIS2), ${attempts} attempts; floor = size ÷ rate; peak RSS of the process holding central and local`,
    [
      'mode',
      'local',
      'file',
      'result',
      'attempts',
      'seconds',
      'floor s',
      '×floor',
      'forwarded',
      '×file',
      'requests',
      'resumes',
      'peak RSS',
    ],
    rows.map((r) => [
      r.mode,
      r.backend,
      mb(r.fileBytes),
      r.imported ? 'imported' : `${r.status}, not imported`,
      r.attempts,
      r.seconds.toFixed(1),
      r.floorSeconds.toFixed(1),
      times(r.seconds / r.floorSeconds),
      mb(r.forwarded),
      times(r.forwarded / r.fileBytes),
      r.requests,
      r.resumes,
      `${Math.round(r.rssMb)} MB`,
    ]),
  );
}
