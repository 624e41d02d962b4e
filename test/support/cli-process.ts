/**
 * The `metasync` CLI as a child process over a test database, and the services over the same
 * database in this process between CLI runs: what the CLI integration tests share.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { loadConfig } from '../../src/config.ts';
import { createServices } from '../../src/main.ts';
import type { TestDatabase } from './databases.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `bin/metasync.js args` against `database`, as the operating-system user `user` (the
 * audit log names it), without the METASYNC_ variables of the test process; killed after 60 s.
 */
export function runCli(args: string[], database: TestDatabase, user: string): Promise<CliResult> {
  const where =
    'dataDir' in database.location
      ? ['--data-dir', database.location.dataDir]
      : ['--database-url', database.location.databaseUrl];
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('METASYNC_')),
  );
  const child = spawn(process.execPath, ['bin/metasync.js', ...args, ...where], {
    cwd: ROOT,
    env: { ...env, USER: user },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  return new Promise((resolve) =>
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    }),
  );
}

export type CliServices = Awaited<ReturnType<typeof createServices>>['services'];

/** The services over the test database, in this process (between CLI processes). */
export async function withServices<T>(
  database: TestDatabase,
  fn: (s: CliServices) => Promise<T>,
): Promise<T> {
  const open = await database.open();
  try {
    return await fn((await createServices(loadConfig({}, {}), open)).services);
  } finally {
    await open.close();
  }
}
