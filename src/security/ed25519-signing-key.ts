/**
 * The instance's Ed25519 signing key (issue 20 §1): made the first time it is needed, stored
 * once on the instance row with the private half sealed by the secret box, and the same ever
 * after. The private key stays inside the returned signer: nothing here hands it out, and it is
 * never logged (a `KeyObject` prints no key material).
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign } from 'node:crypto';
import { fingerprintOf, readPublicKey } from '../domain/bundle/public-key.ts';
import type { BundleSigner, TrustedKey } from '../domain/bundle/signer.ts';
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

/** Memoises a load; a failed one (the database away) is tried again on the next call. */
function once<T>(load: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | null = null;
  return () => {
    value ??= load().catch((e: unknown) => {
      value = null;
      throw e;
    });
    return value;
  };
}

export interface SigningKey {
  /**
   * The public half, the key made and stored if there is none yet. Never opens the private
   * half: a server started under another encryption.password still starts and answers it.
   */
  publicKey(): Promise<TrustedKey>;
  /** The signer, the private half opened (409 when sealed under another encryption.password). */
  signer(): Promise<BundleSigner>;
}

/**
 * The instance's key, made and stored on first need; later calls (and restarts) read the stored
 * one. One read per process: the key never changes once stored.
 */
export function createSigningKey(
  instance: Pick<InstanceStore, 'ensureSigningKey'>,
  box: SecretBox,
): SigningKey {
  const stored = once(() => instance.ensureSigningKey(() => freshKey(box)));
  const publicKey = once(async () => readPublicKey((await stored()).publicKeyPem));
  const signer = once(async (): Promise<BundleSigner> => {
    const privateKey = openPrivateKey(box, (await stored()).sealedPrivateKey);
    const { publicKeyPem, fingerprint } = await publicKey();
    if (fingerprintOf(createPublicKey(privateKey)) !== fingerprint)
      throw errors.conflict("The instance's stored signing key halves do not match");
    return { publicKeyPem, fingerprint, sign: (bytes) => sign(null, bytes, privateKey) };
  });
  return { publicKey, signer };
}
