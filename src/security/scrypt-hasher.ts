/**
 * Password hashing with scrypt (node:crypto). Stored form: `scrypt$N$r$p$<salt b64>$<hash b64>`,
 * so the cost can be raised later without breaking existing hashes.
 *
 * Every API call carries HTTP Basic credentials (as DHIS2 locals send them), and scrypt is
 * deliberately slow, so successful checks are remembered for a short time under an HMAC with a
 * per-process key: the cache never holds a password or a fast unsalted hash of one.
 */
import {
  createHmac,
  randomBytes,
  scrypt as scryptCb,
  timingSafeEqual,
  type ScryptOptions,
} from 'node:crypto';
import bcrypt from 'bcryptjs';
import type { PasswordHasher } from '../domain/ports.ts';

/**
 * DHIS2 stores bcrypt hashes. A user imported with one (e.g. copied from a DHIS2 database, as the
 * platform-perf fixtures are) keeps it, and logs in with the same password here (PINS: bcryptjs).
 */
export const isBcryptHash = (s: string): boolean => /^\$2[aby]\$\d{2}\$[./A-Za-z0-9]{53}$/.test(s);

const scrypt = (password: string, salt: Buffer, keylen: number, opts: ScryptOptions) =>
  new Promise<Buffer>((resolve, reject) =>
    scryptCb(password, salt, keylen, opts, (err, key) => (err ? reject(err) : resolve(key))),
  );

export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

/** OWASP's scrypt minimum (N=2^17, r=8, p=1) needs 128 MiB; 2^15 keeps logins fast on 2 cores. */
export const DEFAULT_SCRYPT: ScryptParams = { N: 2 ** 15, r: 8, p: 1 };

export function createScryptHasher(
  params: ScryptParams = DEFAULT_SCRYPT,
  // Sized for a fleet: 1,000 locals with a sync user each, polling every minute, used to
  // overflow a 1,000-entry cache and expire every entry after 60 s whatever its use, so that
  // every poll paid a full scrypt (~0.1 s of CPU: a central saturated, `npm run bench -- load`).
  // Now an entry lives while it is used (sliding expiry, least recently used evicted first).
  cache: { ttlMs: number; max: number } = { ttlMs: 10 * 60_000, max: 10_000 },
): PasswordHasher {
  const cacheKey = randomBytes(32);
  const verified = new Map<string, number>(); // hmac → expiry (ms), least recently used first
  const maxmem = 256 * params.N * params.r + 1024 * 1024;
  const remember = (mark: string) => {
    verified.delete(mark);
    if (verified.size >= cache.max) verified.delete(verified.keys().next().value!);
    verified.set(mark, performance.now() + cache.ttlMs);
  };

  return {
    async hash(password) {
      const salt = randomBytes(16);
      const key = await scrypt(password, salt, 32, { ...params, maxmem });
      return [
        'scrypt',
        params.N,
        params.r,
        params.p,
        salt.toString('base64'),
        key.toString('base64'),
      ].join('$');
    },
    async verify(password, stored) {
      const mark = createHmac('sha256', cacheKey)
        .update(stored)
        .update('\0')
        .update(password)
        .digest('base64');
      const expiry = verified.get(mark);
      if (expiry !== undefined && expiry > performance.now()) {
        remember(mark);
        return true;
      }
      if (isBcryptHash(stored)) {
        const ok = await bcrypt.compare(password, stored);
        if (ok) remember(mark);
        return ok;
      }
      const parts = stored.split('$');
      if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
      const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
      const salt = Buffer.from(parts[4]!, 'base64');
      const expected = Buffer.from(parts[5]!, 'base64');
      // An empty key would compare equal to an empty result: a malformed hash matches nothing.
      if (expected.length < 16) return false;
      let actual: Buffer;
      try {
        actual = await scrypt(password, salt, expected.length, {
          N,
          r,
          p,
          maxmem: 256 * N * r + 1024 * 1024,
        });
      } catch {
        return false; // cost parameters node:crypto refuses (e.g. N not a power of 2)
      }
      const ok = actual.length === expected.length && timingSafeEqual(actual, expected);
      if (ok) remember(mark);
      return ok;
    },
  };
}
