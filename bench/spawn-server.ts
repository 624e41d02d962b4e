/** Starts bench/server-child.ts and talks to it: HTTP as the admin, its /proc, its stdin. */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { Backend } from '../test/support/databases.ts';
import { basic } from '../test/support/server.ts';
import { hwmMb } from './proc.ts';

export interface SpawnedServer {
  url: string;
  pid: number;
  request(urlPath: string, init?: RequestInit): Promise<Response>;
  /** The server process's VmHWM in MB. */
  hwmMb(): number;
  changeSeq(): Promise<number>;
  stop(): Promise<void>;
}

export async function spawnServer(backend: Backend): Promise<SpawnedServer> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(import.meta.dirname, 'server-child.ts'), backend],
    {
      stdio: ['pipe', 'pipe', 'inherit'],
      env: { ...process.env, METASYNC_TEST_LOG: process.env.METASYNC_TEST_LOG ?? 'warn' },
    },
  );
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const waiting: ((line: Record<string, unknown>) => void)[] = [];
  createInterface({ input: child.stdout }).on('line', (l) => {
    if (l.startsWith('{')) waiting.shift()?.(JSON.parse(l) as Record<string, unknown>);
  });
  const next = () =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      waiting.push(resolve);
      void exited.then((code) => reject(new Error(`server child exited with ${code}`)));
    });
  const ready = (await next()) as { url: string; password: string };
  const auth = basic('admin', ready.password);
  return {
    url: ready.url,
    pid: child.pid!,
    request(urlPath, init = {}) {
      const headers = new Headers(init.headers);
      headers.set('authorization', auth);
      return fetch(ready.url + urlPath, { ...init, headers });
    },
    hwmMb: () => hwmMb(child.pid!),
    async changeSeq() {
      const answer = next();
      child.stdin.write('changeSeq\n');
      return Number((await answer).changeSeq);
    },
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
