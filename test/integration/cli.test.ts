/**
 * The real `metasync` command line as child processes (issue 3 §2): help, migrate, user create
 * and serve, on PGlite data directories and on PostgreSQL. Server starts are few and shared by
 * the tests of a describe, which run in order: each PGlite start costs 1–3 s and ~250 MB.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { PG_ADMIN_URL, postgresAvailable } from '../support/databases.ts';
import { basic } from '../support/server.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const ADMIN_PASSWORD = 'Admin-Pass-1!';
const children = new Set<ChildProcess>();
let tmp: string;

before(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'metasync-cli-'));
});
after(async () => {
  for (const child of children) child.kill('SIGKILL');
  await rm(tmp, { recursive: true, force: true });
});

/** The environment without any METASYNC_* variable of the test runner, plus `extra`. */
function envWith(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('METASYNC_')),
  );
  return { ...env, ...extra };
}

function spawnCli(args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(process.execPath, ['bin/metasync.js', ...args], { cwd: ROOT, env });
  children.add(child);
  child.on('exit', () => children.delete(child));
  return child;
}

interface RunOptions {
  env?: Record<string, string>;
  input?: string;
  timeoutMs?: number;
}

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a CLI command to completion (killed after `timeoutMs`), feeding `input` on stdin. */
function run(
  args: string[],
  { env = {}, input = '', timeoutMs = 60_000 }: RunOptions = {},
): Promise<Result> {
  const child = spawnCli(args, envWith(env));
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdin!.end(input);
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((resolve) =>
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    }),
  );
}

function createArgs(username: string, authorities = 'F_METADATA_EXPORT'): string[] {
  return ['user', 'create', '--username', username, '--authorities', authorities];
}

interface Served {
  url: string;
  output: () => string;
  /** JSON log lines written so far. */
  logs: () => Record<string, unknown>[];
  get(urlPath: string, auth?: [string, string]): Promise<Response>;
  /** Sends SIGTERM and resolves with the exit code (null when killed after 10 s). */
  stop(): Promise<number | null>;
}

