/**
 * "Server at rest" (issue 18 §4, §5): starts `metasync serve` the way a user does (the `npm start`
 * command line of package.json) on a fresh PGlite data directory or a fresh PostgreSQL
 * database, with a config file, waits 25 s, reads VmRSS and VmHWM of the server process from
 * /proc, stops it. Usage: node --import tsx bench/rest-one.ts <pglite|postgres> [fresh|restart]
 * Last stdout line: {"backend","rssMb","hwmMb","seconds"} (plus the smaps_rollup split).
 */
import { execSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { PG_ADMIN_URL, type Backend } from '../test/support/databases.ts';

const [backend, mode = 'fresh'] = process.argv.slice(2) as [Backend, string?];
if (backend !== 'pglite' && backend !== 'postgres')
  throw new Error('usage: rest-one.ts <pglite|postgres> [fresh|restart]');
const SECONDS = Number(process.env.REST_SECONDS ?? 25);
const ROOT = path.resolve(import.meta.dirname, '..');

const dir = await mkdtemp(path.join(os.tmpdir(), 'metasync-rest-'));
const config = path.join(dir, 'metasync.conf');
await writeFile(config, `encryption.password = ${randomBytes(16).toString('hex')}\n`);
let dbName: string | undefined;
let dbArgs: string[];
if (backend === 'pglite') dbArgs = ['--data-dir', path.join(dir, 'data')];
else {
  dbName = `metasync_rest_${process.pid}_${randomBytes(4).toString('hex')}`;
  await adminQuery(`create database ${dbName}`);
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${dbName}`;
  dbArgs = ['--database-url', url.toString()];
}

async function adminQuery(sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: PG_ADMIN_URL });
  await c.connect();
  await c.query(sql);
  await c.end();
}

const env = Object.fromEntries(
  Object.entries(process.env).filter(([k]) => !k.startsWith('METASYNC_')),
);

// `npm start` itself, node's flags included (package.json: "node scripts/build-server.js &&
// node … dist/cli.js serve"): the steps before the last run here, once; the last one is the
// server, started below as its own process so that /proc shows the server alone.
const { scripts } = JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')) as {
  scripts: { start: string };
};
const steps = scripts.start.split(' && ');
for (const step of steps.slice(0, -1)) execSync(step, { cwd: ROOT, stdio: 'inherit' });
const START = steps.at(-1)!.split(' ').slice(1);

interface Served {
  pid: number;
  startSeconds: number;
  stop(): Promise<void>;
}

async function serve(): Promise<Served> {
  const child = spawn(
    process.execPath,
    START.concat(['--host', '127.0.0.1', '--port', '0', '--config', config], dbArgs),
    {
      cwd: ROOT,
      env: { ...env, METASYNC_ADMIN_PASSWORD: 'Rest-Admin-1!' },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const started = Date.now();
  // Waits for "metasync listening". Logging stays at its default level, as a user runs it; at
  // rest nothing more is logged.
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const onData = (d: Buffer) => {
      out += d.toString();
      for (const line of out.split('\n').slice(0, -1)) {
        if (!line.startsWith('{')) continue;
        const l = JSON.parse(line) as { msg?: string; url?: string };
        if (l.msg === 'metasync listening') {
          child.stdout.off('data', onData);
          child.stdout.resume();
          resolve(String(l.url));
          return;
        }
      }
    };
    child.stdout.on('data', onData);
    void exited.then(() => reject(new Error('serve exited before listening')));
  });
  const ping = await fetch(`${url}/api/health/live`);
  if (!ping.ok) throw new Error(`server does not answer: ${ping.status}`);
  return {
    pid: child.pid!,
    startSeconds: (Date.now() - started) / 1000,
    async stop() {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

// `restart`: the first start creates the database and stops; the second, on the existing
// database, is measured (what a site runs every day after its first start).
if (mode === 'restart') await (await serve()).stop();
const started = Date.now();
const server = await serve();
// Start-up is part of the 25 s: the issue measures "25 s after start".
await new Promise((r) => setTimeout(r, Math.max(0, SECONDS * 1000 - (Date.now() - started))));

const kb = (text: string, key: string) =>
  Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN);
const mb = (k: number) => Math.round((k / 1024) * 10) / 10;
const status = await readFile(`/proc/${server.pid}/status`, 'utf8');
const rollup = await readFile(`/proc/${server.pid}/smaps_rollup`, 'utf8').catch(() => '');
await server.stop();
await rm(dir, { recursive: true, force: true });
if (dbName) await adminQuery(`drop database if exists ${dbName} with (force)`);

console.log(
  JSON.stringify({
    backend,
    rssMb: mb(kb(status, 'VmRSS')),
    hwmMb: mb(kb(status, 'VmHWM')),
    seconds: SECONDS,
    mode,
    startSeconds: server.startSeconds,
    anonMb: mb(kb(rollup, 'Anonymous')),
    fileMb: mb(kb(status, 'RssFile')),
    shmemMb: mb(kb(status, 'RssShmem')),
  }),
);
