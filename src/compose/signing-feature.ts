/**
 * The instance's signing key and the central key it pins (issue 20 §1). The signer is made on
 * first need and read from the instance row ever after; the pin lives in the managed setting
 * `keyCentralSigningKey`, and every change of it goes to the sync audit log.
 */
import { createKeyPinning } from '../domain/bundle/key-pinning.ts';
import type { SettingsService } from '../domain/settings/settings-service.ts';
import { createSigningKey } from '../security/ed25519-signing-key.ts';
import type { Ports } from './ports.ts';

export function signingFeature(ports: Ports, settings: SettingsService) {
  const { stores, clock } = ports;
  const pinning = createKeyPinning({
    store: {
      read: () => settings.get('keyCentralSigningKey'),
      write: (pem) => settings.putManaged('keyCentralSigningKey', pem),
    },
    audit: stores.sync,
    now: () => clock.now(),
  });
  const own = createSigningKey(stores.instance, ports.box);
  return { publicKey: own.publicKey, key: own.signer, ...pinning };
}

export type SigningService = ReturnType<typeof signingFeature>;
