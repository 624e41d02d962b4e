/**
 * Import/Export's metadata export (all metadata as one DHIS2 JSON file) and the manual sync of a
 * version by name (`GET /api/metadata/sync?versionName=`, DHIS2's); each shows a worded loader
 * for as long as its request takes (issue 24 §3).
 */
import { Button, InputField, NoticeBox } from '@dhis2/ui';
import { useDataEngine } from '@dhis2/app-runtime';
import { useState, type FormEvent } from 'react';
import { errorText } from '../api.ts';
import { useApp } from '../context.tsx';
import { i18n } from '../i18n.ts';
import { BusyNote } from './Progress.tsx';

type Engine = ReturnType<typeof useDataEngine>;

export function MetadataExport() {
  const { alert } = useApp();
  const engine = useDataEngine();
  const [busy, setBusy] = useState(false);
  const exportAll = async () => {
    setBusy(true);
    try {
      await download(engine);
    } catch (e) {
      alert(i18n.t('Export failed: {{error}}', { error: errorText(e) }), 'critical');
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="panel">
      <h3>{i18n.t('Metadata export')}</h3>
      <p className="muted">{i18n.t('All metadata as DHIS2 JSON (the owner fields), as a file.')}</p>
      <Button onClick={() => void exportAll()} disabled={busy}>
        {i18n.t('Download metadata.json')}
      </Button>
      {busy && <BusyNote text={i18n.t('Exporting all metadata…')} />}
    </div>
  );
}

async function download(engine: Engine) {
  const { metadata: data } = await engine.query({ metadata: { resource: 'metadata' } });
  const blob = new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' });
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = 'metadata.json';
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

export function ManualSync() {
  const { alert } = useApp();
  const engine = useDataEngine();
  const [name, setName] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!/^\S+$/.test(name)) {
      setError(i18n.t('Enter a version name such as Version_3'));
      return;
    }
    setBusy(true);
    setDone(null);
    try {
      await engine.query({ sync: { resource: 'metadata/sync', params: { versionName: name } } });
      setDone(i18n.t('Synced up to {{version}}.', { version: name }));
      alert(i18n.t('Synced up to {{version}}.', { version: name }));
    } catch (err) {
      setError(errorText(err));
      alert(
        i18n.t('Sync of {{version}} failed: {{error}}', { version: name, error: errorText(err) }),
        'critical',
      );
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="panel" onSubmit={(e) => void submit(e)} noValidate>
      <h3>{i18n.t('Manual sync of a version')}</h3>
      <div className="form">
        <InputField
          label={i18n.t('Version name')}
          name="versionName"
          placeholder="Version_3"
          value={name}
          onChange={({ value }) => {
            setName(value ?? '');
            setError(undefined);
          }}
          error={Boolean(error)}
          validationText={error}
          helpText={i18n.t('Imports every missing version from the central up to this one.')}
        />
        <div className="row">
          <Button type="submit" disabled={busy}>
            {i18n.t('Sync this version')}
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
          <NoticeBox valid title={i18n.t('Done')}>
            {done}
          </NoticeBox>
        )}
      </div>
    </form>
  );
}
