/**
 * `metasync serve` as a real child process, for tests that kill it (kill -9) and start it again
 * on the same data directory or database. Every child is killed when the test file ends.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { TestDatabase } from './databases.ts';
import { basic } from './server.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
export const CHILD_ADMIN_PASSWORD = 'Child-Admin-1!';
const children = new Set<ChildProcess>();

/** SIGKILLs every child still alive (for an `after` hook). */
export function killAllChildren(): void {
  for (const child of children) child.kill('SIGKILL');
}

/** The `serve` arguments that point a child at a test database (a data dir or a URL). */
export const locationArgs = ({ location }: Pick<TestDatabase, 'location'>): string[] =>
  'databaseUrl' in location
    ? ['--database-url', location.databaseUrl]
    : ['--data-dir', location.dataDir];

export interface ChildServer {
  url: string;
  pid: number;
  request(urlPath: string, init?: RequestInit): Promise<Response>;
  /** Every JSON log line written so far (e.g. fastify's "incoming request", to count requests). */
  logs: Record<string, unknown>[];
  /** kill -9: no shutdown hook runs. Resolves once the process is gone. */
  kill(): Promise<void>;
  /** SIGTERM and wait for a clean exit. */
  stop(): Promise<void>;
}

/**
 * Starts `metasync serve` on a random loopback port with `args` (e.g. --data-dir), and `nodeArgs`
 * for node itself (e.g. --cpu-prof, which NODE_OPTIONS does not accept).
 */
export async function startChild(args: string[], nodeArgs: string[] = []): Promise<ChildServer> {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('METASYNC_')),
  );
  const child = spawn(
    process.execPath,
    [...nodeArgs, 'bin/metasync.js', 'serve', '--host', '127.0.0.1', '--port', '0', ...args],
    {
      cwd: ROOT,
      env: { ...env, METASYNC_ADMIN_PASSWORD: CHILD_ADMIN_PASSWORD },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  children.add(child);
  const exited = new Promise<void>((resolve) =>
    child.on('exit', () => {
      children.delete(child);
      resolve();
    }),
  );
  let out = '';
  let err = '';
  let listening = false;
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const logs: Record<string, unknown>[] = [];
  let partial = '';
  child.stdout!.on('data', (d: Buffer) => {
    const lines = (partial + d.toString()).split('\n');
    partial = lines.pop()!;
    for (const line of lines)
      if (line.startsWith('{')) logs.push(JSON.parse(line) as Record<string, unknown>);
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start: ${err}`)), 60_000);
    child.stdout!.on('data', (d: Buffer) => {
      if (listening) return; // keep reading the pipe, but nothing more to find
      out += d.toString();
      for (const line of out.split('\n').slice(0, -1)) {
        if (!line.startsWith('{')) continue;
        const l = JSON.parse(line) as { msg?: string; url?: string };
        if (l.msg === 'metasync listening') {
          listening = true;
          clearTimeout(timer);
          resolve(String(l.url));
        }
      }
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`serve exited before listening: ${err}`));
    });
  });
  const auth = basic('admin', CHILD_ADMIN_PASSWORD);
  return {
    url,
    pid: child.pid!,
    logs,
    request(urlPath, init = {}) {
      const headers = new Headers(init.headers);
      headers.set('authorization', auth);
      return fetch(url + urlPath, { ...init, headers });
    },
    async kill() {
      child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
