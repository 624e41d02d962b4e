/**
 * A stored secret is bound to where it is sent (issue 10 §4): a user who may edit settings but
 * does not know the remote password must not be able to move keyRemoteInstanceUrl to a server of
 * their own and receive that password with the next sync; the same for the SMTP password and the
 * mail host. Moving the destination without setting the secret again clears the secret.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { describe, it } from 'node:test';
import { useServer, type TestServer } from '../support/server.ts';
import { centralBackend } from '../support/sync.ts';
import { fetchJson } from '../support/versions.ts';

type Json = Record<string, unknown>;
const EDITOR: [string, string] = ['settings-editor', 'Settings-Editor-1!'];

async function post(server: TestServer, body: Json, auth?: [string, string]) {
  const r = await fetchJson(server, '/api/systemSettings', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    ...(auth ? { auth } : {}),
  });
  assert.equal(r.status, 200, r.text);
}

const secrets = async (server: TestServer) =>
  (await fetchJson<Json>(server, '/api/metasync/secretSettings')).body;

const remotePassword = (server: TestServer) =>
  server.instance.services.settings.value('keyRemoteInstancePassword');

const backend = await centralBackend();

describe(`secrets bound to their destination on ${backend}`, () => {
  const server = useServer(backend);
  const remote = (url: string, extra: Json = {}) => ({
    keyRemoteInstanceUrl: url,
    keyRemoteInstanceUsername: 'admin',
    keyRemoteInstancePassword: 'Central-Secret-1!',
    ...extra,
  });

  it('moving the remote URL alone clears the remote password', async () => {
    await post(server, remote('https://central.example.org'));
    assert.equal(await remotePassword(server), 'Central-Secret-1!');
    await post(server, { keyRemoteInstanceUrl: 'https://elsewhere.example.org' });
    assert.equal((await secrets(server)).keyRemoteInstancePassword, false);
    assert.equal(await remotePassword(server), '');
  });

  it('the same URL, another username or other settings keep it', async () => {
    await post(server, remote('https://central.example.org'));
    // The UI posts the whole form, URL unchanged, password left empty-handed (not sent).
    await post(server, {
      keyRemoteInstanceUrl: 'https://central.example.org',
      keyRemoteInstanceUsername: 'syncer',
      keyStopMetadataSync: true,
    });
    assert.equal(await remotePassword(server), 'Central-Secret-1!');
    const single = await server.request(
      '/api/systemSettings/keyRemoteInstanceUrl?value=https%3A%2F%2Fcentral.example.org',
      { method: 'POST' },
    );
    assert.equal(single.status, 200);
    assert.equal(await remotePassword(server), 'Central-Secret-1!');
  });

  it('a new URL with a new password in one request keeps the new password', async () => {
    await post(server, remote('https://central.example.org'));
    await post(
      server,
      remote('https://central-2.example.org', { keyRemoteInstancePassword: 'Other-Secret-2!' }),
    );
    assert.equal(await remotePassword(server), 'Other-Secret-2!');
  });

  it('the SMTP password follows the mail host and port', async () => {
    const smtp = {
      keyEmailHostName: 'smtp.example.org',
      keyEmailPort: 587,
      keyEmailUsername: 'mailer',
      keyEmailPassword: 'Smtp-Secret-1!',
    };
    await post(server, smtp);
    await post(server, { keyEmailUsername: 'mailer-2', keyEmailTls: false });
    assert.equal(
      await server.instance.services.settings.value('keyEmailPassword'),
      'Smtp-Secret-1!',
    );
    await post(server, { keyEmailPort: 2525 });
    assert.equal(await server.instance.services.settings.value('keyEmailPassword'), '');
    await post(server, smtp);
    await post(server, { keyEmailHostName: 'smtp.attacker.example' });
    assert.equal((await secrets(server)).keyEmailPassword, false);
  });

  it('a settings editor who repoints the remote receives no password from the next sync', async () => {
    const seen: IncomingHttpHeaders[] = [];
    const trap = createServer((req, res) => {
      seen.push(req.headers);
      res.writeHead(401, { 'content-type': 'application/json' }).end('{}');
    });
    await new Promise<void>((r) => trap.listen(0, '127.0.0.1', r));
    try {
      await server.instance.services.users.create({
        username: EDITOR[0],
        password: EDITOR[1],
        authorities: ['F_SYSTEM_SETTING'],
      });
      await post(server, remote('https://central.example.org'));
      const { port } = trap.address() as { port: number };
      await post(server, { keyRemoteInstanceUrl: `http://127.0.0.1:${port}` }, EDITOR);

      const run = await fetchJson<Json>(server, '/api/metadata/sync/run?wait=true', {
        method: 'POST',
      });
      assert.equal(run.status, 200, run.text);
      assert.equal(run.body.status, 'FAILED');
      assert.equal((run.body.error as Json).kind, 'REMOTE_NOT_CONFIGURED');
      const leaked = seen.filter((h) =>
        Buffer.from(String(h.authorization ?? '').replace(/^Basic /, ''), 'base64')
          .toString()
          .includes('Central-Secret-1!'),
      );
      assert.deepEqual(leaked, []);
    } finally {
      await new Promise((r) => trap.close(r));
      await post(server, { keyRemoteInstanceUrl: '' });
    }
  });
});
