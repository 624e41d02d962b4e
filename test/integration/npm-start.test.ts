/**
 * `npm start` exactly as the README gives it (issue 18 §5): package.json's start script compiles
 * src/ to plain JavaScript in dist/ and runs the server from there, without the tsx loader. The
 * server must answer, find what it resolves relative to its own files (package.json, dist-web/,
 * PGlite's initdb child), and run a fresh build even when dist/ holds a stale one.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, it } from 'node:test';
import { basic } from '../support/server.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const ADMIN_PASSWORD = 'Start-Admin-1!';
let tmp: string;
let stopAll: (() => void) | undefined;

before(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'metasync-npm-start-'));
});
after(async () => {
  stopAll?.();
  await rm(tmp, { recursive: true, force: true });
});

/** The pids of `pid`'s descendants (npm → sh → node), from /proc. */
async function descendants(pid: number): Promise<number[]> {
  const tasks = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8').catch(() => '');
  const kids = tasks.split(' ').filter(Boolean).map(Number);
  return [...kids, ...(await Promise.all(kids.map(descendants))).flat()];
}

it('npm start builds dist/, serves from it without tsx, and answers', async () => {
  // A stale build that would fail if it ran: the start script must rebuild before starting.
  await mkdir(path.join(ROOT, 'dist'), { recursive: true });
  await writeFile(path.join(ROOT, 'dist', 'cli.js'), "throw new Error('stale build');\n");
  const config = path.join(tmp, 'metasync.conf');
  await writeFile(config, `encryption.password = ${randomBytes(16).toString('hex')}\n`);
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('METASYNC_')),
  );
  const args = ['--host', '127.0.0.1', '--port', '0', '--config', config];
  const child = spawn('npm', ['start', '--', ...args, '--data-dir', path.join(tmp, 'data')], {
    cwd: ROOT,
    env: { ...env, METASYNC_ADMIN_PASSWORD: ADMIN_PASSWORD },
    // Its own process group, so that npm, the shell and the server stop together.
    detached: true,
  });
  stopAll = () => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // Already gone.
    }
  };
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  let out = '';
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`npm start did not start: ${err}`)), 120_000);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      for (const line of out.split('\n')) {
        if (!line.startsWith('{')) continue;
        const l = JSON.parse(line) as { msg?: string; url?: string };
        if (l.msg === 'metasync listening') {
          clearTimeout(timer);
          resolve(String(l.url));
        }
      }
    });
    void exited.then(() => reject(new Error(`npm start exited: ${err}`)));
  });

  const live = await fetch(`${url}/api/health/live`);
  assert.equal(live.status, 200);
  // package.json is found from dist/ as from src/.
  const info = await fetch(`${url}/api/system/info`, {
    headers: { authorization: basic('admin', ADMIN_PASSWORD) },
  });
  assert.equal(info.status, 200);
  const pkg = JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')) as {
    version: string;
  };
  const facts = (await info.json()) as { metasyncVersion: string };
  assert.equal(facts.metasyncVersion, pkg.version);
  // So is dist-web/: the page is the built UI's index.html, not the "not built" notice.
  const page = await (await fetch(`${url}/`)).text();
  assert.equal(page, await readFile(path.join(ROOT, 'dist-web', 'index.html'), 'utf8'));

  // The server is node on dist/cli.js, with no TypeScript loader.
  const cmdlines = await Promise.all(
    (await descendants(child.pid!)).map((pid) =>
      readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => ''),
    ),
  );
  const server = cmdlines.map((c) => c.split('\0')).find((a) => a.includes('dist/cli.js'));
  assert.ok(server, `no process runs dist/cli.js: ${cmdlines.join(' | ')}`);
  assert.ok(!server.some((a) => a.includes('tsx')), server.join(' '));

  process.kill(-child.pid!, 'SIGTERM');
  await exited;
  stopAll = undefined;
});
