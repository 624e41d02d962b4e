/** The locals' signing keys a central checks data bundles against (pin, unpin: both audited). */
import {
  Button,
  ButtonStrip,
  InputField,
  Modal,
  ModalActions,
  ModalContent,
  ModalTitle,
} from '@dhis2/ui';
import { useDataEngine } from '@dhis2/app-runtime';
import { useState } from 'react';
import type { LocalKeys } from '../../../src/http/schemas/api-types.ts';
import { errorText } from '../api.ts';
import { useApp } from '../context.tsx';
import { i18n } from '../i18n.ts';
import { mutation } from '../runtime.tsx';
import { Loading, SimpleTable, useResource } from './common.tsx';
import { PemKeyFields } from './PemKeyFields.tsx';
import { grouped } from './SigningKey.tsx';

const LOCALS = 'metasync/signing-key/locals';
const KEYS = { resource: LOCALS };
// The runtime puts the id in the path as given: a system id is typed by hand, so encode it.
const localId = ({ id }: Record<string, unknown>) => encodeURIComponent(id as string);
const PIN = mutation({
  resource: LOCALS,
  type: 'replace',
  id: localId,
  data: (v: Record<string, unknown>) => v.body as Record<string, unknown>,
});
const UNPIN = mutation({ resource: LOCALS, type: 'delete', id: localId });

export function LocalKeysPanel() {
  const { alert } = useApp();
  const engine = useDataEngine();
  const keys = useResource<LocalKeys>(KEYS);
  const [systemId, setSystemId] = useState('');
  const [pem, setPem] = useState('');
  const [reason, setReason] = useState('');
  const [confirming, setConfirming] = useState(false);

  async function pin() {
    setConfirming(false);
    try {
      const key = (await engine.mutate(PIN, {
        variables: {
          id: systemId.trim(),
          body: { publicKey: pem, ...(reason.trim() ? { reason: reason.trim() } : {}) },
        },
      })) as { fingerprint: string };
      alert(
        i18n.t('Pinned the key {{fingerprint}} for {{local}}', {
          fingerprint: grouped(key.fingerprint),
          local: systemId.trim(),
        }),
        'success',
      );
      setSystemId('');
      setPem('');
      setReason('');
      await keys.refetch();
    } catch (e) {
      alert(i18n.t('Key not pinned: {{error}}', { error: errorText(e) }), 'critical');
    }
  }

  async function unpin(id: string) {
    try {
      await engine.mutate(UNPIN, { variables: { id } });
      alert(i18n.t('Unpinned the key of {{local}}', { local: id }), 'success');
      await keys.refetch();
    } catch (e) {
      alert(i18n.t('Key not unpinned: {{error}}', { error: errorText(e) }), 'critical');
    }
  }

  return (
    <div className="panel">
      <h3>{i18n.t('Locals’ signing keys')}</h3>
      <p className="muted">
        {i18n.t(
          'A local’s data bundle is imported only when signed with the key pinned for it here.',
        )}
      </p>
      {!keys.data ? (
        <Loading error={keys.error} />
      ) : (
        <SimpleTable
          label={i18n.t('Pinned local keys')}
          empty={i18n.t('No local key is pinned.')}
          columns={[
            i18n.t('System id'),
            i18n.t('Fingerprint'),
            i18n.t('Pinned by'),
            i18n.t('Reason'),
            '',
          ]}
          rows={keys.data.locals.map((k) => [
            k.systemId,
            <code key="f">{grouped(k.fingerprint)}</code>,
            k.pinnedBy,
            k.reason,
            <Button key="u" small destructive onClick={() => void unpin(k.systemId)}>
              {i18n.t('Unpin')}
            </Button>,
          ])}
        />
      )}
      <InputField
        name="localSystemId"
        label={i18n.t('The local’s system id')}
        value={systemId}
        onChange={({ value }: { value?: string }) => setSystemId(value ?? '')}
      />
      <PemKeyFields
        names={{
          file: 'localKeyFile',
          pem: 'localPublicKey',
          reason: 'localPinReason',
          fingerprint: 'local-pem-fingerprint',
        }}
        fileLabel={i18n.t('The local’s key file (.pem, from its Signing key box)')}
        pemLabel={i18n.t('The local’s public key (PEM)')}
        pem={pem}
        setPem={setPem}
        reason={reason}
        setReason={setReason}
      />
      <Button disabled={!systemId.trim() || !pem.trim()} onClick={() => setConfirming(true)}>
        {i18n.t('Pin key…')}
      </Button>
      {confirming && (
        <Modal small onClose={() => setConfirming(false)}>
          <ModalTitle>{i18n.t('Pin a local’s key')}</ModalTitle>
          <ModalContent>
            {i18n.t(
              'Data bundles from {{local}} are accepted only when signed with this key. Compare its fingerprint with the one the local shows. The change is recorded in the audit log.',
              { local: systemId.trim() },
            )}
          </ModalContent>
          <ModalActions>
            <ButtonStrip end>
              <Button onClick={() => setConfirming(false)}>{i18n.t('Cancel')}</Button>
              <Button primary onClick={() => void pin()}>
                {i18n.t('Pin')}
              </Button>
            </ButtonStrip>
          </ModalActions>
        </Modal>
      )}
    </div>
  );
}
