/**
 * Import/Export: metadata import from a file (report as tables); the export and the manual sync
 * are in MetadataTransfer.tsx.
 */
import {
  Button,
  CheckboxField,
  FileInput,
  Field,
  NoticeBox,
  SingleSelectField,
  SingleSelectOption,
} from '@dhis2/ui';
import { useDataEngine } from '@dhis2/app-runtime';
import { useState, type FormEvent } from 'react';
import { errorText } from '../api.ts';
import { useApp } from '../context.tsx';
import { mutation } from '../runtime.tsx';
import { BundleImport } from './BundleImport.tsx';
import { SimpleTable, StatusTag } from './common.tsx';
import { DataBundles } from './DataBundles.tsx';
import { BusyNote } from './Progress.tsx';
import { ManualSync, MetadataExport } from './MetadataTransfer.tsx';

import type { ImportReport, WebMessage } from '../../../src/http/schemas/api-types.ts';
import { num } from '../format.ts';
import { i18n } from '../i18n.ts';

const shortKlass = (k: string) => k.split('.').pop() ?? k;

const IMPORT = mutation({
  resource: 'metadata',
  type: 'create',
  params: ({ importStrategy, atomicMode, dryRun }) => ({
    importStrategy: importStrategy as string,
    atomicMode: atomicMode as string,
    dryRun: dryRun as boolean,
  }),
  data: (v: Record<string, unknown>) => v.body,
});

/** The import report a refused import carries in its WebMessage, if it carries one. */
function reportOf(err: unknown): ImportReport | null {
  const details = (err as { details?: unknown } | null)?.details;
  const response = (details as { response?: unknown } | null | undefined)?.response;
  return response && typeof response === 'object' && 'typeReports' in response
    ? (response as ImportReport)
    : null;
}

export function ImportExport() {
  const { role } = useApp();
  return (
    <section aria-labelledby="ie-title">
      <h2 id="ie-title">{i18n.t('Import/Export')}</h2>
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
  const engine = useDataEngine();
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
      setFileError(i18n.t('Choose a JSON file to import'));
      return;
    }
    let body: unknown;
    try {
      body = JSON.parse(await file.text());
    } catch {
      setFileError(i18n.t('The file is not valid JSON'));
      return;
    }
    setBusy(true);
    setResult(null);
    try {
      const r = (await engine.mutate(IMPORT, {
        variables: { importStrategy: strategy, atomicMode: atomic, dryRun, body },
      })) as WebMessage & { response: ImportReport };
      setResult({
        report: r.response,
        message: dryRun
          ? i18n.t('Import (dry run) finished: {{status}}', { status: r.response.status })
          : i18n.t('Import finished: {{status}}', { status: r.response.status }),
        dryRun,
      });
      alert(dryRun ? i18n.t('Dry run finished: nothing was saved') : i18n.t('Import finished'));
    } catch (err) {
      const report = reportOf(err);
      const message = dryRun
        ? i18n.t('Dry run found errors: {{error}}', { error: errorText(err) })
        : i18n.t('Import failed: {{error}}', { error: errorText(err) });
      setResult({ report, message, dryRun });
      alert(message, 'critical');
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
      <h3>{i18n.t('Metadata import')}</h3>
      <div className="form">
        <Field
          label={i18n.t('File (DHIS2 metadata JSON)')}
          error={Boolean(fileError)}
          validationText={fileError}
          name="file"
        >
          <FileInput
            name="file"
            accept=".json,application/json"
            buttonLabel={
              file ? i18n.t('Replace {{file}}', { file: file.name }) : i18n.t('Choose a file')
            }
            onChange={({ files }) => {
              setFile(files?.[0] ?? null);
              setFileError(undefined);
            }}
          />
          {file && <p className="muted">{file.name}</p>}
        </Field>
        <SingleSelectField
          label={i18n.t('Import strategy')}
          selected={strategy}
          onChange={({ selected }) => setStrategy(selected)}
        >
          <SingleSelectOption value="CREATE_AND_UPDATE" label={i18n.t('New and updates')} />
          <SingleSelectOption value="CREATE" label={i18n.t('New only')} />
          <SingleSelectOption value="UPDATE" label={i18n.t('Updates only')} />
          <SingleSelectOption value="DELETE" label={i18n.t('Delete')} />
        </SingleSelectField>
        <SingleSelectField
          label={i18n.t('Atomic mode')}
          selected={atomic}
          onChange={({ selected }) => setAtomic(selected)}
        >
          <SingleSelectOption value="ALL" label={i18n.t('All: import nothing if anything fails')} />
          <SingleSelectOption value="NONE" label={i18n.t('None: import what can be imported')} />
        </SingleSelectField>
        <CheckboxField
          label={i18n.t('Dry run (validate only, save nothing)')}
          name="dryRun"
          checked={dryRun}
          onChange={({ checked }) => setDryRun(checked)}
        />
        <div className="row">
          <Button type="submit" primary disabled={busy}>
            {dryRun ? i18n.t('Start dry run') : i18n.t('Start import')}
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
            title={result.dryRun ? i18n.t('Dry run: nothing was saved') : i18n.t('Import report')}
          >
            {result.message}
          </NoticeBox>
          {result.report && (
            <>
              <h3>{i18n.t('Summary')}</h3>
              <SimpleTable
                label={i18n.t('Import summary')}
                columns={[
                  i18n.t('Type'),
                  i18n.t('Created'),
                  i18n.t('Updated'),
                  i18n.t('Deleted'),
                  i18n.t('Ignored'),
                  i18n.t('Total'),
                ]}
                rows={[
                  ...result.report.typeReports.map((t) => [
                    shortKlass(t.klass),
                    num(t.stats.created),
                    num(t.stats.updated),
                    num(t.stats.deleted),
                    num(t.stats.ignored),
                    num(t.stats.total),
                  ]),
                  [
                    <strong key="t">{i18n.t('All')}</strong>,
                    num(result.report.stats.created),
                    num(result.report.stats.updated),
                    num(result.report.stats.deleted),
                    num(result.report.stats.ignored),
                    num(result.report.stats.total),
                  ],
                ]}
              />
              <p>
                {i18n.t('Status:')} <StatusTag status={result.report.status} />
              </p>
              {errors.length > 0 && (
                <>
                  <h3>{i18n.t('Errors')}</h3>
                  <SimpleTable
                    label={i18n.t('Import errors')}
                    columns={[
                      i18n.t('Type'),
                      i18n.t('Object'),
                      i18n.t('Code'),
                      i18n.t('Property'),
                      i18n.t('Message'),
                    ]}
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
