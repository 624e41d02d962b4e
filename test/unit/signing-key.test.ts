/**
 * The instance's signing key and the pin of the central's (issue 20 §1), over the in-memory
 * instance, setting and sync stores: the key is made once and read back the same after a
 * "restart" (a new signer over the same store), its private half is stored sealed, fingerprints
 * are SHA-256 hex of the SPKI DER, pasted PEM that is not one Ed25519 public key is refused, and
 * the pin changes only through its audited use case.
 */
import assert from 'node:assert/strict';
import { createHash, createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  createKeyPinning,
  PIN_SIGNING_KEY,
  SYNC_ACTOR,
  UNPIN_SIGNING_KEY,
} from '../../src/domain/bundle/key-pinning.ts';
import { readPublicKey, verifySignature } from '../../src/domain/bundle/public-key.ts';
import { AppError, ErrorCode } from '../../src/domain/errors.ts';
import { createSettingsService } from '../../src/domain/settings/settings-service.ts';
import { createAesSecretBox } from '../../src/security/aes-secret-box.ts';
import { createSigningKey } from '../../src/security/ed25519-signing-key.ts';
import { createMemoryInstanceStore } from '../support/fakes/memory-instance-store.ts';
import { createMemorySettingStore } from '../support/fakes/memory-setting-store.ts';
import { createMemorySyncStore } from '../support/fakes/memory-sync-store.ts';

const box = () => createAesSecretBox('the encryption password', 'salt-0123456789');
const publicPem = (type: 'ed25519' | 'ed448' | 'x25519' = 'ed25519') =>
  generateKeyPairSync(type as 'ed25519')
    .publicKey.export({ type: 'spki', format: 'pem' })
    .toString();
const rejects = (code: ErrorCode, pattern: RegExp) => (e: unknown) =>
  e instanceof AppError && e.code === code && pattern.test(e.message);

describe('the instance signing key', () => {
  it('is made once and is the same after a restart; the private half is stored sealed', async () => {
    const instance = createMemoryInstanceStore();
    let made = 0;
    const counting = {
      ensureSigningKey: (fresh: Parameters<typeof instance.ensureSigningKey>[0]) =>
        instance.ensureSigningKey(() => (made++, fresh())),
    };
    const first = await createSigningKey(counting, box()).signer();
    // A restart: a new key object over the same row (its public half read first, as at start).
    const restarted = createSigningKey(counting, box());
    assert.deepEqual(await restarted.publicKey(), {
      publicKeyPem: first.publicKeyPem,
      fingerprint: first.fingerprint,
    });
    const again = await restarted.signer();
    assert.equal(made, 1);
    assert.equal(again.publicKeyPem, first.publicKeyPem);
    assert.equal(again.fingerprint, first.fingerprint);
    const stored = await instance.ensureSigningKey(() => assert.fail('a key is stored'));
    assert.doesNotMatch(stored.sealedPrivateKey, /PRIVATE KEY|BEGIN/);
    assert.ok(!JSON.stringify(first).includes(stored.sealedPrivateKey));
    assert.deepEqual(Object.keys(first).sort(), ['fingerprint', 'publicKeyPem', 'sign']);
  });

  it('signs with Ed25519; the fingerprint is the SHA-256 hex of the SPKI DER bytes', async () => {
    const signer = await createSigningKey(createMemoryInstanceStore(), box()).signer();
    const key = createPublicKey(signer.publicKeyPem);
    assert.equal(key.asymmetricKeyType, 'ed25519');
    assert.match(signer.fingerprint, /^[0-9a-f]{64}$/);
    const der = key.export({ type: 'spki', format: 'der' });
    assert.equal(signer.fingerprint, createHash('sha256').update(der).digest('hex'));
    const bytes = Buffer.from('{"format":"metasync-bundle/1"}');
    const signature = signer.sign(bytes);
    assert.equal(signature.length, 64);
    assert.ok(verify(null, bytes, key, signature));
    assert.ok(!verify(null, Buffer.from('{"format":"other"}'), key, signature));
    // The bundle format's check (verifySignature) agrees, and refuses another key or a bad length.
    assert.ok(verifySignature(signer, bytes, signature));
    assert.ok(!verifySignature(readPublicKey(publicPem()), bytes, signature));
    assert.ok(!verifySignature(signer, bytes, signature.subarray(1)));
  });

  it('is one signer per process; under another password the public half reads, signing is 409', async () => {
    const instance = createMemoryInstanceStore();
    const key = createSigningKey(instance, box());
    assert.equal(await key.signer(), await key.signer());
    const other = createSigningKey(
      instance,
      createAesSecretBox('another password', 'salt-0123456789'),
    );
    assert.deepEqual(await other.publicKey(), await key.publicKey());
    await assert.rejects(other.signer(), rejects(ErrorCode.CONFLICT, /encryption\.password/));
  });
});

