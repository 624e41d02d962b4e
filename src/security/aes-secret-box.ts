/**
 * Encrypts secret system settings at rest with AES-256-GCM (issue 3). The key is derived with
 * scrypt from `encryption.password` (dhis.conf) and a per-instance salt kept in the database.
 * Sealed form: `v1:<iv b64>:<tag b64>:<ciphertext b64>`.
 */
import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from 'node:crypto';
import type { SecretBox } from '../domain/ports.ts';

export function createAesSecretBox(password: string, salt: string): SecretBox {
  const key = scryptSync(password, Buffer.from(salt, 'base64'), 32, { N: 2 ** 14, r: 8, p: 1 });
  return {
    seal(plain) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return [
        'v1',
        iv.toString('base64'),
        cipher.getAuthTag().toString('base64'),
        data.toString('base64'),
      ].join(':');
    },
    open(sealed) {
      const [v, iv, tag, data] = sealed.split(':');
      if (v !== 'v1' || !iv || !tag || data === undefined)
        throw new Error('Stored secret is not in the v1 sealed format');
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'));
      decipher.setAuthTag(Buffer.from(tag, 'base64'));
      // A wrong encryption.password fails here (GCM tag mismatch) instead of yielding garbage.
      return Buffer.concat([
        decipher.update(Buffer.from(data, 'base64')),
        decipher.final(),
      ]).toString('utf8');
    },
  };
}
