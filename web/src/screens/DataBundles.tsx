/**
 * Data bundles (issue 20 §5): on a local, the download of a signed bundle of the data it would
 * push, for a central it cannot reach (with "everything" for a lost stick); on a central, the
 * upload of a local's bundle, answered part by part with the push's summaries or with why it was
 * refused, and the locals' keys it checks them against (pin, unpin: both audited).
 */
import {
  Button,
  ButtonStrip,
  CheckboxField,
  Field,
  FileInput,
  InputField,
  Modal,
  ModalActions,
  ModalContent,
  ModalTitle,
  NoticeBox,
} from '@dhis2/ui';
import { useState, type FormEvent } from 'react';
import { api, ApiError, errorText } from '../api.ts';
import { useApp } from '../context.tsx';
import { upload } from '../upload.ts';
import { Loading, SimpleTable, StatusTag, useLoad } from './common.tsx';
import { PemKeyFields } from './PemKeyFields.tsx';
import { grouped } from './SigningKey.tsx';
import type { DataBundleImport, LocalKeys } from '../../../src/http/schemas/api-types.ts';
import { num } from '../format.ts';
import { i18n } from '../i18n.ts';

export function DataBundles() {
  const { role } = useApp();
  return role === 'local' ? (
    <DataBundleExport />
  ) : (
    <>
      <DataBundleImportPanel />
      <LocalKeysPanel />
    </>
  );
}

function DataBundleExport() {
  const [all, setAll] = useState(false);
  return (
    <div className="panel">
      <h3>{i18n.t('Export data bundle')}</h3>
      <p className="muted">
        {i18n.t(
          'For a central this site cannot reach: the data values, complete registrations and events changed since the last data push or bundle, signed with this instance’s key. Once downloaded whole, the next push or bundle starts after it.',
        )}
      </p>
      <CheckboxField
        name="allData"
        label={i18n.t('Everything, not only what changed (a lost stick)')}
        checked={all}
        onChange={({ checked }: { checked: boolean }) => setAll(checked)}
      />
      <a href={`/api/metasync/data-bundles${all ? '?all=true' : ''}`} download>
        <Button primary>{i18n.t('Export data bundle')}</Button>
      </a>
    </div>
  );
}

type Refusal = { message: string; problem?: string };

function DataBundleImportPanel() {
  const [file, setFile] = useState<File | null>(null);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<DataBundleImport | null>(null);
  const [refusal, setRefusal] = useState<Refusal | null>(null);
  const [sent, setSent] = useState(0);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!file) return;
    setBusy(true);
    setResult(null);
    setRefusal(null);
    setSent(0);
    try {
      setResult(
        await upload<DataBundleImport>('/api/metasync/data-bundles', file, {
          contentType: 'application/x-tar',
          onProgress: (sent, total) => setSent(total > 0 ? Math.round((100 * sent) / total) : 0),
        }),
      );
    } catch (err) {
      const problem =
        err instanceof ApiError
          ? (err.body as { response?: { problem?: unknown } } | null)?.response?.problem
          : undefined;
      setRefusal({
        message: errorText(err),
        ...(typeof problem === 'string' ? { problem } : {}),
      });
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="panel">
      <h3>{i18n.t('Import data bundle')}</h3>
      <form onSubmit={(e) => void submit(e)}>
        <Field label={i18n.t('A local’s data bundle (.tar)')}>
          <FileInput
            name="dataBundle"
            accept=".tar,application/x-tar"
            buttonLabel={
              file ? i18n.t('Replace {{file}}', { file: file.name }) : i18n.t('Choose a file')
            }
            onChange={({ files }) => setFile(files?.[0] ?? null)}
          />
          {file && <p className="muted">{file.name}</p>}
        </Field>
        <Button type="submit" primary disabled={!file || busy} loading={busy}>
          {i18n.t('Import data bundle')}
        </Button>
        {busy && (
          <p className="muted">
            {sent < 100
              ? i18n.t('Sending: {{percent}}%', { percent: num(sent) })
              : i18n.t('Checking and importing…')}
          </p>
        )}
      </form>
      {refusal && (
        <NoticeBox
          error
          title={
            refusal.problem
              ? i18n.t('Refused ({{problem}})', { problem: refusal.problem })
              : i18n.t('Refused')
          }
        >
          {refusal.message}
        </NoticeBox>
      )}
      {result && (
        <div data-test="data-bundle-import">
          <p>
            {i18n.t('From {{name}} ({{id}}):', {
              name: result.source.systemName,
              id: result.source.systemId,
            })}
          </p>
          <SimpleTable
            label={i18n.t('Data bundle import')}
            columns={[
              i18n.t('Part'),
              i18n.t('Sent'),
              i18n.t('Status'),
              i18n.t('Imported'),
              i18n.t('Updated'),
              i18n.t('Deleted'),
              i18n.t('Ignored'),
            ]}
            rows={result.parts.map((p) => {
              const s = p.importSummary as Record<string, unknown>;
              const c = (s.importCount ?? s) as Record<string, number>;
              return [
                p.kind,
                p.count,
                <StatusTag key="s" status={String(s.status)} />,
                c.imported,
                c.updated,
                c.deleted,
                c.ignored,
              ];
            })}
          />
        </div>
      )}
    </div>
  );
}

function LocalKeysPanel() {
  const { alert } = useApp();
  const keys = useLoad(() => api<LocalKeys>('/api/metasync/signing-key/locals'));
  const [systemId, setSystemId] = useState('');
  const [pem, setPem] = useState('');
  const [reason, setReason] = useState('');
  const [confirming, setConfirming] = useState(false);

  async function pin() {
    setConfirming(false);
    try {
      const key = await api<{ fingerprint: string }>(
        `/api/metasync/signing-key/locals/${encodeURIComponent(systemId.trim())}`,
        {
          method: 'PUT',
          body: { publicKey: pem, ...(reason.trim() ? { reason: reason.trim() } : {}) },
        },
      );
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
      await keys.reload();
    } catch (e) {
      alert(i18n.t('Key not pinned: {{error}}', { error: errorText(e) }), 'critical');
    }
  }

  async function unpin(id: string) {
    try {
      await api(`/api/metasync/signing-key/locals/${encodeURIComponent(id)}`, { method: 'DELETE' });
      alert(i18n.t('Unpinned the key of {{local}}', { local: id }), 'success');
      await keys.reload();
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
