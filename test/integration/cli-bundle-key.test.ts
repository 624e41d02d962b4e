/**
 * `metasync bundle key | trust` as child processes (issue 20 §1), on both backends: trust pins a
 * PEM file and prints its fingerprint, audited as the operating-system user; a file that is not
 * an Ed25519 public key is refused with the reason and pins nothing; key prints this instance's
 * public key, which the server then answers. Few processes: each start costs a few seconds.
 */
import assert from 'node:assert/strict';
import { createHash, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli, withServices } from '../support/cli-process.ts';
import { backends, createTestDatabase, type TestDatabase } from '../support/databases.ts';

let tmp: string;
before(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'metasync-cli-key-'));
});
after(() => rm(tmp, { recursive: true, force: true }));

const cli = (args: string[], database: TestDatabase) => runCli(args, database, 'field-admin');

const fingerprintOf = (pem: string) =>
  createHash('sha256')
    .update(createPublicKey(pem).export({ type: 'spki', format: 'der' }))
    .digest('hex');

for (const [n, backend] of (await backends()).entries()) {
  describe(`metasync bundle key | trust on ${backend}`, () => {
    let database: TestDatabase;
    before(async () => {
      database = await createTestDatabase(backend);
      // The test database's template is laid down on its first open, before any CLI process.
      await (await database.open()).close();
    });
    after(() => database.dispose());

    it('trust pins a PEM file, prints its fingerprint and audits the CLI user', async () => {
      const pem = generateKeyPairSync('ed25519')
        .publicKey.export({ type: 'spki', format: 'pem' })
        .toString();
      const file = path.join(tmp, `central-${backend}.pem`);
      await writeFile(file, pem);
      const r = await cli(
        ['bundle', 'trust', '--key', file, '--reason', 'carried by hand'],
        database,
      );
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, new RegExp(`Pinned the central signing key ${fingerprintOf(pem)}`));
      await withServices(database, async (services) => {
        assert.deepEqual(await services.signing.pinned(), {
          publicKeyPem: pem,
          fingerprint: fingerprintOf(pem),
        });
        const [entry] = await services.sync.audits();
        assert.deepEqual(
          [entry?.action, entry?.username, entry?.reason, entry?.details],
          [
            'PIN_SIGNING_KEY',
            'field-admin',
            'carried by hand',
            { oldFingerprint: null, newFingerprint: fingerprintOf(pem) },
          ],
        );
      });
    });

    // The refusal and `key` once: the CLI's code is the same on both backends.
    if (n === 0) {
      it('trust refuses a file that is not an Ed25519 public key, pinning nothing new', async () => {
        const file = path.join(tmp, 'rsa.pem');
        const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 });
        await writeFile(file, rsa.publicKey.export({ type: 'spki', format: 'pem' }).toString());
        const r = await cli(['bundle', 'trust', '--key', file], database);
        assert.equal(r.code, 1);
        assert.match(r.stderr, /^metasync: The key is rsa, not Ed25519\n$/);
        await withServices(database, async (services) => {
          assert.equal((await services.sync.audits()).length, 1);
        });
      });

      it("key prints this instance's public key (stdout) and fingerprint (stderr)", async () => {
        const r = await cli(['bundle', 'key'], database);
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stdout, /^-----BEGIN PUBLIC KEY-----\n[\s\S]+-----END PUBLIC KEY-----\n$/);
        assert.equal(r.stderr, `fingerprint ${fingerprintOf(r.stdout)}\n`);
        await withServices(database, async (services) => {
          assert.equal((await services.signing.key()).publicKeyPem, r.stdout);
        });
      });
    }
  });
}
