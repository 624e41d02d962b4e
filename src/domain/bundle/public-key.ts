/**
 * Ed25519 public keys as people and bundles exchange them (issue 20 §1): SPKI PEM, named by the
 * SHA-256 of their DER bytes. A key pasted by an administrator or answered by a central is read
 * here before it is trusted, so a wrong kind of key is refused at the door, not at the first
 * bundle it fails to check.
 */
import { createHash, createPublicKey, verify, type KeyObject } from 'node:crypto';
import { errors } from '../errors.ts';
import type { TrustedKey } from './signer.ts';

export const SIGNING_ALGORITHM = 'Ed25519' as const;

/** SHA-256 of the key's SPKI DER bytes, lower-case hex. */
export function fingerprintOf(key: KeyObject): string {
  return createHash('sha256')
    .update(key.export({ type: 'spki', format: 'der' }))
    .digest('hex');
}

/**
 * The trusted form of a PEM text: its canonical SPKI PEM and fingerprint. Refuses (400) what is
 * not one Ed25519 public key, a private key included: pasting the wrong half must not store it.
 */
export function readPublicKey(pem: string): TrustedKey {
  const text = pem.trim();
  if (!/^-----BEGIN PUBLIC KEY-----\r?\n[A-Za-z0-9+/=\r\n]+-----END PUBLIC KEY-----$/.test(text))
    throw errors.badRequest(
      'The key must be one PEM public key (-----BEGIN PUBLIC KEY----- … -----END PUBLIC KEY-----)',
    );
  let key: KeyObject;
  try {
    key = createPublicKey({ key: text, format: 'pem' });
  } catch {
    throw errors.badRequest('The key is not a readable PEM public key');
  }
  if (key.asymmetricKeyType !== 'ed25519')
    throw errors.badRequest(
      `The key is ${key.asymmetricKeyType ?? 'of an unknown type'}, not ${SIGNING_ALGORITHM}`,
    );
  return {
    publicKeyPem: key.export({ type: 'spki', format: 'pem' }).toString(),
    fingerprint: fingerprintOf(key),
  };
}

/** Whether `signature` is `key`'s Ed25519 signature of `bytes` (false for any malformed one). */
export function verifySignature(
  key: TrustedKey,
  bytes: Uint8Array,
  signature: Uint8Array,
): boolean {
  try {
    return verify(null, bytes, createPublicKey(key.publicKeyPem), signature);
  } catch {
    // A signature of the wrong length is not a valid one: no need to tell it apart.
    return false;
  }
}
