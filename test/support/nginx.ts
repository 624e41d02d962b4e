/**
 * A private nginx for the scale-out tests: the committed deploy/nginx.conf rendered with this
 * test's ports and a temp directory, wrapped in a main config whose pid, logs and temp paths all
 * live in that directory, run in the foreground as a child of the test (never the system service)
 * and killed when the test file ends.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { eventually } from './eventually.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const running = new Set<ChildProcess>();

/** The nginx binary (Debian puts it in /usr/sbin), or null when it is not installed. */
export function nginxBinary(): string | null {
  for (const candidate of ['nginx', '/usr/sbin/nginx']) {
    const r = spawnSync(candidate, ['-v'], { stdio: 'ignore' });
    if (r.status === 0) return candidate;
  }
  if (process.env.CI) throw new Error('nginx is required under CI (.ci/run installs it)');
  return null;
}

/** SIGKILLs every nginx still running (for an `after` hook). */
export function killAllNginx(): void {
  for (const child of running) child.kill('SIGKILL');
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

export interface Nginx {
  url: string;
  /** The directory holding the config, pid, logs, temp files and the snapshot cache. */
  prefix: string;
  stop(): Promise<void>;
}

/** Renders deploy/nginx.conf for `upstreams` (host:port each) and starts nginx on it. */
export async function startNginx(binary: string, upstreams: string[]): Promise<Nginx> {
  const prefix = await mkdtemp(path.join(os.tmpdir(), 'metasync-nginx-'));
  const port = await freePort();
  const servers = upstreams.map((u) => `server ${u} max_fails=1 fail_timeout=5s;`).join('\n    ');
  const snippet = (await readFile(path.join(ROOT, 'deploy/nginx.conf'), 'utf8'))
    .replaceAll('@@UPSTREAM_SERVERS@@', servers)
    .replaceAll('@@LISTEN@@', `127.0.0.1:${port}`)
    .replaceAll('@@CACHE_DIR@@', path.join(prefix, 'cache'));
  await writeFile(path.join(prefix, 'metasync.conf'), snippet);
  const main = [
    // As root the workers would run as "nobody" and could not write this temp directory.
    ...(process.getuid?.() === 0 ? ['user root;'] : []),
    'worker_processes 1;',
    `pid ${prefix}/nginx.pid;`,
    `error_log ${prefix}/error.log warn;`,
    'events { worker_connections 1024; }',
    'http {',
    `  access_log ${prefix}/access.log;`,
    ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map(
      (t) => `  ${t}_temp_path ${prefix}/${t};`,
    ),
    `  include ${prefix}/metasync.conf;`,
    '}',
  ].join('\n');
  const conf = path.join(prefix, 'nginx.conf');
  await writeFile(conf, main);
  const child = spawn(binary, ['-p', prefix, '-c', conf, '-e', 'stderr', '-g', 'daemon off;'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  running.add(child);
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  let exited = false;
  const gone = new Promise<void>((resolve) =>
    child.on('exit', () => {
      exited = true;
      running.delete(child);
      resolve();
    }),
  );
  const url = `http://127.0.0.1:${port}`;
  await eventually(
    async () => {
      if (exited) throw new Error(`nginx exited: ${err}`);
      await fetch(`${url}/api/health`);
    },
    15_000,
    50,
  ).catch((e: unknown) => {
    child.kill('SIGKILL');
    throw new Error(`nginx did not start: ${err}`, { cause: e });
  });
  return {
    url,
    prefix,
    async stop() {
      child.kill('SIGTERM');
      await gone;
      await rm(prefix, { recursive: true, force: true });
    },
  };
}
