/**
 * No secret leaves the server (issue 10 §4): the admin password, users' passwords (imported
 * top-level and as legacy userCredentials), the SMTP and remote-instance passwords (set as JSON,
 * `?value=` and text/plain) and the config's encryption.password never appear in any response
 * body or header, in any log line (at trace level), or in plain text in the database, after every
 * GET route, error paths, a failed login, failed syncs against a dead and a refusing remote and
 * failed test mails against a dead and a refusing SMTP server. Each secret is also searched for
 * URL-encoded, base64 and inside the Basic header value. The instance's private signing key
 * (issue 20 §1) too: its PEM body, DER and seed, in no answer, log line or row (sealed only).
 */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { sql } from 'kysely';
import { SMTPServer } from 'smtp-server';
import { createAesSecretBox } from '../../src/security/aes-secret-box.ts';
import { createTestDatabase, type TestDatabase } from '../support/databases.ts';
import { fillPath, registeredRoutes } from '../support/security-routes.ts';
import {
  LEGACY,
  NEEDLES,
  RUNTIME_NEEDLES,
  SECRETS,
  USER,
  deadPort,
  leaks,
  privateKeyForms,
  refusingCentral,
} from '../support/security-secrets.ts';
import { basic, startServer, type TestServer } from '../support/server.ts';
import { centralBackend } from '../support/sync.ts';
import { uid } from '../support/versions.ts';

