/** Password hashing (scrypt) and secret-setting encryption (AES-256-GCM). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createAesSecretBox } from '../../src/security/aes-secret-box.ts';
import { newPassword, newSecret } from '../../src/security/random.ts';
import { createScryptHasher } from '../../src/security/scrypt-hasher.ts';
import { passwordProblems } from '../../src/domain/auth/users.ts';

// Low cost: the format and the checks are what is under test, not the work factor.
const FAST = { N: 1024, r: 8, p: 1 };

describe('scrypt hasher', () => {
  const hasher = createScryptHasher(FAST);

  it('hashes to scrypt$N$r$p$salt$hash and verifies the right password', async () => {
    const hash = await hasher.hash('Secret-123!');
    assert.match(hash, /^scrypt\$1024\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    assert.ok(!hash.includes('Secret-123!'));
    assert.equal(await hasher.verify('Secret-123!', hash), true);
    // Twice: the second answer comes from the verified-cache and must agree.
    assert.equal(await hasher.verify('Secret-123!', hash), true);
  });

  it('salts: the same password hashes differently each time', async () => {
    const [a, b] = await Promise.all([hasher.hash('Same-123!'), hasher.hash('Same-123!')]);
    assert.notEqual(a, b);
    assert.equal(await hasher.verify('Same-123!', a), true);
    assert.equal(await hasher.verify('Same-123!', b), true);
  });

  it('rejects a wrong password, also after the right one was cached', async () => {
    const hash = await hasher.hash('Right-123!');
    assert.equal(await hasher.verify('Wrong-123!', hash), false);
    assert.equal(await hasher.verify('Right-123!', hash), true);
    assert.equal(await hasher.verify('Wrong-123!', hash), false);
    assert.equal(await hasher.verify('', hash), false);
    assert.equal(await hasher.verify('Right-123! ', hash), false);
  });

  it('answers false for malformed hashes instead of throwing', async () => {
    for (const bad of ['', 'plain', 'bcrypt$1$2$3$4$5', 'scrypt$1024$8$1$c2FsdA==', 'scrypt$$$$$'])
      assert.equal(await hasher.verify('whatever', bad), false, bad);
    // Cost parameters node:crypto refuses (N not a power of 2, zero, huge) are malformed too.
    const key = Buffer.alloc(32).toString('base64');
    for (const params of ['3$8$1', '0$8$1', '1024$0$1', '1024$8$0', 'x$8$1'])
      assert.equal(await hasher.verify('whatever', `scrypt$${params}$c2FsdA==$${key}`), false);
  });

  it('never accepts a hash whose key part is empty or truncated', async () => {
    // A zero-length key compares equal to a zero-length scrypt output.
    assert.equal(await hasher.verify('anything', 'scrypt$1024$8$1$c2FsdA==$'), false);
    const short = Buffer.alloc(4).toString('base64');
    assert.equal(await hasher.verify('anything', `scrypt$1024$8$1$c2FsdA==$${short}`), false);
  });

  it('verifies a hash made with other parameters (cost is read from the hash)', async () => {
    const other = createScryptHasher({ N: 2048, r: 4, p: 1 });
    const hash = await other.hash('Other-123!');
    assert.match(hash, /^scrypt\$2048\$4\$1\$/);
    assert.equal(await hasher.verify('Other-123!', hash), true);
    assert.equal(await hasher.verify('other-123!', hash), false);
  });

  it('does not share its verified-cache with another hasher', async () => {
    const hash = await hasher.hash('Cache-123!');
    assert.equal(await hasher.verify('Cache-123!', hash), true);
    const fresh = createScryptHasher(FAST, { ttlMs: 0, max: 1 });
    assert.equal(await fresh.verify('Cache-123!', hash), true);
    assert.equal(await fresh.verify('Cache-124!', hash), false);
  });
});

describe('AES secret box', () => {
  const salt = newSecret(16);

  it('round-trips text, including empty and non-ASCII strings', () => {
    const box = createAesSecretBox('correct horse', salt);
    for (const plain of ['district', '', 'pässwörd ✓ 密码', 'x'.repeat(5000)])
      assert.equal(box.open(box.seal(plain)), plain);
  });

  it('seals to v1:iv:tag:data and never contains the plain text', () => {
    const box = createAesSecretBox('correct horse', salt);
    const sealed = box.seal('district-secret');
    assert.match(sealed, /^v1:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]*$/);
    assert.ok(!sealed.includes('district-secret'));
  });

  it('gives a different ciphertext on every seal (random IV)', () => {
    const box = createAesSecretBox('correct horse', salt);
    const seals = new Set(Array.from({ length: 20 }, () => box.seal('same')));
    assert.equal(seals.size, 20);
  });

  it('opens with another box built from the same password and salt', () => {
    const sealed = createAesSecretBox('correct horse', salt).seal('shared');
    assert.equal(createAesSecretBox('correct horse', salt).open(sealed), 'shared');
  });

  it('detects tampering with the ciphertext, the tag or the IV', () => {
    const box = createAesSecretBox('correct horse', salt);
    const [v, iv, tag, data] = box.seal('tamper me please').split(':') as [
      string,
      string,
      string,
      string,
    ];
    const flip = (b64: string) => {
      const buf = Buffer.from(b64, 'base64');
      buf[0] = buf[0]! ^ 0x01;
      return buf.toString('base64');
    };
    assert.throws(() => box.open([v, iv, tag, flip(data)].join(':')));
    assert.throws(() => box.open([v, iv, flip(tag), data].join(':')));
    assert.throws(() => box.open([v, flip(iv), tag, data].join(':')));
  });

  it('fails with a wrong password or a wrong salt instead of returning garbage', () => {
    const sealed = createAesSecretBox('correct horse', salt).seal('secret');
    assert.throws(() => createAesSecretBox('wrong horse', salt).open(sealed));
    assert.throws(() => createAesSecretBox('correct horse', newSecret(16)).open(sealed));
  });

  it('rejects values not in the v1 format', () => {
    const box = createAesSecretBox('correct horse', salt);
    for (const bad of ['', 'plain text', 'v2:a:b:c', 'v1:onlyiv'])
      assert.throws(() => box.open(bad), /v1 sealed format/);
  });
});

describe('random helpers', () => {
  it('newPassword satisfies the DHIS2 password rule and differs each call', () => {
    const a = newPassword();
    assert.deepEqual(passwordProblems(a), []);
    assert.notEqual(a, newPassword());
  });

  it('newSecret returns base64 of the requested number of bytes', () => {
    assert.equal(Buffer.from(newSecret(16), 'base64').length, 16);
    assert.equal(Buffer.from(newSecret(), 'base64').length, 32);
  });
});
