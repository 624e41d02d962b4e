/**
 * The instance's signing key and the pinned central key over HTTP (issue 20 §1), on both
 * backends: `GET /api/metasync/signing-key`, the pin made at the first sync with a metasync
 * central, none from a DHIS2 one, a central showing another key reported with the pin kept,
 * pin and unpin through the API (audited, validated), the settings API kept away from the pin,
 * the key the same after restarts (one under another encryption.password: it starts, cannot
 * sign), and the private key in no answer, log line or stored column but sealed.
 */
import assert from 'node:assert/strict';
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import { createHttpCentralClient } from '../../src/central/http-central-client.ts';
import { createAesSecretBox } from '../../src/security/aes-secret-box.ts';
import { backends } from '../support/databases.ts';
import { startFakeDhis2Central } from '../support/fake-dhis2.ts';
import { startServer, type TestServer } from '../support/server.ts';
import { connect, newDataElement, syncOk, useCentralAndLocal } from '../support/sync.ts';
import { fetchJson, uid } from '../support/versions.ts';

type Json = Record<string, unknown>;
interface KeyJson {
  publicKey: string;
  fingerprint: string;
  algorithm: string;
}

const newPem = () =>
  generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString();
const fingerprintOf = (pem: string) =>
  createHash('sha256')
    .update(createPublicKey(pem).export({ type: 'spki', format: 'der' }))
    .digest('hex');

