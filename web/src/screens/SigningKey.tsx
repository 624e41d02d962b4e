/**
 * The signing key box of the Versioning screen (issue 20 §1): this instance's key fingerprint,
 * and on a local the central key it pinned, with a way to pin one from pasted PEM (a site that
 * has never been online, or a central whose key really changed). Pinning is confirmed first:
 * bundles signed with any other key are refused from then on, and the server audits it.
 */
import { Button, ButtonStrip, Modal, ModalActions, ModalContent, ModalTitle } from '@dhis2/ui';
import { useDataEngine } from '@dhis2/app-runtime';
import { useState } from 'react';
import { errorText } from '../api.ts';
import { useApp } from '../context.tsx';
import { saveText, usePemFingerprint } from '../key-fingerprint.ts';
import { mutation } from '../runtime.tsx';
import { Loading, useResource } from './common.tsx';
import { PemKeyFields } from './PemKeyFields.tsx';
import type { PinnedKey, SigningKey } from '../../../src/http/schemas/api-types.ts';
import { i18n } from '../i18n.ts';

/** A 64-hex fingerprint in groups of four, easier to read aloud over a phone. */
export const grouped = (fingerprint: string) =>
  fingerprint.match(/.{1,4}/g)?.join(' ') ?? fingerprint;

const OWN = { resource: 'metasync/signing-key' };
const PINNED = { resource: 'metasync/signing-key/pinned' };
const PIN = mutation({
  resource: 'metasync/signing-key/pinned',
  type: 'replace',
  data: (v: Record<string, unknown>) => v.body,
});

export function SigningKeyPanel() {
  const { role } = useApp();
  const own = useResource<SigningKey>(OWN);
  return (
    <div className="panel">
      <h3>{i18n.t('Signing key')}</h3>
      {!own.data ? (
        <Loading error={own.error} />
      ) : (
        <>
          <p>
            {i18n.t('This instance signs its offline bundles with an Ed25519 key, fingerprint')}{' '}
            <code data-test="own-fingerprint">{grouped(own.data.fingerprint)}</code>
          </p>
          {/* The public half, to carry to a site that has never been online (or, from a local,
              to its central for the data it sends back); it is no secret. */}
          <Button small onClick={() => saveText(own.data!.publicKey, 'metasync-public-key.pem')}>
            {i18n.t('Download the public key')}
          </Button>
        </>
      )}
      {/* Not on a central: a site that has never been online pins its central's key here. */}
      {role !== 'central' && <PinnedCentralKey />}
    </div>
  );
}

function PinnedCentralKey() {
  const { alert, reloadSettings } = useApp();
  const engine = useDataEngine();
  const pinned = useResource<PinnedKey>(PINNED);
  const [pem, setPem] = useState('');
  const [reason, setReason] = useState('');
  const [confirming, setConfirming] = useState(false);
  const fingerprint = usePemFingerprint(pem);

  async function pin() {
    setConfirming(false);
    try {
      const body = { publicKey: pem, ...(reason.trim() ? { reason: reason.trim() } : {}) };
      const key = (await engine.mutate(PIN, { variables: { body } })) as SigningKey;
      setPem('');
      setReason('');
      alert(
        i18n.t('Pinned the central key {{fingerprint}}', { fingerprint: grouped(key.fingerprint) }),
        'success',
      );
      await pinned.refetch();
      // A pin makes a site without a link a local (roleOf): the screens follow.
      await reloadSettings();
    } catch (e) {
      alert(i18n.t('Key not pinned: {{error}}', { error: errorText(e) }), 'critical');
    }
  }

  if (!pinned.data) return <Loading error={pinned.error} />;
  const current = pinned.data.pinned;
  return (
    <>
      <p>
        {i18n.t('Central key:')}{' '}
        {current ? (
          <code data-test="pinned-fingerprint">{grouped(current.fingerprint)}</code>
        ) : (
          <strong data-test="pinned-fingerprint">{i18n.t('not pinned')}</strong>
        )}{' '}
        {i18n.t(
          'It is pinned at the first sync with the central; bundles signed with another key are refused.',
        )}
      </p>
      <PemKeyFields
        names={{
          file: 'centralKeyFile',
          pem: 'centralPublicKey',
          reason: 'pinReason',
          fingerprint: 'pem-fingerprint',
        }}
        fileLabel={i18n.t('The central’s key file (.pem)')}
        pemLabel={
          current ? i18n.t('Replace with the central key (PEM)') : i18n.t('Pin a central key (PEM)')
        }
        pem={pem}
        setPem={setPem}
        reason={reason}
        setReason={setReason}
      />
      <Button disabled={pem.trim() === ''} onClick={() => setConfirming(true)}>
        {current ? i18n.t('Replace pinned key…') : i18n.t('Pin key…')}
      </Button>
      {confirming && (
        <Modal small onClose={() => setConfirming(false)}>
          <ModalTitle>
            {current ? i18n.t('Replace the pinned central key') : i18n.t('Pin a central key')}
          </ModalTitle>
          <ModalContent>
            {i18n.t(
              'From now on only bundles signed with this key are accepted. Compare its fingerprint with the one the central shows. The change is recorded in the audit log.',
            )}
            {fingerprint && (
              <p data-test="confirm-fingerprint">
                {i18n.t('Fingerprint:')} <code>{grouped(fingerprint)}</code>
              </p>
            )}
          </ModalContent>
          <ModalActions>
            <ButtonStrip end>
              <Button onClick={() => setConfirming(false)}>{i18n.t('Cancel')}</Button>
              <Button primary onClick={() => void pin()}>
                {current ? i18n.t('Replace') : i18n.t('Pin')}
              </Button>
            </ButtonStrip>
          </ModalActions>
        </Modal>
      )}
    </>
  );
}
