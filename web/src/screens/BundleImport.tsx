/**
 * Import/Export → Import offline bundle (issue 20 §3): a signed bundle of versions, carried from
 * the central on a USB stick, uploaded to `POST /api/metasync/bundles`. The server checks the
 * whole file before it imports anything, then imports it as a sync run (trigger BUNDLE); this
 * panel shows the upload, then that run version by version, then what it imported, or why the
 * bundle was refused.
 */
import { Button, Field, FileInput, NoticeBox } from '@dhis2/ui';
import { useDataEngine } from '@dhis2/app-runtime';
import { useEffect, useRef, useState } from 'react';
import { errorText, statusOf } from '../api.ts';
import { readChosenBundle, type ChosenBundle } from '../bundle-file.ts';
import { holds, useApp } from '../context.tsx';
import { upload } from '../upload.ts';
import { refusalOf } from './BundleRefusal.tsx';
import { StageView, type Stage } from './BundleStage.tsx';
import { grouped } from './SigningKey.tsx';
import { Authority } from '../../../src/domain/authorities.ts';
import type {
  MetadataVersionList,
  SyncReport,
  SyncStarted,
} from '../../../src/http/schemas/api-types.ts';
import { num, when } from '../format.ts';
import { i18n } from '../i18n.ts';
import { bytes } from '../transfer-text.ts';

type Engine = ReturnType<typeof useDataEngine>;

/**
 * The versions this instance holds, each as name and hash (a name alone may differ). Before its
 * first run a local has versioning off, and the version list answers 400: it holds none.
 */
async function heldVersions(engine: Engine): Promise<Set<string>> {
  try {
    const answer = await engine.query({ versions: { resource: 'metadata/versions' } });
    const { metadataversions } = answer.versions as MetadataVersionList;
    return new Set(metadataversions.map((v) => `${v.name}/${v.hashCode}`));
  } catch (e) {
    if (statusOf(e) === 400) return new Set();
    throw e;
  }
}

/**
 * Shown on an instance that receives versions (not on a central, which makes them) to users who
 * may import them: the server asks for F_METADATA_MANAGE.
 */
export function BundleImport() {
  const { role, user } = useApp();
  if (role === 'central' || !holds(user, Authority.F_METADATA_MANAGE)) return null;
  return <BundleImportPanel />;
}

