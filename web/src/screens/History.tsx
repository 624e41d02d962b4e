/** Sync history: every run, and one run's steps, versions, stats and errors (live while running). */
import { Button, NoticeBox } from '@dhis2/ui';
import { useEffect } from 'react';
import { api, duration, when } from '../api.ts';
import { useApp } from '../context.tsx';
import { Loading, SimpleTable, StatusTag, useLoad } from './common.tsx';
import { RunDrift } from './DriftNotes.tsx';

import type { SyncReport as Report } from '../../../src/http/schemas/api-types.ts';
import { describeDownload, formatBytes, resumesOf } from '../../../src/domain/sync/transfer.ts';
import { describePushed } from '../../../src/domain/sync/data-pushed.ts';

/** A version's download: what came over the link, and where it continued after breaks. */
function describeResumes(d: NonNullable<Report['versions'][number]['download']>): string {
  const resumes = resumesOf(d);
  if (resumes.length === 0) return formatBytes(d.received);
  const times = resumes.length === 1 ? 'once' : `${resumes.length} times`;
  return `${formatBytes(d.received)}, resumed ${times}, first at byte ${resumes[0]}`;
}

const applied = (r: Report) =>
  r.versions.filter((v) => v.status === 'SUCCESS' || v.status === 'WARNING');

export function History() {
  const { navigate, role } = useApp();
  const reports = useLoad(() =>
    api<{ reports: Report[] }>('/api/metadata/sync/reports').then((r) => r.reports),
  );
  const anyRunning = reports.data?.some((r) => r.status === 'RUNNING') ?? false;
  const { reload } = reports;
  useEffect(() => {
    if (!anyRunning) return;
    const t = setInterval(() => void reload(), 1500);
    return () => clearInterval(t);
  }, [anyRunning, reload]);
  return (
    <section aria-labelledby="history-title">
      <h2 id="history-title">Sync history</h2>
      <div className="panel">
        {role !== 'local' && (
          <p className="muted">Sync runs happen on a local; this instance is not one.</p>
        )}
        {!reports.data ? (
          <Loading error={reports.error} />
        ) : (
          <SimpleTable
            label="Sync runs"
            columns={['Started', 'Trigger', 'Status', 'Duration', 'Versions applied', '']}
            empty="No sync has run yet."
            rows={reports.data.map((r) => [
              when(r.startTime),
              `${r.trigger}${r.triggeredBy ? ` (${r.triggeredBy})` : ''}`,
              <StatusTag key="s" status={r.status} />,
              r.status === 'RUNNING' ? 'running…' : duration(r.startTime, r.endTime),
              applied(r)
                .map((v) => v.name)
                .join(', ') || (r.error ? r.error.message.slice(0, 80) : 'none'),
              <Button key="d" small onClick={() => navigate(`/history/${r.id}`)}>
                Details
              </Button>,
            ])}
          />
        )}
      </div>
    </section>
  );
}

