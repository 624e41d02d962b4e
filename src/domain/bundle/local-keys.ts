/**
 * The locals' keys a central trusts (issue 20 §5). Each metasync instance signs with its own key;
 * a central accepts a local's data bundle only when it is signed by the key pinned for that
 * local's systemId. A pin is an administrator's explicit, audited act, after comparing the
 * fingerprint the local shows (its SigningKey screen, `metasync bundle key`) with the file's:
 * anyone can write a manifest naming a systemId, only the pinned key's holder can sign it.
 */
import { errors } from '../errors.ts';
import type { SyncAuditLog } from '../sync/sync-ports.ts';
import { dataBundleRefused } from './data-bundle-refusal.ts';
import { verifyManifest, type SignedFields } from './manifest-signature.ts';
import { readPublicKey } from './public-key.ts';
import type { TrustedKey } from './signer.ts';

export const PIN_LOCAL_SIGNING_KEY = 'PIN_LOCAL_SIGNING_KEY';
export const UNPIN_LOCAL_SIGNING_KEY = 'UNPIN_LOCAL_SIGNING_KEY';

/** One local's pinned key. */
export interface PinnedLocalKey {
  systemId: string;
  publicKeyPem: string;
  fingerprint: string;
  pinnedBy: string;
  pinnedAt: Date;
  reason: string;
}

/** The port: one pinned key per local systemId. */
export interface LocalKeyStore {
  /** Every pin, by systemId. */
  list(): Promise<PinnedLocalKey[]>;
  find(systemId: string): Promise<PinnedLocalKey | null>;
  /** Stores the pin, replacing the local's earlier one. */
  put(key: PinnedLocalKey): Promise<void>;
  /** Drops the local's pin; false when it had none. */
  remove(systemId: string): Promise<boolean>;
}

export interface LocalKeyDeps {
  store: LocalKeyStore;
  audit: Pick<SyncAuditLog, 'audit'>;
  now: () => Date;
}

export interface LocalPinInput {
  username: string;
  reason?: string | undefined;
}

/** A systemId as DHIS2 and metasync make them: a UUID, or any id without spaces. */
const SYSTEM_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;

export function createLocalKeyTrust({ store, audit, now }: LocalKeyDeps) {
  async function record(
    action: string,
    systemId: string,
    input: LocalPinInput,
    before: PinnedLocalKey | null,
    after: TrustedKey | null,
  ) {
    await audit.audit({
      action,
      username: input.username,
      at: now(),
      reason: input.reason?.trim() ?? '',
      details: {
        systemId,
        oldFingerprint: before?.fingerprint ?? null,
        newFingerprint: after?.fingerprint ?? null,
      },
    });
  }

  /** Pins `pem` for the local `systemId` (replacing its pin), audited. */
  async function pin(systemId: string, pem: string, input: LocalPinInput): Promise<PinnedLocalKey> {
    if (!SYSTEM_ID.test(systemId))
      throw errors.invalidField('systemId', `Not a system id: ${JSON.stringify(systemId)}`);
    const key = readPublicKey(pem);
    const before = await store.find(systemId);
    const pinned: PinnedLocalKey = {
      systemId,
      publicKeyPem: key.publicKeyPem,
      fingerprint: key.fingerprint,
      pinnedBy: input.username,
      pinnedAt: now(),
      reason: input.reason?.trim() ?? '',
    };
    await store.put(pinned);
    await record(PIN_LOCAL_SIGNING_KEY, systemId, input, before, key);
    return pinned;
  }

  /** Unpins the local's key, audited (404 when none is pinned). */
  async function unpin(systemId: string, input: LocalPinInput): Promise<void> {
    const before = await store.find(systemId);
    if (!before || !(await store.remove(systemId)))
      throw errors.notFound(`No signing key is pinned for the local ${systemId}`);
    await record(UNPIN_LOCAL_SIGNING_KEY, systemId, input, before, null);
  }

  /**
   * Whether the local `systemId` signed `manifest` with its pinned key; a refusal (thrown) names
   * what the people at both ends compare: the bundle's fingerprint, the pinned one, the systemId.
   */
  async function check(systemId: string, manifest: SignedFields): Promise<PinnedLocalKey> {
    const pinned = await store.find(systemId);
    if (!pinned)
      throw dataBundleRefused({
        problem: 'unknown-local',
        systemId,
        bundleFingerprint: manifest.keyFingerprint,
        message: `No signing key is pinned on this central for the local ${systemId}; the bundle is signed by the key with fingerprint ${manifest.keyFingerprint}. If that is the fingerprint the local shows (metasync bundle key, or its signing key screen), pin its key: metasync bundle trust-local --system-id ${systemId} --key <file>, or PUT /api/metasync/signing-key/locals/${systemId}`,
      });
    if (pinned.fingerprint !== manifest.keyFingerprint)
      throw dataBundleRefused({
        problem: 'key',
        systemId,
        bundleFingerprint: manifest.keyFingerprint,
        trustedFingerprint: pinned.fingerprint,
        message: `The bundle from the local ${systemId} is signed by the key with fingerprint ${manifest.keyFingerprint}, but this central has pinned the key with fingerprint ${pinned.fingerprint} for that local`,
      });
    const verdict = verifyManifest(manifest, pinned);
    if (!verdict.ok) throw dataBundleRefused({ problem: 'signature', message: verdict.message });
    return pinned;
  }

  return { list: () => store.list(), find: (id: string) => store.find(id), pin, unpin, check };
}

export type LocalKeyTrust = ReturnType<typeof createLocalKeyTrust>;