function BundleImportPanel() {
  const { alert, navigate } = useApp();
  const engine = useDataEngine();
  const [file, setFile] = useState<File | null>(null);
  const [chosen, setChosen] = useState<ChosenBundle | null>(null);
  const [held, setHeld] = useState<Set<string>>(new Set());
  const [stage, setStage] = useState<Stage>({ at: 'idle' });
  const cancel = useRef<AbortController | null>(null);
  // The run's report is read while this panel is shown; leaving the screen stops reading it.
  const shown = useRef(true);

  const choose = async (f: File | null) => {
    setFile(f);
    setChosen(null);
    setStage({ at: 'idle' });
    if (!f) return;
    try {
      const [read, versions] = await Promise.all([readChosenBundle(f), heldVersions(engine)]);
      setChosen(read);
      setHeld(versions);
    } catch (e) {
      setChosen({
        ok: false,
        message: i18n.t('The file could not be read: {{error}}', { error: errorText(e) }),
      });
    }
  };

  const manifest = chosen?.ok ? chosen.manifest : null;
  const entries = manifest?.versions ?? [];
  const isHeld = (v: { name: string; hashCode: string }) => held.has(`${v.name}/${v.hashCode}`);
  const toImport = entries.filter((v) => !isHeld(v)).map((v) => v.name);

  const start = async () => {
    if (!file) return;
    const controller = new AbortController();
    cancel.current = controller;
    setStage({ at: 'uploading', sent: 0, total: file.size });
    try {
      const started = await upload<SyncStarted>('/api/metasync/bundles', file, {
        contentType: 'application/x-tar',
        signal: controller.signal,
        onProgress: (sent, total) => setStage({ at: 'uploading', sent, total }),
      });
      setStage({ at: 'running', report: null });
      void follow(started.id);
    } catch (e) {
      if (e instanceof DOMException && e.name === 'AbortError') return setStage({ at: 'idle' });
      // Said in the panel, under the button just pressed: no alert on top of it.
      const refusal = refusalOf(e);
      setStage(refusal ? { at: 'refused', refusal } : { at: 'failed', error: e });
    } finally {
      cancel.current = null;
    }
  };

  // The run goes on in the server after the upload; its report is read until it ends, as the
  // run's page in Sync history does. Its end is also an alert: a long run may have been left
  // scrolled out of sight.
  const follow = async (id: string) => {
    while (shown.current) {
      let report: SyncReport;
      try {
        const answer = await engine.query({
          report: { resource: 'metadata/sync/reports', id },
        });
        report = answer.report as SyncReport;
      } catch (e) {
        return setStage({ at: 'unfollowed', error: e });
      }
      if (report.status !== 'RUNNING') {
        const after = await heldVersions(engine).catch(() => new Set<string>());
        setStage({ at: 'finished', report, held: after });
        setHeld(after);
        alert(
          report.status === 'SUCCESS'
            ? i18n.t('Bundle imported')
            : i18n.t('The bundle import failed'),
          report.status === 'SUCCESS' ? 'success' : 'critical',
        );
        return;
      }
      setStage({ at: 'running', report });
      await new Promise((r) => setTimeout(r, 1000));
    }
  };

  // Leaving the screen mid-upload stops the upload (the server keeps nothing of a cut body); a
  // run already started goes on in the server, and Sync history shows it.
  useEffect(() => {
    shown.current = true;
    return () => {
      shown.current = false;
      cancel.current?.abort();
    };
  }, []);

  const busy = stage.at === 'uploading' || stage.at === 'running';
  return (
    <div className="panel" data-test="bundle-import">
      <h3>{i18n.t('Import offline bundle')}</h3>
      <p className="muted">
        {i18n.t(
          'Versions carried from the central in one signed file (Metadata versioning → Offline bundle on the central). The whole file is checked before anything is imported.',
        )}
      </p>
      <div className="form">
        <Field label={i18n.t('Bundle file (.tar)')} name="bundle">
          <FileInput
            name="bundle"
            accept=".tar,application/x-tar"
            disabled={busy}
            buttonLabel={
              file ? i18n.t('Replace {{file}}', { file: file.name }) : i18n.t('Choose a bundle')
            }
            onChange={({ files }) => void choose(files?.[0] ?? null)}
          />
        </Field>
        {file && chosen && !chosen.ok && (
          <NoticeBox error title={i18n.t('This file cannot be imported')}>
            {chosen.message}
          </NoticeBox>
        )}
        {file && manifest && (
          <dl className="kv" data-test="bundle-chosen">
            <dt>{i18n.t('File')}</dt>
            <dd>
              {file.name} ({bytes(file.size)})
            </dd>
            <dt>{i18n.t('Versions')}</dt>
            <dd>
              {entries.length > 1
                ? i18n.t('{{first}} to {{last}} ({{n}})', {
                    first: entries[0]!.name,
                    last: entries.at(-1)!.name,
                    n: num(entries.length),
                  })
                : `${entries[0]!.name} (1)`}
            </dd>
            <dt>{i18n.t('From')}</dt>
            <dd>
              {manifest.source.systemName || manifest.source.systemId}
              {manifest.source.baseUrl && ` (${manifest.source.baseUrl})`}
              {i18n.t(', made {{when}}', { when: when(manifest.createdAt) })}
            </dd>
            <dt>{i18n.t('Signed with key')}</dt>
            <dd>
              <code>{grouped(manifest.keyFingerprint)}</code>
            </dd>
            <dt>{i18n.t('To import here')}</dt>
            <dd>
              {toImport.length === 0
                ? i18n.t('none: this instance holds every version in the bundle')
                : toImport.join(', ')}
            </dd>
          </dl>
        )}
        <div className="row">
          <Button primary disabled={!manifest || busy} loading={busy} onClick={() => void start()}>
            {i18n.t('Import bundle')}
          </Button>
          {stage.at === 'uploading' && (
            <Button onClick={() => cancel.current?.abort()}>{i18n.t('Cancel upload')}</Button>
          )}
        </div>
      </div>
      <div style={{ marginTop: 16 }}>
        <StageView stage={stage} toImport={toImport} entries={entries} navigate={navigate} />
      </div>
    </div>
  );
}