/** Starts `metasync serve` on a random loopback port and waits for its "listening" log line. */
async function serve(args: string[], env: Record<string, string> = {}): Promise<Served> {
  const child = spawnCli(['serve', '--host', '127.0.0.1', '--port', '0', ...args], envWith(env));
  let out = '';
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  const logs = () =>
    out
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start: ${err}`)), 60_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const line = logs().find((l) => l.msg === 'metasync listening');
      if (line) {
        clearTimeout(timer);
        resolve(String(line.url));
      }
    });
    void exited.then((code) => reject(new Error(`serve exited with ${code}: ${err}`)));
  });
  return {
    url,
    output: () => out,
    logs,
    get: (urlPath, auth = ['admin', ADMIN_PASSWORD]) =>
      fetch(url + urlPath, { headers: { authorization: basic(...auth) } }),
    async stop() {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      const code = await exited;
      clearTimeout(timer);
      return child.signalCode === 'SIGKILL' ? null : code;
    },
  };
}

describe('metasync help and errors', () => {
  const cases: [string[], RegExp][] = [
    [['--help'], /Usage: metasync <command>[\s\S]*serve[\s\S]*migrate[\s\S]*user create/],
    [['serve', '--help'], /Usage: metasync serve[\s\S]*--port[\s\S]*--data-dir/],
    [['migrate', '--help'], /Usage: metasync migrate[\s\S]*--database-url/],
    [['user', 'create', '--help'], /Usage: metasync user create[\s\S]*standard input/],
  ];
  for (const [args, usage] of cases)
    it(`${args.join(' ')} prints usage and exits 0`, async () => {
      const r = await run(args);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, usage);
    });

  it('an unknown command exits non-zero with a message on stderr', async () => {
    const r = await run(['frobnicate']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /Unknown command: frobnicate/);
    assert.equal(r.stdout, '');
  });
});

describe('metasync on a PGlite data directory', () => {
  let dir: string;
  let confFile: string;
  let generated: string;
  before(async () => {
    dir = path.join(tmp, 'data-a');
    confFile = path.join(tmp, 'dhis.conf');
    const conf = `# dhis.conf-style
system.version = 2.40.3
server.max.request.size = 1kb
encryption.password = cli-test-encryption-password
`;
    await writeFile(confFile, conf);
  });

  it('migrate applies 0001-init first, then is up to date', async () => {
    const first = await run(['migrate', '--data-dir', dir]);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /^applied {2}0001-init$/m);
    assert.match(first.stdout, /Applied \d+ migration\(s\)\./);
    const second = await run(['migrate', '--data-dir', dir]);
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, /up to date/);
    assert.doesNotMatch(second.stdout, /applied/);
  });

  it('serve prints a generated admin password once, honours --config, stops on SIGTERM', async () => {
    const s = await serve(['--data-dir', dir, '--config', confFile]);
    try {
      const m = /Created user "admin" with password: (\S+)/.exec(s.output());
      assert.ok(m, s.output());
      generated = m[1]!;
      assert.equal((await s.get('/api/system/ping', ['admin', generated])).status, 200);
      assert.equal((await s.get('/api/system/ping', ['admin', 'wrong'])).status, 401);
      // The password goes to the terminal only, never into a JSON log line.
      assert.ok(!s.logs().some((l) => JSON.stringify(l).includes(generated)));

      const info = (await (await s.get('/api/system/info', ['admin', generated])).json()) as {
        version: string;
        databaseBackend: string;
      };
      assert.equal(info.version, '2.40.3');
      assert.equal(info.databaseBackend, 'pglite');
      const big = await fetch(`${s.url}/api/systemSettings`, {
        method: 'POST',
        headers: { authorization: basic('admin', generated), 'content-type': 'application/json' },
        body: JSON.stringify({ applicationTitle: 'x'.repeat(2048) }),
      });
      assert.equal(big.status, 413);
    } finally {
      assert.equal(await s.stop(), 0, s.output());
    }
    assert.ok(s.logs().some((l) => l.msg === 'stopped'));
  });

  it('user create reads the password from stdin', async () => {
    const args = createArgs('alice', 'F_METADATA_MANAGE,F_METADATA_EXPORT');
    const r = await run([...args, '--data-dir', dir], { input: 'Alice-Pass-1!\n' });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Created user alice \(id [a-zA-Z][a-zA-Z0-9]{10}\)\./);
    assert.ok(!r.stdout.includes('Alice-Pass-1!'));
  });

  it('user create reads the password from METASYNC_USER_PASSWORD', async () => {
    const r = await run(createArgs('bob.b'), {
      env: { METASYNC_USER_PASSWORD: 'Bob-Pass-12!', METASYNC_DATA_DIR: dir },
    });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Created user bob\.b/);
  });

  const userCreate = (username: string, password: string) =>
    run(createArgs(username), {
      env: { METASYNC_USER_PASSWORD: password, METASYNC_DATA_DIR: dir },
    });

  it('user create refuses a weak password, a bad username and a taken one with exit 1', async () => {
    const weak = await userCreate('carol', 'password');
    assert.equal(weak.code, 1);
    assert.match(weak.stderr, /^metasync: Password must have .*upper-case/m);
    const badName = await userCreate('a b', 'Carol-Pass-1!');
    assert.equal(badName.code, 1);
    assert.match(badName.stderr, /^metasync: Username must be 4–255 characters/m);
    const taken = await userCreate('alice', 'Other-Pass-1!');
    assert.equal(taken.code, 1);
    assert.match(taken.stderr, /^metasync: Username already taken: alice/m);
    for (const r of [weak, badName, taken]) assert.doesNotMatch(r.stderr, /^\s+at /m);
  });

  it('user create has no --password flag', async () => {
    const r = await run([...createArgs('dave'), '--password', 'Dave-Pass-1!', '--data-dir', dir]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /--password/);
  });

  it('a restart keeps users: no new password is printed, and everyone logs in', async () => {
    assert.ok(generated, 'needs the first start');
    const s = await serve(['--data-dir', dir], { METASYNC_ADMIN_PASSWORD: ADMIN_PASSWORD });
    try {
      assert.doesNotMatch(s.output(), /Created user/);
      assert.equal((await s.get('/api/system/ping', ['admin', generated])).status, 200);
      // The admin exists: METASYNC_ADMIN_PASSWORD only applies when it is created.
      assert.equal((await s.get('/api/system/ping', ['admin', ADMIN_PASSWORD])).status, 401);
      const me = await s.get('/api/me', ['alice', 'Alice-Pass-1!']);
      assert.equal(me.status, 200);
      const body = (await me.json()) as { authorities: string[] };
      assert.deepEqual([...body.authorities].sort(), ['F_METADATA_EXPORT', 'F_METADATA_MANAGE']);
      assert.equal((await s.get('/api/me', ['bob.b', 'Bob-Pass-12!'])).status, 200);
      assert.equal((await s.get('/api/me', ['carol', 'password'])).status, 401);
    } finally {
      assert.equal(await s.stop(), 0);
    }
  });

  it('serve uses METASYNC_ADMIN_PASSWORD on a fresh data directory and prints nothing', async () => {
    const s = await serve(['--data-dir', path.join(tmp, 'data-b')], {
      METASYNC_ADMIN_PASSWORD: ADMIN_PASSWORD,
    });
    try {
      assert.doesNotMatch(s.output(), /Created user "admin" with password/);
      assert.ok(!s.output().includes(ADMIN_PASSWORD));
      const ping = await s.get('/api/system/ping');
      assert.equal(ping.status, 200);
      assert.equal(await ping.text(), 'pong');
      assert.ok(s.logs().some((l) => l.msg === 'metasync listening' && l.backend === 'pglite'));
    } finally {
      assert.equal(await s.stop(), 0);
    }
  });
});

describe('metasync on PostgreSQL', { skip: !(await postgresAvailable()) }, () => {
  const name = `metasync_cli_${process.pid}_${randomBytes(4).toString('hex')}`;
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  const admin = async (query: string) => {
    const c = new pg.Client({ connectionString: PG_ADMIN_URL });
    await c.connect();
    try {
      await c.query(query);
    } finally {
      await c.end();
    }
  };
  before(() => admin(`create database ${name}`));
  after(() => admin(`drop database if exists ${name} with (force)`));

  it('migrate --database-url applies 0001-init, then is up to date', async () => {
    const first = await run(['migrate', '--database-url', url.toString()]);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /^applied {2}0001-init$/m);
    const second = await run(['migrate', '--database-url', url.toString()]);
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, /up to date/);
  });

  it('serve --database-url answers ping and reports the postgres backend', async () => {
    const s = await serve(['--database-url', url.toString()], {
      METASYNC_ADMIN_PASSWORD: ADMIN_PASSWORD,
    });
    try {
      assert.equal((await s.get('/api/system/ping')).status, 200);
      const info = (await (await s.get('/api/system/info')).json()) as Record<string, unknown>;
      assert.equal(info.databaseBackend, 'postgres');
    } finally {
      assert.equal(await s.stop(), 0);
    }
    assert.ok(s.logs().some((l) => l.msg === 'stopped'));
  });
});
