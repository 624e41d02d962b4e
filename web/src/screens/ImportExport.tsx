/** Import/Export: metadata import from a file (report as tables), export download, manual sync. */
import {
  Button,
  CheckboxField,
  FileInput,
  Field,
  InputField,
  NoticeBox,
  SingleSelectField,
  SingleSelectOption,
} from '@dhis2/ui';
import { useState, type FormEvent } from 'react';
import { api, ApiError, errorText } from '../api.ts';
import { useApp } from '../context.tsx';
import { BundleImport } from './BundleImport.tsx';
import { SimpleTable, StatusTag } from './common.tsx';
import { DataBundles } from './DataBundles.tsx';
import { BusyNote } from './Progress.tsx';
import i18n from '@dhis2/d2-i18n';

import type { ImportReport, WebMessage } from '../../../src/http/schemas/api-types.ts';

const shortKlass = (k: string) => k.split('.').pop() ?? k;

export function ImportExport() {
  const { role } = useApp();
  return (
    <section aria-labelledby="ie-title">
      <h2 id="ie-title">Import/Export</h2>
      <BundleImport />
      <MetadataImport />
      <MetadataExport />
      {role === 'local' && <ManualSync />}
      <DataBundles />
    </section>
  );
}

function MetadataImport() {
  const { alert } = useApp();
  const [file, setFile] = useState<File | null>(null);
  const [strategy, setStrategy] = useState('CREATE_AND_UPDATE');
  const [atomic, setAtomic] = useState('ALL');
  const [dryRun, setDryRun] = useState(true);
  const [fileError, setFileError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{
    report: ImportReport | null;
    message: string;
    dryRun: boolean;
  } | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!file) {
      setFileError('Choose a JSON file to import');
      return;
    }
    let text: string;
    try {
      text = await file.text();
      JSON.parse(text);
    } catch {
      setFileError('The file is not valid JSON');
      return;
    }
    setBusy(true);
    setResult(null);
    const q = new URLSearchParams({
      importStrategy: strategy,
      atomicMode: atomic,
      dryRun: String(dryRun),
    });
    try {
      const r = await api<WebMessage & { response: ImportReport }>(`/api/metadata?${q}`, {
        method: 'POST',
        body: text,
      });
      setResult({
        report: r.response,
        message: `Import ${dryRun ? '(dry run) ' : ''}finished: ${r.response.status}`,
        dryRun,
      });
      alert(dryRun ? 'Dry run finished: nothing was saved' : 'Import finished');
    } catch (err) {
      const body =
        err instanceof ApiError ? (err.body as { response?: ImportReport } | null) : null;
      const report = body?.response && 'typeReports' in body.response ? body.response : null;
      const what = dryRun ? 'Dry run found errors' : 'Import failed';
      setResult({ report, message: `${what}: ${errorText(err)}`, dryRun });
      alert(`${what}: ${errorText(err)}`, 'critical');
    } finally {
      setBusy(false);
    }
  };
  const errors =
    result?.report?.typeReports.flatMap((t) =>
      t.objectReports.flatMap((o) =>
        o.errorReports.map((er) => [
          shortKlass(t.klass),
          o.displayName ?? o.uid ?? '',
          er.errorCode,
          er.errorProperty ?? '',
          er.message,
        ]),
      ),
    ) ?? [];
  return (
    <form className="panel" onSubmit={(e) => void submit(e)} noValidate>
      <h3>Metadata import</h3>
      <div className="form">
        <Field
          label="File (DHIS2 metadata JSON)"
          error={Boolean(fileError)}
          validationText={fileError}
          name="file"
        >
          <FileInput
            name="file"
            accept=".json,application/json"
            buttonLabel={file ? `Replace ${file.name}` : 'Choose a file'}
            onChange={({ files }) => {
              setFile(files?.[0] ?? null);
              setFileError(undefined);
            }}
          />
          {file && <p className="muted">{file.name}</p>}
        </Field>
        <SingleSelectField
          label="Import strategy"
          selected={strategy}
          onChange={({ selected }) => setStrategy(selected)}
        >
          <SingleSelectOption value="CREATE_AND_UPDATE" label="New and updates" />
          <SingleSelectOption value="CREATE" label="New only" />
          <SingleSelectOption value="UPDATE" label="Updates only" />
          <SingleSelectOption value="DELETE" label="Delete" />
        </SingleSelectField>
        <SingleSelectField
          label="Atomic mode"
          selected={atomic}
          onChange={({ selected }) => setAtomic(selected)}
        >
          <SingleSelectOption value="ALL" label="All: import nothing if anything fails" />
          <SingleSelectOption value="NONE" label="None: import what can be imported" />
        </SingleSelectField>
        <CheckboxField
          label="Dry run (validate only, save nothing)"
          name="dryRun"
          checked={dryRun}
          onChange={({ checked }) => setDryRun(checked)}
        />
        <div className="row">
          <Button type="submit" primary loading={busy}>
            {dryRun ? 'Start dry run' : 'Start import'}
          </Button>
        </div>
        {busy && (
          <BusyNote
            text={
              dryRun
                ? i18n.t('Checking {{file}}: the server validates every object…', {
                    file: file?.name ?? '',
                  })
                : i18n.t('Importing {{file}}…', { file: file?.name ?? '' })
            }
          />
        )}
      </div>
      {result && (
        <div data-test="import-report" style={{ marginTop: 16 }}>
          <NoticeBox
            error={result.report === null || result.report.status === 'ERROR'}
            warning={result.report?.status === 'WARNING'}
            title={result.dryRun ? 'Dry run: nothing was saved' : 'Import report'}
          >
            {result.message}
          </NoticeBox>
          {result.report && (
            <>
              <h3>Summary</h3>
              <SimpleTable
                label="Import summary"
                columns={['Type', 'Created', 'Updated', 'Deleted', 'Ignored', 'Total']}
                rows={[
                  ...result.report.typeReports.map((t) => [
                    shortKlass(t.klass),
                    t.stats.created,
                    t.stats.updated,
                    t.stats.deleted,
                    t.stats.ignored,
                    t.stats.total,
                  ]),
                  [
                    <strong key="t">All</strong>,
                    result.report.stats.created,
                    result.report.stats.updated,
                    result.report.stats.deleted,
                    result.report.stats.ignored,
                    result.report.stats.total,
                  ],
                ]}
              />
              <p>
                Status: <StatusTag status={result.report.status} />
              </p>
              {errors.length > 0 && (
                <>
                  <h3>Errors</h3>
                  <SimpleTable
                    label="Import errors"
                    columns={['Type', 'Object', 'Code', 'Property', 'Message']}
                    rows={errors}
                  />
                </>
              )}
            </>
          )}
        </div>
      )}
    </form>
  );
}

