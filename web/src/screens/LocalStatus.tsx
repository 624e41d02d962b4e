/**
 * A local's sync status panel (Data Administration → Metadata versioning): the state, what the
 * central was last asked and when (issue 24 §3: never "Up to date" on stale knowledge), a run's
 * progress while it goes, Sync now, and the rebaseline of a diverged local.
 */
import { Button, NoticeBox } from '@dhis2/ui';
import { useDataEngine } from '@dhis2/app-runtime';
import { useState } from 'react';
import { errorText } from '../api.ts';
import { num, when } from '../format.ts';
import { i18n } from '../i18n.ts';
import { useApp } from '../context.tsx';
import { mutation, usePolling } from '../runtime.tsx';
import { Loading, StatusTag } from './common.tsx';
import { useSyncStatus } from './sync-status-query.ts';
import { RelayDownstream } from './RelayStatus.tsx';
import { DriftWarning } from './DriftNotes.tsx';
import { StatusFreshness } from './StatusFreshness.tsx';
import { RebaselineAction } from './RebaselineDialog.tsx';
import { BusyNote, SyncProgress } from './Progress.tsx';
import { upToDateHeadline } from '../sync-display.ts';
import type { SyncStarted, SyncStatus } from '../../../src/http/schemas/api-types.ts';

/** What to do about a failure, in words, for the kinds of failure an administrator can fix. */
function hint(kind: SyncStatus['failureKind']): string | null {
  switch (kind) {
    case 'REMOTE_AUTH':
      return i18n.t(
        'The central refused the username or password: check them in Settings → Synchronization.',
      );
    case 'REMOTE_UNREACHABLE':
      return i18n.t(
        'The central could not be reached: check the remote server URL and the network.',
      );
    case 'VERSION_MISMATCH':
      return i18n.t(
        'The DHIS2 versions differ and “Don’t sync metadata if DHIS2 versions differ” is on.',
      );
    case 'DIVERGED':
      return i18n.t(
        'This instance and the central disagree about the version history; see the run in Sync history.',
      );
    default:
      return null;
  }
}

const RUN = mutation({ resource: 'metadata/sync/run', type: 'create' });

export function LocalStatus({ onSynced }: { onSynced: () => void }) {
  const { alert, navigate } = useApp();
  const engine = useDataEngine();
  // The panel's first load asks the central for its newest version (?refresh=true), so that it
  // does not call this instance up to date on the last run's word; polls while a run goes on
  // read what the run records.
  const status = useSyncStatus();
  const [busy, setBusy] = useState(false);
  const running = status.data?.state === 'RUNNING';
  usePolling(() => status.read().then(onSynced), 1000, running);
  const syncNow = async () => {
    setBusy(true);
    try {
      const r = (await engine.mutate(RUN)) as SyncStarted;
      alert(i18n.t('Sync started (report {{id}})', { id: r.id }));
      await status.read();
    } catch (e) {
      alert(i18n.t('Sync not started: {{error}}', { error: errorText(e) }), 'critical');
    } finally {
      setBusy(false);
    }
  };
  const s = status.data;
  if (!s)
    return (
      <div className="panel">
        <Loading error={status.error} />
      </div>
    );
  const bad = s.state === 'FAILED' || s.state === 'DIVERGED';
  const headline =
    s.state === 'UP_TO_DATE'
      ? upToDateHeadline(s)
      : s.state === 'BEHIND'
        ? s.behindBy === null || s.behindBy === undefined
          ? i18n.t('Behind by an unknown number of versions')
          : i18n.t('Behind by {{n}} version', { count: s.behindBy, n: num(s.behindBy) })
        : s.state === 'RUNNING'
          ? i18n.t('Sync running')
          : s.state === 'NOT_CONFIGURED'
            ? i18n.t('Not configured')
            : s.state === 'DIVERGED'
              ? i18n.t('Diverged')
              : i18n.t('Failed');
  return (
    <div className="panel" data-test="sync-status">
      <NoticeBox
        error={bad}
        warning={s.state === 'BEHIND' || s.state === 'NOT_CONFIGURED'}
        valid={s.state === 'UP_TO_DATE' && !s.remoteCheckError && Boolean(s.remoteCheckedAt)}
        title={headline}
      >
        {s.message}
        {bad && hint(s.failureKind) && <p style={{ margin: '8px 0 0' }}>{hint(s.failureKind)}</p>}
      </NoticeBox>
      <StatusFreshness status={s} onAsk={status.ask} />
      {busy && !running && <BusyNote text={i18n.t('Starting the sync…')} />}
      {running && s.runningReport && <SyncProgress id={s.runningReport} />}
      {s.dataPushWarning && (
        <div style={{ marginTop: 8 }}>
          <NoticeBox warning title={i18n.t('Data left on this instance')}>
            {s.dataPushWarning}
          </NoticeBox>
        </div>
      )}
      <DriftWarning drift={s.drift} />
      {s.localVersionWarning && (
        <div style={{ marginTop: 8 }}>
          <NoticeBox warning title={i18n.t('This instance has its own version')}>
            {i18n.t(
              '{{version}} was created here, not received from the central. A local that creates versions cannot keep receiving versions from its central.',
              { version: s.currentVersion },
            )}
          </NoticeBox>
        </div>
      )}
      <dl className="kv" style={{ marginTop: 12 }}>
        <dt>{i18n.t('State')}</dt>
        <dd>
          <StatusTag status={s.state} />
        </dd>
        <dt>{i18n.t('This instance')}</dt>
        <dd>{s.currentVersion ?? '—'}</dd>
        <dt>{i18n.t('Master version (central)')}</dt>
        <dd data-test="remote-version">
          {s.remoteVersion ?? '—'}
          {s.remoteCheckedAt && (
            <> {i18n.t('(checked {{when}})', { when: when(s.remoteCheckedAt) })}</>
          )}
          {s.remoteCheckError && (
            <>
              {' '}
              {i18n.t('(the central could not be asked: {{error}})', { error: s.remoteCheckError })}
            </>
          )}
        </dd>
        <dt>{i18n.t('DHIS2 release (here / central)')}</dt>
        <dd data-test="system-versions">
          {s.systemVersion} / {s.centralSystemVersion ?? i18n.t('not known yet')}
          {s.centralSystemVersion && s.centralSystemVersion !== s.systemVersion && (
            <>
              {' '}
              {i18n.t(
                '(they differ: with keyStopMetadataSync on, a snapshot made by another release stops the sync)',
              )}
            </>
          )}
        </dd>
        <dt>{i18n.t('Last sync attempt')}</dt>
        <dd>{when(s.lastAttempt)}</dd>
        <dt>{i18n.t('Last sync')}</dt>
        <dd>{when(s.lastSuccess)}</dd>
      </dl>
      {s.relay && <RelayDownstream relay={s.relay} />}
      <div className="row">
        <Button primary onClick={() => void syncNow()} disabled={busy || running}>
          {i18n.t('Sync now')}
        </Button>
        {s.runningReport && (
          <Button onClick={() => navigate(`/history/${s.runningReport}`)}>
            {i18n.t('Watch progress')}
          </Button>
        )}
        <Button onClick={() => navigate('/history')}>{i18n.t('Sync history')}</Button>
        {s.state === 'DIVERGED' && (
          <RebaselineAction
            remoteVersion={s.remoteVersion}
            currentVersion={s.currentVersion}
            onDone={() => void status.ask().then(onSynced)}
          />
        )}
      </div>
    </div>
  );
}
