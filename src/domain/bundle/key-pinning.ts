/**
 * The central's key a local trusts (issue 20 §1). It is pinned once, automatically, at the first
 * online contact with a metasync central, or by an administrator for a site never online. After
 * that only an explicit, audited action changes it: a central that shows another key (a new
 * install, or someone in the middle) is reported, never trusted silently, since the pin is all
 * that tells a bundle from the central apart from a forged one.
 */
import { errors } from '../errors.ts';
import type { SyncAuditLog } from '../sync/sync-ports.ts';
import { readPublicKey } from './public-key.ts';
import type { TrustedKey } from './signer.ts';

export const PIN_SIGNING_KEY = 'PIN_SIGNING_KEY';
export const UNPIN_SIGNING_KEY = 'UNPIN_SIGNING_KEY';
/** Who pins the first key seen at an online contact (the audit entry's username). */
export const SYNC_ACTOR = 'metasync-sync';

export interface PinnedKeyStore {
  /** The pinned PEM, or '' when none. */
  read(): Promise<string>;
  /** Stores a PEM; '' unpins. */
  write(pem: string): Promise<void>;
}

export interface KeyPinningDeps {
  store: PinnedKeyStore;
  audit: Pick<SyncAuditLog, 'audit'>;
  now: () => Date;
}

/** What a sync run saw of its central's key; recorded in the run's report. */
export interface CentralKeyNote {
  /**
   * PINNED: pinned now; SAME: matches the pin; CHANGED: differs, the pin kept; NONE: the central
   * shows no key; UNREADABLE: asking failed (the run goes on).
   */
  outcome: 'PINNED' | 'SAME' | 'CHANGED' | 'NONE' | 'UNREADABLE';
  /** The central's key fingerprint, when it showed one. */
  fingerprint: string | null;
  /** The pinned key's fingerprint after the run (null: none, or not read when UNREADABLE). */
  pinnedFingerprint: string | null;
  message: string;
}

export interface PinInput {
  username: string;
  reason?: string;
}

export function createKeyPinning({ store, audit, now }: KeyPinningDeps) {
  async function pinned(): Promise<TrustedKey | null> {
    const pem = await store.read();
    return pem ? readPublicKey(pem) : null;
  }

  async function record(
    action: string,
    input: PinInput,
    before: TrustedKey | null,
    after: TrustedKey | null,
  ) {
    await audit.audit({
      action,
      username: input.username,
      at: now(),
      reason: input.reason?.trim() ?? '',
      details: {
        oldFingerprint: before?.fingerprint ?? null,
        newFingerprint: after?.fingerprint ?? null,
      },
    });
  }

  /** Pins `pem` (replacing any pin), audited. Returns the key as pinned. */
  async function pin(pem: string, input: PinInput): Promise<TrustedKey> {
    const key = readPublicKey(pem);
    const before = await pinned();
    await store.write(key.publicKeyPem);
    await record(PIN_SIGNING_KEY, input, before, key);
    return key;
  }

  /** Removes the pin, audited; the next online contact pins again. */
  async function unpin(input: PinInput): Promise<void> {
    const before = await pinned();
    if (!before) throw errors.conflict('No central signing key is pinned');
    await store.write('');
    await record(UNPIN_SIGNING_KEY, input, before, null);
  }

  /**
   * A sync run's look at the central's key (`pem`, or null when it shows none): pins it when
   * nothing is pinned; otherwise compares and keeps the pin.
   */
  async function observe(pem: string | null): Promise<CentralKeyNote> {
    const current = await pinned();
    const pinnedFingerprint = current?.fingerprint ?? null;
    if (pem === null)
      return {
        outcome: 'NONE',
        fingerprint: null,
        pinnedFingerprint,
        message: 'The central shows no signing key (a DHIS2 central has none)',
      };
    const theirs = readPublicKey(pem);
    if (!current) {
      await store.write(theirs.publicKeyPem);
      await record(
        PIN_SIGNING_KEY,
        { username: SYNC_ACTOR, reason: 'First online contact with the central' },
        null,
        theirs,
      );
      return {
        outcome: 'PINNED',
        fingerprint: theirs.fingerprint,
        pinnedFingerprint: theirs.fingerprint,
        message: `Pinned the central's signing key ${theirs.fingerprint}`,
      };
    }
    if (current.fingerprint === theirs.fingerprint)
      return {
        outcome: 'SAME',
        fingerprint: theirs.fingerprint,
        pinnedFingerprint,
        message: "The central's signing key matches the pinned one",
      };
    return {
      outcome: 'CHANGED',
      fingerprint: theirs.fingerprint,
      pinnedFingerprint,
      message: `The central now shows signing key ${theirs.fingerprint}, not the pinned ${current.fingerprint}: the pin was kept. If the central's key really changed, pin the new one (PUT /api/metasync/signing-key/pinned or metasync bundle trust).`,
    };
  }

  return { pinned, pin, unpin, observe };
}

export type KeyPinning = ReturnType<typeof createKeyPinning>;
