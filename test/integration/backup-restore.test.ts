/**
 * Backup and restore on both backends (issue 10 §6, docs/operations.md "Backup and restore"):
 * PostgreSQL with `pg_dump -Fc` of a running central and `pg_restore` into a new database;
 * PGlite by copying the data directory of a stopped server (`cp -a`). A `metasync serve` started
 * on the copy must serve the same versions and byte-identical snapshots, the same metadata and
 * settings, open the secret settings with the same encryption.password, let users log in, and
 * continue the version chain.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { promisify } from 'node:util';
import { PGlite } from '@electric-sql/pglite';
import { SMTPServer } from 'smtp-server';
import { fromPGlite } from '../../src/store/db.ts';
import { backends, createTestDatabase, type TestDatabase } from '../support/databases.ts';
import { generateMetadata, payload } from '../support/generate-metadata.ts';
import { basic, startServer, type TestServer } from '../support/server.ts';

const run = promisify(execFile);
type Json = Record<string, unknown>;

const USER = { username: 'backup-mailer', password: 'Backup-user-pw-1!' };
const SMTP = { username: 'smtp-user', password: 'Smtp-secret-pw-9!' };
const ROLE_ID = 'BkRole00001';
// What `encryption.password` in the config file sets: the key the secret settings are sealed with.
const CONFIG = { encryptionPassword: 'Backup-test-key-1!' };

async function json<T = Json>(server: TestServer, p: string, init?: RequestInit): Promise<T> {
  const res = await server.request(p, init);
  const text = await res.text();
  assert.ok(res.ok, `${p}: ${res.status} ${text.slice(0, 500)}`);
  return JSON.parse(text) as T;
}
const post = (server: TestServer, p: string, body?: unknown) =>
  json(server, p, {
    method: 'POST',
    ...(body === undefined
      ? {}
      : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });

/** An SMTP server that records the credentials each client logs in with. */
async function smtpRecorder() {
  const logins: { username: string; password: string }[] = [];
  const server = new SMTPServer({
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onAuth(auth, _session, callback) {
      logins.push({ username: auth.username ?? '', password: auth.password ?? '' });
      callback(null, { user: auth.username });
    },
    onData(stream, _session, callback) {
      stream.resume();
      stream.on('end', () => callback());
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    logins,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Two versions of generated metadata, a user with an e-mail address, and secret settings. */
async function seed(central: TestServer, smtpPort: number): Promise<void> {
  await post(central, '/api/systemSettings', { keyVersionEnabled: true });
  const g = generateMetadata(31, { dataElements: 20 });
  await post(central, '/api/metadata', payload(g));
  await post(central, '/api/metadata/version/create?type=ATOMIC');
  await post(central, '/api/metadata', {
    dataElements: g.dataElements.slice(0, 5).map((d) => ({ ...d, description: 'second' })),
    userRoles: [{ id: ROLE_ID, name: 'Backup mailers', authorities: ['F_METADATA_MANAGE'] }],
    users: [
      {
        id: 'BkUser00001',
        username: USER.username,
        firstName: 'Backup',
        surname: 'Mailer',
        email: 'mailer@example.org',
        password: USER.password,
        userRoles: [{ id: ROLE_ID }],
      },
    ],
  });
  await post(central, '/api/metadata/version/create?type=BEST_EFFORT');
  await post(central, '/api/systemSettings', {
    keyEmailHostName: '127.0.0.1',
    keyEmailPort: smtpPort,
    keyEmailTls: false,
    keyEmailSender: 'metasync@example.org',
    keyEmailUsername: SMTP.username,
    keyEmailPassword: SMTP.password,
    keyRemoteInstanceUsername: 'sync',
    keyRemoteInstancePassword: 'Remote-secret-pw-7!',
  });
}

interface VersionJson {
  name: string;
  hashCode: string;
  parentHashCode?: string;
}

/** Everything a restore must bring back, read over HTTP. */
async function state(server: TestServer) {
  const { metadataversions: versions } = await json<{ metadataversions: VersionJson[] }>(
    server,
    '/api/metadata/versions',
  );
  const gz: Record<string, Buffer> = {};
  for (const v of versions) {
    const res = await server.request(`/api/metadata/version/${v.name}/data.gz`);
    assert.equal(res.status, 200, v.name);
    gz[v.name] = Buffer.from(await res.arrayBuffer());
  }
  // The whole export, timestamps included: a restore is not a re-import.
  const { system: _system, ...metadata } = await json(server, '/api/metadata');
  return {
    versions,
    gz,
    metadata,
    settings: await json(server, '/api/systemSettings'),
    secrets: await json(server, '/api/metasync/secretSettings'),
  };
}

type State = Awaited<ReturnType<typeof state>>;

async function assertRestored(
  restored: TestServer,
  before: State,
  smtp: Awaited<ReturnType<typeof smtpRecorder>>,
): Promise<void> {
  const after = await state(restored);
  assert.deepEqual(after.versions, before.versions);
  assert.ok(before.versions.length === 2);
  for (const v of before.versions)
    assert.ok(after.gz[v.name]!.equals(before.gz[v.name]!), `${v.name}: data.gz bytes differ`);
  assert.deepEqual(after.metadata, before.metadata);
  assert.deepEqual(after.settings, before.settings);
  assert.deepEqual(after.secrets, { keyEmailPassword: true, keyRemoteInstancePassword: true });

  // The user logs in with its password, and only with it.
  const me = (password: string) =>
    fetch(`${restored.url}/api/me`, {
      headers: { authorization: basic(USER.username, password) },
    });
  assert.equal((await me(USER.password)).status, 200);
  assert.equal((await me('Wrong-password-1!')).status, 401);

  // The SMTP password was sealed under encryption.password: the restored server opens it.
  smtp.logins.length = 0;
  const sent = await fetch(`${restored.url}/api/email/test`, {
    method: 'POST',
    headers: { authorization: basic(USER.username, USER.password) },
  });
  assert.equal(sent.status, 200, await sent.text());
  assert.deepEqual(smtp.logins, [SMTP]);

  // The chain continues: Version_3, whose parent is Version_2.
  await post(restored, '/api/metadata', {
    dataElements: [{ ...(after.metadata.dataElements as Json[])[0], description: 'after restore' }],
  });
  const next = await post(restored, '/api/metadata/version/create?type=BEST_EFFORT');
  assert.equal(next.name, 'Version_3');
  assert.equal(next.parentHashCode, before.versions[1]!.hashCode);
}

/** Undo steps run last-in first-out when the test ends: servers stop before databases go. */
function cleanup(t: TestContext): (() => Promise<unknown>)[] {
  const steps: (() => Promise<unknown>)[] = [];
  t.after(async () => {
    for (const step of steps.reverse()) await step();
  });
  return steps;
}

describe('backup and restore', () => {
  let dir: string;
  let smtp: Awaited<ReturnType<typeof smtpRecorder>>;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'metasync-backup-'));
    smtp = await smtpRecorder();
  });
  after(async () => {
    await smtp?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('PGlite: a copy of a stopped server’s data directory serves the same central', async (t) => {
    const database = await createTestDatabase('pglite');
    const copy = path.join(dir, 'data-copy');
    const onCopy: TestDatabase = {
      backend: 'pglite',
      location: { dataDir: copy },
      open: async () => fromPGlite(await PGlite.create(copy)),
      dispose: () => rm(copy, { recursive: true, force: true }),
    };
    const undo = cleanup(t);
    undo.push(
      () => database.dispose(),
      () => onCopy.dispose(),
    );
    const central = await startServer(database, CONFIG);
    await seed(central, smtp.port);
    const expected = await state(central);
    // PGlite is PostgreSQL inside the server's own process: its files are consistent only once
    // it has shut down (SIGTERM closes the database cleanly). Then a plain file copy is a backup.
    await central.stop();
    const { dataDir } = database.location as { dataDir: string };
    await run('cp', ['-a', dataDir, copy]);
    const restored = await startServer(onCopy, CONFIG);
    undo.push(() => restored.stop());
    await assertRestored(restored, expected, smtp);
  });

  it('PostgreSQL: pg_dump -Fc of a running central, pg_restore into a new database', async (t) => {
    if (!(await backends()).includes('postgres')) return t.skip('PostgreSQL not reachable');
    const source = await createTestDatabase('postgres');
    const target = await createTestDatabase('postgres'); // created empty, as by createdb
    const undo = cleanup(t);
    undo.push(
      () => source.dispose(),
      () => target.dispose(),
    );
    const url = (d: TestDatabase) => (d.location as { databaseUrl: string }).databaseUrl;
    const central = await startServer(source, CONFIG);
    undo.push(() => central.stop());
    await seed(central, smtp.port);
    const expected = await state(central);
    const dump = path.join(dir, 'central.dump');
    // Online: pg_dump reads one consistent snapshot while the central keeps serving.
    const dumping = run('pg_dump', ['-Fc', '-f', dump, url(source)]);
    const during = await central.request('/api/metadata/version/history');
    assert.equal(during.status, 200);
    await dumping;
    // --no-owner: the restoring role owns everything (the source's owner may not exist there).
    await run('pg_restore', ['--no-owner', '--exit-on-error', '-d', url(target), dump]);
    const restored = await startServer(target, CONFIG);
    undo.push(() => restored.stop());
    await assertRestored(restored, expected, smtp);
    await restored.stop();

    // The secrets need the same encryption.password: with another, none is opened or sent.
    const otherKey = await startServer(target, { encryptionPassword: 'Another-key-2!' });
    undo.push(() => otherKey.stop());
    smtp.logins.length = 0;
    const sent = await fetch(`${otherKey.url}/api/email/test`, {
      method: 'POST',
      headers: { authorization: basic(USER.username, USER.password) },
    });
    assert.equal(sent.status, 409);
    assert.match(
      ((await sent.json()) as { message: string }).message,
      /keyEmailPassword cannot be opened with this server's encryption\.password/,
    );
    assert.deepEqual(smtp.logins, []);
  });
});