for (const backend of await backends()) {
  describe(`the signing key and its pin on ${backend}`, () => {
    const { central, local } = useCentralAndLocal(backend);
    /** Every answer body this file read, for the private-key scan at the end. */
    const answers: string[] = [];
    const call = async <T = Json>(server: TestServer, path: string, init: RequestInit = {}) => {
      const r = await fetchJson<T>(server, path, {
        ...init,
        ...(init.body ? { headers: { 'content-type': 'application/json' } } : {}),
      });
      answers.push(r.text);
      return r;
    };
    const keyOf = async (server: TestServer) => {
      const r = await call<KeyJson>(server, '/api/metasync/signing-key');
      assert.equal(r.status, 200, r.text);
      return r.body;
    };
    const pinned = async () =>
      (await call<{ pinned: KeyJson | null }>(local, '/api/metasync/signing-key/pinned')).body
        .pinned;
    const audits = async () =>
      (await call<{ audit: Json[] }>(local, '/api/metadata/sync/audit')).body.audit;
    const pin = (publicKey: string, reason?: string) =>
      call<KeyJson & Json>(local, '/api/metasync/signing-key/pinned', {
        method: 'PUT',
        body: JSON.stringify({ publicKey, ...(reason ? { reason } : {}) }),
      });

    it('answers the public key: Ed25519 SPKI PEM, SHA-256 hex fingerprint, nothing else', async () => {
      const key = await keyOf(central);
      assert.deepEqual(Object.keys(key).sort(), ['algorithm', 'fingerprint', 'publicKey']);
      assert.equal(key.algorithm, 'Ed25519');
      assert.match(
        key.publicKey,
        /^-----BEGIN PUBLIC KEY-----\n[\s\S]+-----END PUBLIC KEY-----\n$/,
      );
      assert.equal(createPublicKey(key.publicKey).asymmetricKeyType, 'ed25519');
      assert.match(key.fingerprint, /^[0-9a-f]{64}$/);
      assert.equal(key.fingerprint, fingerprintOf(key.publicKey));
      assert.deepEqual(await keyOf(central), key, 'the same on every read');
      assert.notEqual((await keyOf(local)).fingerprint, key.fingerprint, 'one key per instance');
    });

    it('pins the central key at the first sync with a metasync central, audited', async () => {
      assert.equal(await pinned(), null);
      await connect(local, central.url);
      const report = await syncOk(local);
      const theirs = await keyOf(central);
      assert.equal(report.signingKey?.outcome, 'PINNED');
      assert.equal(report.signingKey?.fingerprint, theirs.fingerprint);
      assert.deepEqual(await pinned(), theirs);
      const [entry] = await audits();
      assert.equal(entry?.action, 'PIN_SIGNING_KEY');
      assert.equal(entry?.username, 'metasync-sync');
      assert.deepEqual(entry?.details, {
        oldFingerprint: null,
        newFingerprint: theirs.fingerprint,
      });
      const again = await syncOk(local);
      assert.equal(again.signingKey?.outcome, 'SAME');
      assert.equal((await audits()).length, 1);
    });

    it('keeps the pin when the central shows another key: a warning in the run report', async () => {
      const theirs = await keyOf(central);
      const other = newPem();
      const r = await pin(other, 'testing a changed central key');
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(r.body, {
        publicKey: other,
        fingerprint: fingerprintOf(other),
        algorithm: 'Ed25519',
      });
      const [entry] = await audits();
      assert.equal(entry?.action, 'PIN_SIGNING_KEY');
      assert.equal(entry?.username, 'admin');
      assert.equal(entry?.reason, 'testing a changed central key');
      assert.deepEqual(entry?.details, {
        oldFingerprint: theirs.fingerprint,
        newFingerprint: fingerprintOf(other),
      });
      assert.ok(!Number.isNaN(Date.parse(String(entry?.at))));

      const report = await syncOk(local);
      assert.equal(report.signingKey?.outcome, 'CHANGED');
      assert.equal(report.signingKey?.fingerprint, theirs.fingerprint);
      assert.equal(report.signingKey?.pinnedFingerprint, fingerprintOf(other));
      assert.match(report.signingKey!.message, /the pin was kept/);
      const logged = local.logs.lines.find(
        (l) => l.msg === 'metadata sync finished' && l.reportId === report.id,
      );
      assert.equal((logged?.signingKey as Json | undefined)?.outcome, 'CHANGED');
      assert.equal((await pinned())?.fingerprint, fingerprintOf(other));
      const listed = await call<SyncReportList>(local, '/api/metadata/sync/reports');
      assert.equal(listed.body.reports?.[0]?.signingKey?.outcome, 'CHANGED', listed.text);
    });

    it('refuses what is not one Ed25519 public key (400), and the settings API (409)', async () => {
      const before = await pinned();
      const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 });
      const ed = generateKeyPairSync('ed25519');
      const bad: [string, RegExp][] = [
        [rsa.publicKey.export({ type: 'spki', format: 'pem' }).toString(), /rsa, not Ed25519/],
        [ed.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), /one PEM public key/],
        ['hello', /one PEM public key/],
      ];
      for (const [pem, message] of bad) {
        const r = await pin(pem);
        assert.equal(r.status, 400, r.text);
        assert.equal(r.body.status, 'ERROR');
        assert.match(String(r.body.message), message);
      }
      const settingsWrite = await call(local, '/api/systemSettings', {
        method: 'POST',
        body: JSON.stringify({ keyCentralSigningKey: newPem() }),
      });
      assert.equal(settingsWrite.status, 409, settingsWrite.text);
      const settingsDelete = await call(local, '/api/systemSettings/keyCentralSigningKey', {
        method: 'DELETE',
      });
      assert.equal(settingsDelete.status, 409, settingsDelete.text);
      assert.deepEqual(await pinned(), before);
      assert.equal((await audits()).length, 2, 'nothing refused was audited');
    });

    it('unpins through the API, audited; a second unpin is 409', async () => {
      const before = (await pinned())!;
      const r = await call(local, '/api/metasync/signing-key/pinned?reason=new%20central', {
        method: 'DELETE',
      });
      assert.equal(r.status, 200, r.text);
      assert.equal(await pinned(), null);
      const [entry] = await audits();
      assert.deepEqual(
        [entry?.action, entry?.username, entry?.reason, entry?.details],
        [
          'UNPIN_SIGNING_KEY',
          'admin',
          'new central',
          { oldFingerprint: before.fingerprint, newFingerprint: null },
        ],
      );
      const again = await call(local, '/api/metasync/signing-key/pinned', { method: 'DELETE' });
      assert.equal(again.status, 409, again.text);
    });

    it('pins nothing from a DHIS2 central (the run succeeds; its client reads 404 as no key)', async () => {
      const version = { name: 'Version_1', created: '2016-07-01T00:00:00.000+0000', id: uid() };
      const fake = await startFakeDhis2Central({
        username: 'admin',
        password: 'district',
        versions: [{ entity: version, snapshot: { dataElements: [newDataElement('K')] } }],
        published: ['Version_1'],
        firstHistory: { metadataversions: [version] },
      });
      try {
        // The metasync central published no version: the local holds none, and may move.
        await connect(local, fake.url, 'admin', 'district');
        const report = await syncOk(local);
        assert.equal(report.signingKey?.outcome, 'NONE');
        assert.equal(await pinned(), null);
        assert.ok(!fake.requests.some((r) => r.includes('signing-key')), fake.requests.join('\n'));
        const client = createHttpCentralClient({
          url: fake.url,
          username: 'admin',
          password: 'district',
        });
        assert.equal(await client.signingKey!(), null);
      } finally {
        await fake.stop();
      }
    });

    it('never answers, logs or stores the private key but sealed', async () => {
      const db = central.instance.database.db;
      const row = await db
        .selectFrom('instance')
        .select(['signing_private_key_sealed', 'signing_public_key'])
        .executeTakeFirstOrThrow();
      const sealed = row.signing_private_key_sealed!;
      assert.doesNotMatch(sealed, /PRIVATE KEY/);
      const info = central.instance.services.instance;
      const box = createAesSecretBox(info.fallbackSecret, info.secretSalt);
      const privatePem = box.open(sealed);
      const privateKey = createPrivateKey(privatePem);
      const der = privateKey.export({ type: 'pkcs8', format: 'der' });
      const seed = der.subarray(der.length - 32);
      const forms = [
        sealed,
        privatePem.split('\n')[1]!,
        der.toString('base64'),
        seed.toString('base64'),
        seed.toString('base64url'),
        seed.toString('hex'),
      ];
      const texts = [...answers, ...central.logs.raw, ...local.logs.raw];
      assert.ok(texts.length > 20);
      for (const form of forms)
        for (const text of texts) assert.ok(!text.includes(form), `found ${form.slice(0, 12)}…`);
      assert.equal(fingerprintOf(row.signing_public_key!), (await keyOf(central)).fingerprint);
    });

    it('keeps the key across restarts; under another encryption.password it starts but cannot sign', async () => {
      const before = await keyOf(central);
      await central.stop();
      for (const overrides of [{}, { encryptionPassword: 'not the one it was sealed with' }]) {
        const again = await startServer(central.database, overrides);
        try {
          assert.deepEqual(await keyOf(again), before);
          const signing = again.instance.services.signing.key();
          if (!overrides.encryptionPassword)
            assert.equal((await signing).fingerprint, before.fingerprint);
          else
            await assert.rejects(signing, (e: unknown) =>
              /encryption\.password/.test((e as Error).message),
            );
        } finally {
          await again.stop();
        }
      }
    });
  });
}

interface SyncReportList {
  reports?: { signingKey?: { outcome: string } }[];
}
