/**
 * The fingerprint of a pasted or chosen public key, as the server computes it (SHA-256 of the
 * key's SPKI DER, which is the PEM's body): shown before the key is pinned, so an administrator
 * compares it with the one read out from the central first. Browsers give SHA-256 only to secure
 * pages (https, or the machine itself); elsewhere this is null and the fingerprint shows once the
 * server has pinned the key.
 */
import { useEffect, useState } from 'react';

const PEM = /-----BEGIN PUBLIC KEY-----([A-Za-z0-9+/=\s]+)-----END PUBLIC KEY-----/;

export async function pemFingerprint(pem: string): Promise<string | null> {
  const body = PEM.exec(pem)?.[1];
  if (!body || !globalThis.crypto?.subtle) return null;
  let der: Uint8Array<ArrayBuffer>;
  try {
    der = Uint8Array.from(atob(body.replace(/\s+/g, '')), (c) => c.charCodeAt(0));
  } catch {
    return null; // not base64: the server says what is wrong with it when pinning
  }
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', der));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Saves `text` as a file the browser downloads (a key is small: no need to stream it). */
export function saveText(text: string, fileName: string, type = 'application/x-pem-file') {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([text], { type }));
  a.download = fileName;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

/** `pemFingerprint` of the key being pasted or read, recomputed as it changes (null meanwhile). */
export function usePemFingerprint(pem: string): string | null {
  // Kept with the key it belongs to, so a changed key shows null until its own one is computed.
  const [known, setKnown] = useState<{ pem: string; fingerprint: string | null } | null>(null);
  useEffect(() => {
    let current = true;
    void pemFingerprint(pem).then((fingerprint) => current && setKnown({ pem, fingerprint }));
    return () => {
      current = false;
    };
  }, [pem]);
  return known?.pem === pem ? known.fingerprint : null;
}