function MetadataExport() {
  const { alert } = useApp();
  const [busy, setBusy] = useState(false);
  const exportAll = async () => {
    setBusy(true);
    try {
      await download();
    } catch (e) {
      alert(i18n.t('Export failed: {{error}}', { error: errorText(e) }), 'critical');
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="panel">
      <h3>Metadata export</h3>
      <p className="muted">All metadata as DHIS2 JSON (the owner fields), as a file.</p>
      <Button onClick={() => void exportAll()} loading={busy} disabled={busy}>
        Download metadata.json
      </Button>
      {busy && <BusyNote text={i18n.t('Exporting all metadata…')} />}
    </div>
  );
}

async function download() {
  const data = await api<unknown>('/api/metadata');
  const blob = new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' });
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = 'metadata.json';
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

function ManualSync() {
  const { alert } = useApp();
  const [name, setName] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!/^\S+$/.test(name)) {
      setError('Enter a version name such as Version_3');
      return;
    }
    setBusy(true);
    setDone(null);
    try {
      await api(`/api/metadata/sync?versionName=${encodeURIComponent(name)}`);
      setDone(`Synced up to ${name}.`);
      alert(`Synced up to ${name}`);
    } catch (err) {
      setError(errorText(err));
      alert(`Sync of ${name} failed: ${errorText(err)}`, 'critical');
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="panel" onSubmit={(e) => void submit(e)} noValidate>
      <h3>Manual sync of a version</h3>
      <div className="form">
        <InputField
          label="Version name"
          name="versionName"
          placeholder="Version_3"
          value={name}
          onChange={({ value }) => {
            setName(value ?? '');
            setError(undefined);
          }}
          error={Boolean(error)}
          validationText={error}
          helpText="Imports every missing version from the central up to this one."
        />
        <div className="row">
          <Button type="submit" loading={busy}>
            Sync this version
          </Button>
        </div>
        {busy && (
          <BusyNote
            text={i18n.t('Syncing up to {{version}}: every missing version is imported…', {
              version: name,
            })}
          />
        )}
        {done && (
          <NoticeBox valid title="Done">
            {done}
          </NoticeBox>
        )}
      </div>
    </form>
  );
}
