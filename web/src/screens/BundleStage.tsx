/**
 * What the Import offline bundle panel shows below its button, stage by stage: the upload's
 * progress, the run's progress version by version, then the run's result, or why the bundle was
 * refused or not sent.
 */
import { Button, LinearLoader, NoticeBox } from '@dhis2/ui';
import { errorText } from '../api.ts';
import { RefusalNotice, UploadFailed, type Refusal } from './BundleRefusal.tsx';
import { SimpleTable, StatusTag } from './common.tsx';
import type { SyncReport } from '../../../src/http/schemas/api-types.ts';
import { num } from '../format.ts';
import { i18n } from '../i18n.ts';
import { bytes } from '../transfer-text.ts';

/** Where an import is; `held` is what the instance holds once the run has ended. */
export type Stage =
  | { at: 'idle' }
  | { at: 'uploading'; sent: number; total: number }
  | { at: 'running'; report: SyncReport | null }
  | { at: 'finished'; report: SyncReport; held: Set<string> }
  | { at: 'refused'; refusal: Refusal }
  | { at: 'failed'; error: unknown }
  /** The run started, but its report could not be read (the session ended, the server went). */
  | { at: 'unfollowed'; error: unknown };

export function StageView({
  stage,
  toImport,
  entries,
  navigate,
}: {
  stage: Stage;
  toImport: string[];
  entries: { name: string; hashCode: string }[];
  navigate: (hash: string) => void;
}) {
  switch (stage.at) {
    case 'idle':
      return null;
    case 'uploading': {
      const percent = stage.total ? (100 * stage.sent) / stage.total : 0;
      return (
        <div data-test="bundle-progress">
          <p>
            {i18n.t('Uploading: {{sent}} of {{total}} ({{percent}} %)', {
              sent: bytes(stage.sent),
              total: bytes(stage.total),
              percent: num(Math.floor(percent)),
            })}
          </p>
          <LinearLoader amount={percent} margin="0" width="100%" aria-label={i18n.t('Upload')} />
        </div>
      );
    }
    case 'running': {
      const done = stage.report?.versions.filter((v) => v.status !== 'NOT_EXECUTED').length ?? 0;
      const current = toImport[done];
      return (
        <div data-test="bundle-progress">
          <p>
            {stage.report === null
              ? i18n.t('Starting the import…')
              : current
                ? i18n.t('Importing {{version}} ({{n}} of {{total}})', {
                    version: current,
                    n: num(done + 1),
                    total: num(toImport.length),
                  })
                : i18n.t('Finishing…')}
          </p>
          <LinearLoader
            amount={toImport.length ? (100 * done) / toImport.length : 100}
            margin="0"
            width="100%"
            aria-label={i18n.t('Import')}
          />
        </div>
      );
    }
    case 'refused':
      return <RefusalNotice refusal={stage.refusal} />;
    case 'failed':
      return <UploadFailed error={stage.error} />;
    case 'unfollowed':
      return (
        <NoticeBox
          warning
          title={i18n.t('The import was started, but its progress cannot be read')}
        >
          {errorText(stage.error)}.{' '}
          {i18n.t('The import goes on in the server: Sync history shows how it ends.')}
        </NoticeBox>
      );
    case 'finished':
      return (
        <Finished report={stage.report} held={stage.held} entries={entries} navigate={navigate} />
      );
  }
}

function Finished({
  report,
  held,
  entries,
  navigate,
}: {
  report: SyncReport;
  held: Set<string>;
  entries: { name: string; hashCode: string }[];
  navigate: (hash: string) => void;
}) {
  const tried = new Map(report.versions.map((v) => [v.name, v]));
  const imported = report.versions.filter((v) => v.status === 'SUCCESS' || v.status === 'WARNING');
  const already = entries.filter((e) => !tried.has(e.name) && held.has(`${e.name}/${e.hashCode}`));
  const ok = report.status === 'SUCCESS';
  const names = (list: { name: string }[]) => list.map((v) => v.name).join(', ');
  return (
    <div data-test="bundle-result">
      <NoticeBox
        valid={ok}
        error={!ok}
        title={
          ok
            ? i18n.t('Bundle imported')
            : report.error?.version
              ? i18n.t('The import stopped at {{version}}: {{kind}}', {
                  version: report.error.version,
                  kind: report.error.kind,
                })
              : i18n.t('The import stopped: {{kind}}', {
                  kind: report.error?.kind ?? report.status,
                })
        }
      >
        {imported.length > 0
          ? i18n.t('Imported {{versions}}.', { versions: names(imported) })
          : i18n.t('No version was imported.')}
        {already.length > 0 &&
          ` ${i18n.t('Already here: {{versions}}.', { versions: names(already) })}`}
        {!ok && report.error && <p style={{ margin: '8px 0 0' }}>{report.error.message}</p>}
        {!ok && (
          <p style={{ margin: '8px 0 0' }}>
            {i18n.t(
              'The versions before it stay imported. The run’s page in Sync history has the details.',
            )}
          </p>
        )}
      </NoticeBox>
      <SimpleTable
        label={i18n.t('Bundle versions')}
        columns={[
          i18n.t('Version'),
          i18n.t('Result'),
          i18n.t('Created'),
          i18n.t('Updated'),
          i18n.t('Deleted'),
          i18n.t('Ignored'),
        ]}
        rows={entries.map((e) => {
          const v = tried.get(e.name);
          const status =
            v?.status ?? (held.has(`${e.name}/${e.hashCode}`) ? 'ALREADY HERE' : 'NOT IMPORTED');
          return [
            e.name,
            <StatusTag key="s" status={status} />,
            v?.stats?.created ?? '—',
            v?.stats?.updated ?? '—',
            v?.stats?.deleted ?? '—',
            v?.stats?.ignored ?? '—',
          ];
        })}
      />
      <div className="row" style={{ marginTop: 8 }}>
        <Button small onClick={() => navigate(`/history/${report.id}`)}>
          {i18n.t('Open the run in Sync history')}
        </Button>
      </div>
    </div>
  );
}