export function HistoryDetail({ id }: { id: string }) {
  const { navigate } = useApp();
  const report = useLoad(
    () => api<Report>(`/api/metadata/sync/reports/${encodeURIComponent(id)}`),
    [id],
  );
  const running = report.data?.status === 'RUNNING';
  const { reload } = report;
  useEffect(() => {
    if (!running) return;
    const t = setInterval(() => void reload(), 1000);
    return () => clearInterval(t);
  }, [running, reload]);
  const r = report.data;
  return (
    <section aria-labelledby="detail-title">
      <div className="row">
        <Button small onClick={() => navigate('/history')}>
          ← Sync history
        </Button>
      </div>
      <h2 id="detail-title">Sync run {id}</h2>
      {!r ? (
        <Loading error={report.error} />
      ) : (
        <>
          {r.error && (
            <NoticeBox
              error
              title={`Failed at ${r.error.step}${r.error.version ? ` (${r.error.version})` : ''}: ${r.error.kind}`}
            >
              {r.error.message}
            </NoticeBox>
          )}
          {running && (
            <NoticeBox title="Running">
              Step {r.steps.find((s) => s.status === 'RUNNING')?.name ?? '…'}; {applied(r).length}{' '}
              version(s) applied so far. This page updates by itself.
              {r.transfer?.downloading && (
                <p data-testid="live-download">
                  Downloading {r.transfer.downloading.version}:{' '}
                  {describeDownload(r.transfer.downloading)}
                </p>
              )}
            </NoticeBox>
          )}
          <div className="panel" style={{ marginTop: 12 }}>
            <dl className="kv">
              <dt>Status</dt>
              <dd>
                <StatusTag status={r.status} />
              </dd>
              <dt>Trigger</dt>
              <dd>
                {r.trigger}
                {r.triggeredBy ? ` by ${r.triggeredBy}` : ''}
              </dd>
              <dt>Started</dt>
              <dd>{when(r.startTime)}</dd>
              <dt>Duration</dt>
              <dd>{duration(r.startTime, r.endTime)}</dd>
              <dt>Attempts</dt>
              <dd>{r.attempts}</dd>
              <dt>Version before → after</dt>
              <dd>
                {r.fromVersion ?? 'none'} → {r.toVersion ?? 'none'} (central:{' '}
                {r.remoteVersion ?? '?'})
              </dd>
            </dl>
            <h3>Steps</h3>
            <SimpleTable
              label="Steps"
              columns={['Step', 'Status', 'Message']}
              rows={r.steps.map((s) => [
                s.name,
                <StatusTag key="s" status={s.status} />,
                s.message ?? '',
              ])}
            />
            {r.dataPushed && r.dataPushed.length > 0 && (
              <>
                <h3>Data sent upstream</h3>
                <div data-testid="data-pushed">
                  <SimpleTable
                    label="Data sent upstream"
                    columns={['Kind', 'Status', 'Sent', 'At']}
                    rows={r.dataPushed.map((k) => [
                      k.kind,
                      <StatusTag key="s" status={k.status} />,
                      describePushed(k),
                      when(k.at),
                    ])}
                  />
                </div>
              </>
            )}
            <h3>Versions</h3>
            <SimpleTable
              label="Versions"
              columns={[
                'Version',
                'Type',
                'Status',
                'Created',
                'Updated',
                'Deleted',
                'Ignored',
                'Total',
                'Seconds',
                'Download',
              ]}
              empty="No version was tried."
              rows={r.versions.map((v) => [
                v.name,
                v.type,
                <StatusTag key="s" status={v.status} />,
                v.stats?.created ?? '—',
                v.stats?.updated ?? '—',
                v.stats?.deleted ?? '—',
                v.stats?.ignored ?? '—',
                v.stats?.total ?? '—',
                v.seconds?.toFixed(2) ?? '—',
                v.download ? describeResumes(v.download) : '—',
              ])}
            />
            {r.versions.some((v) => v.errors.length > 0 || v.message) && (
              <>
                <h3>Errors</h3>
                <SimpleTable
                  label="Errors"
                  columns={['Version', 'Code', 'Type', 'Property', 'Message']}
                  rows={r.versions.flatMap((v) => [
                    ...(v.message ? [[v.name, '', '', '', v.message]] : []),
                    ...v.errors.map((e) => [
                      v.name,
                      e.errorCode,
                      e.mainKlass ?? '',
                      e.errorProperty ?? '',
                      e.message,
                    ]),
                  ])}
                />
              </>
            )}
            <RunDrift report={r} />
            {r.transfer && !running && (
              <>
                <h3>Transfer</h3>
                <dl className="kv" data-testid="transfer">
                  <dt>Received</dt>
                  <dd>{formatBytes(r.transfer.bytesReceived)}</dd>
                  <dt>Sent</dt>
                  <dd>{formatBytes(r.transfer.bytesSent)}</dd>
                  <dt>Download rate</dt>
                  <dd>
                    {r.transfer.bytesPerSecond === null
                      ? 'nothing downloaded'
                      : `${formatBytes(r.transfer.bytesPerSecond)}/s`}
                  </dd>
                  <dt>Resumed downloads</dt>
                  <dd>
                    {r.transfer.resumed.length === 0
                      ? 'none'
                      : r.transfer.resumed
                          .map((d) => `${d.version} from byte ${d.from} (${formatBytes(d.from)})`)
                          .join(', ')}
                  </dd>
                </dl>
              </>
            )}
            {r.notifications && r.notifications.length > 0 && (
              <>
                <h3>E-mail notifications</h3>
                <SimpleTable
                  label="Notifications"
                  columns={['Kind', 'To', 'Status', 'Detail']}
                  rows={r.notifications.map((n) => [
                    n.kind,
                    n.to,
                    <StatusTag key="s" status={n.status} />,
                    n.detail,
                  ])}
                />
              </>
            )}
          </div>
        </>
      )}
    </section>
  );
}