{
  const backend = await centralBackend();
  describe(`no secret in responses, logs or errors on ${backend}`, () => {
    let database: TestDatabase;
    let server: TestServer;
    let central: Awaited<ReturnType<typeof refusingCentral>>;
    let smtp: SMTPServer;
    let smtpPort = 0;
    const smtpPasswords: string[] = [];
    const seen: { what: string; text: string }[] = [];
    const admin: [string, string] = ['admin', SECRETS.admin];

    /** A request whose answer (status line, headers, body) is kept for the scan. */
    const call = async (
      path: string,
      init: RequestInit & { auth?: [string, string] | null } = {},
    ): Promise<{ status: number; text: string; json: () => unknown }> => {
      const res = await server.request(path, { auth: admin, ...init });
      const bytes = Buffer.from(await res.arrayBuffer());
      const gz = bytes[0] === 0x1f && bytes[1] === 0x8b;
      const text = (gz ? gunzipSync(bytes) : bytes).toString('utf8');
      const headers = [...res.headers].map(([k, v]) => `${k}: ${v}`).join('\n');
      seen.push({
        what: `${init.method ?? 'GET'} ${path} → ${res.status}`,
        text: `${headers}\n${text}`,
      });
      return { status: res.status, text, json: () => JSON.parse(text) as unknown };
    };
    const json = { 'content-type': 'application/json' };

    before(async () => {
      process.env.METASYNC_TEST_LOG = 'trace'; // every line the server can write is scanned
      database = await createTestDatabase(backend);
      server = await startServer(database, {
        adminPassword: SECRETS.admin,
        encryptionPassword: SECRETS.encryption,
        syncRetry: 1,
        syncRetryFrequencyMs: 10,
      });
      delete process.env.METASYNC_TEST_LOG;
      // The private signing key (issue 20 §1) is looked for as the passwords are.
      const row = await server.instance.database.db
        .selectFrom('instance')
        .select('signing_private_key_sealed')
        .executeTakeFirstOrThrow();
      const box = createAesSecretBox(
        SECRETS.encryption,
        server.instance.services.instance.secretSalt,
      );
      RUNTIME_NEEDLES.length = 0;
      for (const form of privateKeyForms(box.open(row.signing_private_key_sealed!)))
        RUNTIME_NEEDLES.push(['signing private key', form]);
      central = await refusingCentral();
      smtp = new SMTPServer({
        allowInsecureAuth: true,
        disabledCommands: ['STARTTLS'],
        logger: false,
        onAuth(auth, _session, done) {
          smtpPasswords.push(auth.password ?? '');
          done(new Error('Invalid username or password'));
        },
      });
      await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', r));
      smtpPort = (smtp.server.address() as AddressInfo).port;
    });
    after(async () => {
      await server.stop();
      await database.dispose();
      await new Promise((r) => central.server.close(r));
      await new Promise<void>((r) => smtp.close(() => r()));
    });

    it('takes every secret in: users by import, settings as JSON, ?value= and text/plain', async () => {
      const role = uid();
      const imported = await call('/api/metadata', {
        method: 'POST',
        headers: json,
        body: JSON.stringify({
          userRoles: [{ id: role, name: 'Secret role', authorities: ['F_METADATA_EXPORT'] }],
          users: [
            {
              ...USER,
              firstName: 'S',
              surname: 'U',
              password: SECRETS.user,
              userRoles: [{ id: role }],
            },
            {
              ...LEGACY,
              firstName: 'L',
              surname: 'U',
              userCredentials: { username: LEGACY.username, password: SECRETS.legacyUser },
              userRoles: [{ id: role }],
            },
          ],
        }),
      });
      assert.equal(imported.status, 200, imported.text);
      // Both users log in with what was imported: the passwords really were taken.
      assert.equal((await call('/api/me', { auth: [USER.username, SECRETS.user] })).status, 200);
      const legacy = await call('/api/me', { auth: [LEGACY.username, SECRETS.legacyUser] });
      assert.equal(legacy.status, 200);

      const settings = await call('/api/systemSettings', {
        method: 'POST',
        headers: json,
        body: JSON.stringify({
          keyEmailHostName: '127.0.0.1',
          keyEmailPort: smtpPort,
          keyEmailTls: false,
          keyEmailUsername: 'mailer',
          keyEmailPassword: SECRETS.smtp,
          keyRemoteInstanceUrl: central.url,
          keyRemoteInstanceUsername: 'remote-admin',
          keyRemoteInstancePassword: SECRETS.remote,
          syncMaxRemoteServerAvailabilityCheckAttempts: 1,
          syncDelayBetweenRemoteServerAvailabilityCheckAttempts: 0,
          syncMaxAttempts: 1,
        }),
      });
      assert.equal(settings.status, 200, settings.text);
      const byQuery = await call(
        `/api/systemSettings/keyEmailPassword?value=${encodeURIComponent(SECRETS.smtp)}`,
        { method: 'POST' },
      );
      assert.equal(byQuery.status, 200, byQuery.text);
      const byText = await call('/api/systemSettings/keyRemoteInstancePassword', {
        method: 'POST',
        headers: { 'content-type': 'text/plain' },
        body: SECRETS.remote,
      });
      assert.equal(byText.status, 200, byText.text);
      const status = await call('/api/metasync/secretSettings');
      assert.deepEqual(
        { ...(status.json() as Record<string, boolean>) },
        { keyRemoteInstancePassword: true, keyEmailPassword: true },
      );
    });

    it('serves every GET route (and the snapshot of a version holding the users) without one', async () => {
      // This server has a remote (its password is one of the secrets), so with versioning on it
      // is a relay and refuses to make versions (issue 21 §1): the version holding the users is
      // made with versioning still off, through the service, and versioning turned on after.
      const { name } = await server.instance.services.versions.create({
        type: 'BEST_EFFORT',
        force: true,
        authorities: new Set(['ALL']),
      });
      assert.equal(
        (await call('/api/systemSettings/keyVersionEnabled?value=true', { method: 'POST' })).status,
        200,
      );
      const gets = [...registeredRoutes(server.instance.app)]
        .filter((r) => r.startsWith('GET '))
        .map((r) => r.slice(4));
      let calls = 0;
      for (const url of gets) {
        const keys = url.includes(':key')
          ? ['keyEmailPassword', 'keyRemoteInstancePassword', 'keyEmailUsername']
          : [''];
        for (const key of keys) {
          const path = fillPath(url, {
            id: url.startsWith('/api/users/') ? USER.id : 'noSuchId000',
            key,
            versionName: name,
            hashCode: '0'.repeat(32),
          });
          const extra = url === '/api/metadata/sync' ? `?versionName=${name}` : '';
          for (const who of [admin, [USER.username, SECRETS.user] as [string, string]]) {
            await call(path + extra, { auth: who });
            calls++;
          }
          if (key) await call(path, { headers: { accept: 'text/plain' } });
        }
      }
      // The users in every shape an export can take.
      for (const q of ['fields=:all', 'fields=*', 'fields=id,password,userCredentials[*]'])
        for (const path of [
          `/api/users?${q}`,
          `/api/users/${USER.id}?${q}`,
          `/api/users/${LEGACY.id}?${q}`,
        ])
          await call(path);
      await call('/api/metadata?users=true&fields=:all');
      await call(`/api/metadata/version/${name}/data.gz`);
      assert.ok(calls > 200, `only ${calls} GET calls`);
      const snapshot = await call(`/api/metadata/version/${name}/data`);
      assert.match(snapshot.text, new RegExp(USER.username));
    });

    it('fails logins, syncs and test mails without echoing what they were given', async () => {
      // Someone's password tried for another user, by Basic and by the UI login.
      assert.equal((await call('/api/me', { auth: ['admin', SECRETS.user] })).status, 401);
      const login = await call('/api/metasync/session', {
        auth: null,
        method: 'POST',
        headers: json,
        body: JSON.stringify({ username: USER.username, password: SECRETS.legacyUser }),
      });
      assert.equal(login.status, 401);
      // Bad inputs around the secret settings.
      for (const [path, init] of [
        ['/api/systemSettings/keyEmailPassword', { method: 'POST', headers: json, body: '12345' }],
        // An unquoted password sent as JSON: V8's parse error quotes the text it could not read.
        [
          '/api/systemSettings/keyEmailPassword',
          { method: 'POST', headers: json, body: SECRETS.smtp },
        ],
        [
          '/api/systemSettings/keyRemoteInstancePassword',
          { method: 'POST', headers: json, body: `${SECRETS.remote} and more` },
        ],
        ['/api/systemSettings/keyEmailPassword', { method: 'PATCH', body: SECRETS.smtp }],
        [
          `/api/systemSettings/keyEmailPassword?password=${encodeURIComponent(SECRETS.smtp)}`,
          { method: 'PUT' },
        ],
        [`/api/nothing?value=${encodeURIComponent(SECRETS.remote)}`, {}],
        [
          '/api/systemSettings',
          { method: 'POST', headers: json, body: JSON.stringify({ keyRemoteInstancePassword: 5 }) },
        ],
        [
          '/api/systemSettings',
          { method: 'POST', headers: json, body: JSON.stringify({ keyNoSuchKey: SECRETS.remote }) },
        ],
        [
          '/api/systemSettings',
          { method: 'POST', headers: json, body: `{"keyEmailPassword":"${SECRETS.smtp}"` },
        ],
        [
          '/api/metasync/session',
          {
            auth: null,
            method: 'POST',
            headers: json,
            body: `{"username":"admin","password":"${SECRETS.admin}"x}`,
          },
        ],
      ] as [string, RequestInit & { auth?: null }][]) {
        const res = await call(path, init);
        assert.ok(res.status >= 400 && res.status < 500, `${path}: ${res.status}`);
      }

      // Sync against a central that refuses the credentials, then against one that is gone.
      const refused = await call('/api/metadata/sync/run?wait=true', { method: 'POST' });
      assert.equal(refused.status, 200);
      assert.equal((refused.json() as { status: string }).status, 'FAILED');
      assert.ok(
        central.authorizations.includes(basic('remote-admin', SECRETS.remote)),
        'the central was sent the remote password',
      );
      const manual = await call('/api/metadata/sync?versionName=Version_9');
      assert.ok(manual.status >= 400, String(manual.status));
      await call(
        `/api/systemSettings/keyRemoteInstanceUrl?value=http://127.0.0.1:${await deadPort()}`,
        {
          method: 'POST',
        },
      );
      const gone = await call('/api/metadata/sync/run?wait=true', { method: 'POST' });
      assert.equal((gone.json() as { status: string }).status, 'FAILED');
      await call('/api/metadata/sync/reports');
      await call('/api/metadata/sync/status');

      // Test mail as a user with an address: the SMTP server refuses the login, then is gone.
      const mail = await call('/api/email/test', {
        method: 'POST',
        auth: [USER.username, SECRETS.user],
      });
      assert.equal(mail.status, 502, mail.text);
      assert.deepEqual(smtpPasswords, [SECRETS.smtp], 'the SMTP server was sent the password');
      await call(`/api/systemSettings/keyEmailPort?value=${await deadPort()}`, { method: 'POST' });
      const dead = await call('/api/email/test', {
        method: 'POST',
        auth: [USER.username, SECRETS.user],
      });
      assert.equal(dead.status, 502);
    });

    it('found no secret in any response or header', () => {
      assert.ok(seen.length > 200);
      // The detector itself finds each secret in each form it is looked for in.
      for (const [what, needle] of [...NEEDLES, ...RUNTIME_NEEDLES])
        assert.ok(leaks(`x${needle}x`).length > 0, what);
      assert.ok(RUNTIME_NEEDLES.length > 0);
      const found = seen.flatMap((s) => leaks(s.text).map((l) => `${s.what}: ${l}`));
      console.log(`# ${seen.length} responses scanned for ${NEEDLES.length} secret forms`);
      assert.deepEqual(found, []);
    });

    it('found no secret in any log line (trace level)', () => {
      assert.ok(server.logs.raw.length > 500, `only ${server.logs.raw.length} log lines`);
      console.log(`# ${server.logs.raw.length} log lines scanned`);
      const found = server.logs.raw.flatMap((line) =>
        leaks(line).map((l) => `${l} in ${line.slice(0, 300)}`),
      );
      assert.deepEqual(found, []);
    });

    it('keeps no secret in plain text in the database', async () => {
      const { db } = server.instance.database;
      const tables = await sql<{ name: string }>`
        select table_name as name from information_schema.tables
        where table_schema = current_schema() and table_type = 'BASE TABLE'`.execute(db);
      const found: string[] = [];
      for (const { name } of tables.rows) {
        const rows = await sql<{
          t: string;
        }>`select t::text as t from ${sql.table(name)} t`.execute(db);
        for (const r of rows.rows) for (const l of leaks(r.t)) found.push(`${name}: ${l}`);
      }
      assert.deepEqual(found, []);
    });
  });
}
