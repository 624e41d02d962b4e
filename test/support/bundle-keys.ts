/**
 * Ed25519 keys for the bundle tests (issue 20): a signer as the instance's key service gives one,
 * and the trusted key a local pins, made fresh per call.
 */
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import type { BundleSigner, TrustedKey } from '../../src/domain/bundle/signer.ts';

export function testSigner(): BundleSigner & { trusted: TrustedKey } {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }) as string;
  const fingerprint = createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('hex');
  return {
    publicKeyPem,
    fingerprint,
    sign: (bytes) => sign(null, bytes, privateKey),
    trusted: { publicKeyPem, fingerprint },
  };
}