describe('readPublicKey', () => {
  it('reads an Ed25519 SPKI PEM, with blank lines or CRLF around it, to its canonical form', () => {
    const pem = publicPem();
    const key = readPublicKey(`\n\n${pem.replaceAll('\n', '\r\n')}  \n`);
    assert.equal(key.publicKeyPem, pem);
    assert.match(key.fingerprint, /^[0-9a-f]{64}$/);
    assert.equal(readPublicKey(pem).fingerprint, key.fingerprint);
  });

  it('refuses (400) other key types, private keys, two keys and text that is no PEM', () => {
    const bad = ErrorCode.BAD_REQUEST;
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const cases: [string, RegExp][] = [
      [rsa.publicKey.export({ type: 'spki', format: 'pem' }).toString(), /is rsa, not Ed25519/],
      [ec.publicKey.export({ type: 'spki', format: 'pem' }).toString(), /is ec, not Ed25519/],
      [publicPem('x25519'), /is x25519, not Ed25519/],
      [
        generateKeyPairSync('ed25519')
          .privateKey.export({ type: 'pkcs8', format: 'pem' })
          .toString(),
        /one PEM public key/,
      ],
      [`${publicPem()}${publicPem()}`, /one PEM public key/],
      ['-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----', /not a readable/],
      ['', /one PEM public key/],
      ['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI', /one PEM public key/],
    ];
    for (const [pem, pattern] of cases)
      assert.throws(() => readPublicKey(pem), rejects(bad, pattern), pem.slice(0, 40));
  });
});

function pinningHarness() {
  const now = new Date('2026-12-07T10:00:00Z');
  const settings = createSettingsService({
    store: createMemorySettingStore(),
    box: box(),
    clock: { now: () => now },
    maxAgeMs: 0,
  });
  const audit = createMemorySyncStore();
  const pinning = createKeyPinning({
    store: {
      read: () => settings.get('keyCentralSigningKey'),
      write: (pem) => settings.putManaged('keyCentralSigningKey', pem),
    },
    audit,
    now: () => now,
  });
  return { settings, audit, pinning, now };
}

describe('the pinned central key', () => {
  it('is pinned by the first key a central shows, audited as the sync; NONE pins nothing', async () => {
    const { pinning, audit, now } = pinningHarness();
    const none = await pinning.observe(null);
    assert.equal(none.outcome, 'NONE');
    assert.equal(await pinning.pinned(), null);
    const pem = publicPem();
    const note = await pinning.observe(pem);
    const key = readPublicKey(pem);
    assert.deepEqual(note, {
      outcome: 'PINNED',
      fingerprint: key.fingerprint,
      pinnedFingerprint: key.fingerprint,
      message: `Pinned the central's signing key ${key.fingerprint}`,
    });
    assert.deepEqual(await pinning.pinned(), key);
    const [entry, ...rest] = await audit.audits();
    assert.equal(rest.length, 0);
    assert.deepEqual(
      { ...entry, id: 0 },
      {
        id: 0,
        action: PIN_SIGNING_KEY,
        username: SYNC_ACTOR,
        at: now,
        reason: 'First online contact with the central',
        details: { oldFingerprint: null, newFingerprint: key.fingerprint },
      },
    );
  });

  it('keeps the pin when the central shows another key, and says so', async () => {
    const { pinning, audit } = pinningHarness();
    const first = readPublicKey(publicPem());
    await pinning.observe(first.publicKeyPem);
    assert.equal((await pinning.observe(first.publicKeyPem)).outcome, 'SAME');
    const other = readPublicKey(publicPem());
    const note = await pinning.observe(other.publicKeyPem);
    assert.equal(note.outcome, 'CHANGED');
    assert.equal(note.fingerprint, other.fingerprint);
    assert.equal(note.pinnedFingerprint, first.fingerprint);
    assert.match(note.message, new RegExp(`${other.fingerprint}.*${first.fingerprint}.*kept`));
    assert.deepEqual(await pinning.pinned(), first);
    assert.equal((await audit.audits()).length, 1, 'only the first pin was audited');
  });

  it('changes only by pin or unpin, each audited with who, why and both fingerprints', async () => {
    const { pinning, audit, settings } = pinningHarness();
    const first = readPublicKey(publicPem());
    const second = readPublicKey(publicPem());
    await pinning.pin(first.publicKeyPem, { username: 'admin' });
    await pinning.pin(second.publicKeyPem, { username: 'alice', reason: ' central reinstalled ' });
    await pinning.unpin({ username: 'bob', reason: 'moving to a new central' });
    assert.equal(await pinning.pinned(), null);
    assert.deepEqual(
      (await audit.audits()).map((a) => [a.action, a.username, a.reason, a.details]),
      [
        [
          UNPIN_SIGNING_KEY,
          'bob',
          'moving to a new central',
          { oldFingerprint: second.fingerprint, newFingerprint: null },
        ],
        [
          PIN_SIGNING_KEY,
          'alice',
          'central reinstalled',
          { oldFingerprint: first.fingerprint, newFingerprint: second.fingerprint },
        ],
        [PIN_SIGNING_KEY, 'admin', '', { oldFingerprint: null, newFingerprint: first.fingerprint }],
      ],
    );
    await assert.rejects(pinning.unpin({ username: 'bob' }), rejects(ErrorCode.CONFLICT, /No/));
    await assert.rejects(
      pinning.pin('not a key', { username: 'admin' }),
      rejects(ErrorCode.BAD_REQUEST, /PEM/),
    );
    assert.equal((await audit.audits()).length, 3, 'a refused pin is not audited');
    // The settings API cannot write or delete it behind the audit's back.
    await assert.rejects(
      settings.update({ keyCentralSigningKey: first.publicKeyPem }),
      rejects(ErrorCode.CONFLICT, /PUT \/api\/metasync\/signing-key\/pinned/),
    );
    await pinning.pin(first.publicKeyPem, { username: 'admin' });
    // A client posting the listing back sends the pinned value unchanged: accepted, no change.
    await settings.update({ keyCentralSigningKey: first.publicKeyPem, applicationTitle: 'T' });
    await assert.rejects(
      settings.remove('keyCentralSigningKey'),
      rejects(ErrorCode.CONFLICT, /audits/),
    );
    assert.deepEqual(await pinning.pinned(), first);
  });
});
