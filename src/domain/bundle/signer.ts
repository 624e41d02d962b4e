/**
 * Who signs and who checks an offline bundle (issue 20 §1–§3): the ports between the bundle
 * format (domain) and the instance's Ed25519 key pair (an adapter keeps the private key sealed;
 * it never leaves the server). A bundle carries the fingerprint of the key that signed it; a
 * local checks the signature against the key it pinned for its central.
 */

/** The instance's own key, able to sign. */
export interface BundleSigner {
  /** The public key, SPKI PEM. */
  publicKeyPem: string;
  /** SHA-256 of the public key's DER (SPKI) bytes, lower-case hex: what people compare. */
  fingerprint: string;
  /** The Ed25519 signature of `bytes`. */
  sign(bytes: Uint8Array): Buffer;
}

/** A key a bundle is checked against (a pinned one). */
export interface TrustedKey {
  publicKeyPem: string;
  fingerprint: string;
}
