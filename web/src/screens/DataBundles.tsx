/**
 * Data bundles (issue 20 §5): on a local, the download of a signed bundle of the data it would
 * push, for a central it cannot reach (with "everything" for a lost stick); on a central, the
 * upload of a local's bundle, answered part by part with the push's summaries or with why it was
 * refused, and the locals' keys it checks them against (pin, unpin: both audited).
 */
import { Button, CheckboxField, Field, FileInput, NoticeBox } from '@dhis2/ui';
import { useState, type FormEvent } from 'react';
import { ApiError, errorText } from '../api.ts';
import { useApp } from '../context.tsx';
import { upload } from '../upload.ts';
import { SimpleTable, StatusTag } from './common.tsx';
import { LocalKeysPanel } from './LocalKeysPanel.tsx';
import type { DataBundleImport } from '../../../src/http/schemas/api-types.ts';
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
      // upload.ts fails with its own ApiError (the runtime cannot report upload progress).
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
