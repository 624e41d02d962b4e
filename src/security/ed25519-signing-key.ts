/**
 * The instance's Ed25519 signing key (issue 20 §1): made the first time it is needed, stored
 * once on the instance row with the private half sealed by the secret box, and the same ever
 * after. The private key stays inside the returned signer: nothing here hands it out, and it is
 * never logged (a `KeyObject` prints no key material).
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign } from 'node:crypto';
import { fingerprintOf, readPublicKey } from '../domain/bundle/public-key.ts';
import type { BundleSigner } from '../domain/bundle/signer.ts';
import { errors } from '../domain/errors.ts';
import type { InstanceStore, SecretBox, StoredSigningKey } from '../domain/ports.ts';

function freshKey(box: SecretBox): StoredSigningKey {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return {
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    sealedPrivateKey: box.seal(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()),
  };
}

function openPrivateKey(box: SecretBox, sealed: string) {
  try {
    return createPrivateKey(box.open(sealed));
  } catch {
    // As for secret settings: a database restored under another encryption.password.
    throw errors.conflict(
      "The instance's signing key cannot be opened with this server's encryption.password: configure the one it was made with",
    );
  }
}

/**
 * The instance's signer, made and stored on first call; later calls (and restarts) read the
 * stored key. One read per process: the key never changes once stored.
 */
export function createSigningKey(
  instance: Pick<InstanceStore, 'ensureSigningKey'>,
  box: SecretBox,
): () => Promise<BundleSigner> {
  let signer: Promise<BundleSigner> | null = null;
  const load = async (): Promise<BundleSigner> => {
    const stored = await instance.ensureSigningKey(() => freshKey(box));
    const privateKey = openPrivateKey(box, stored.sealedPrivateKey);
    const { publicKeyPem, fingerprint } = readPublicKey(stored.publicKeyPem);
    if (fingerprintOf(createPublicKey(privateKey)) !== fingerprint)
      throw errors.conflict("The instance's stored signing key halves do not match");
    return {
      publicKeyPem,
      fingerprint,
      sign: (bytes) => sign(null, bytes, privateKey),
    };
  };
  return () => {
    signer ??= load().catch((e: unknown) => {
      signer = null; // a failed read (database away) is tried again next time
      throw e;
    });
    return signer;
  };
}
