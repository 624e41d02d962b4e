/**
 * `npm run bench`: runs each benchmark in its own process on PGlite and PostgreSQL and prints a
 * table with throughput, peak RSS and the ratio to the PostgreSQL COPY floor (issue 4).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { postgresAvailable } from '../test/support/databases.ts';

const run = promisify(execFile);
const FIXTURES = path.resolve(import.meta.dirname, '../../shared/research/fixtures');
const fixtures = existsSync(FIXTURES);

interface Row {
  backend: string;
  workload: string;
  objects: number;
  status: string;
  stats: { created: number; updated: number; ignored: number; unchanged?: number };
  seconds: number;
  rssMb: number;
  copySeconds: number;
  written: number;
}

const TARGETS: Record<string, string> = {
  orgunits10k: '≤ 5 s',
  users5k: '≤ 5 s',
  reimport10k: '≤ 2 s, 0 written',
  generated100k: '≤ 60 s',
};

const workloads = [...(fixtures ? ['orgunits10k', 'reimport10k', 'users5k'] : []), 'generated100k'];
if (!fixtures) console.log(`(fixtures not found at ${FIXTURES}: fixture workloads skipped)`);
const backends = (await postgresAvailable()) ? ['pglite', 'postgres'] : ['pglite'];

const rows: Row[] = [];
for (const workload of workloads)
  for (const backend of backends) {
    process.stderr.write(`running ${workload} on ${backend}…\n`);
    const { stdout } = await run(
      process.execPath,
      ['--import', 'tsx', path.join(import.meta.dirname, 'import-one.ts'), backend, workload],
      {
        env: { ...process.env, METASYNC_TEST_LOG: 'warn' },
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    rows.push(JSON.parse(stdout.trim().split('\n').pop()!) as Row);
  }

const pad = (s: string, n: number) => s.padEnd(n);
const lpad = (s: string, n: number) => s.padStart(n);
console.log('\nMetadata import (POST /api/metadata over loopback HTTP; one process per row)\n');
console.log(
  [
    pad('workload', 14),
    pad('backend', 9),
    lpad('objects', 8),
    lpad('seconds', 8),
    lpad('obj/s', 8),
    lpad('peak RSS', 9),
    lpad('COPY s', 7),
    lpad('×COPY', 6),
    pad('  status', 10),
    pad('target', 18),
  ].join(' '),
);
for (const r of rows) {
  const note =
    r.workload === 'reimport10k'
      ? `${r.stats.unchanged ?? 0} unchanged, ${r.written} written`
      : `${r.stats.created} created`;
  console.log(
    [
      pad(r.workload, 14),
      pad(r.backend, 9),
      lpad(String(r.objects), 8),
      lpad(r.seconds.toFixed(2), 8),
      lpad(String(Math.round(r.objects / r.seconds)), 8),
      lpad(`${Math.round(r.rssMb)} MB`, 9),
      lpad(r.copySeconds.toFixed(2), 7),
      lpad((r.seconds / r.copySeconds).toFixed(1), 6),
      pad(`  ${r.status}`, 10),
      pad(TARGETS[r.workload] ?? '', 18),
      note,
    ].join(' '),
  );
}
