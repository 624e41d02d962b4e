/** Sync history: every run, and one run's steps, versions, stats and errors (live while running). */
import { Button, NoticeBox } from '@dhis2/ui';
import { duration, num, when } from '../format.ts';
import { i18n } from '../i18n.ts';
import { bytes, pushedLine, rate, resumesLine } from '../transfer-text.ts';
import { useApp } from '../context.tsx';
import { usePolling } from '../runtime.tsx';
import { Loading, SimpleTable, StatusTag, useResource } from './common.tsx';
import { RunProgress, useFollowedReport } from './Progress.tsx';
import { RunDrift } from './DriftNotes.tsx';

import type { SyncReport as Report } from '../../../src/http/schemas/api-types.ts';

const applied = (r: Report) =>
  r.versions.filter((v) => v.status === 'SUCCESS' || v.status === 'WARNING');

const REPORTS = { resource: 'metadata/sync/reports' };

export function History() {
  const { navigate, role } = useApp();
  const answer = useResource<{ reports: Report[] }>(REPORTS);
  const reports = { ...answer, data: answer.data?.reports };
  const anyRunning = reports.data?.some((r) => r.status === 'RUNNING') ?? false;
  usePolling(answer.refetch, 1500, anyRunning);
  return (
    <section aria-labelledby="history-title">
      <h2 id="history-title">{i18n.t('Sync history')}</h2>
      <div className="panel">
        {role !== 'local' && (
          <p className="muted">
            {i18n.t('Sync runs happen on a local; this instance is not one.')}
          </p>
        )}
        {!reports.data ? (
          <Loading error={reports.error} />
        ) : (
          <SimpleTable
            label={i18n.t('Sync runs')}
            columns={[
              i18n.t('Started'),
              i18n.t('Trigger'),
              i18n.t('Status'),
              i18n.t('Duration'),
              i18n.t('Versions applied'),
              '',
            ]}
            empty={i18n.t('No sync has run yet.')}
            rows={reports.data.map((r) => [
              when(r.startTime),
              `${r.trigger}${r.triggeredBy ? ` (${r.triggeredBy})` : ''}`,
              <StatusTag key="s" status={r.status} />,
              r.status === 'RUNNING' ? i18n.t('running…') : duration(r.startTime, r.endTime),
              applied(r)
                .map((v) => v.name)
                .join(', ') || (r.error ? r.error.message.slice(0, 80) : i18n.t('none')),
              <Button key="d" small onClick={() => navigate(`/history/${r.id}`)}>
                {i18n.t('Details')}
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
  const report = useFollowedReport(id);
  const { running } = report;
  const r = report.data;
  return (
    <section aria-labelledby="detail-title">
      <div className="row">
        <Button small onClick={() => navigate('/history')}>
          {i18n.t('← Sync history')}
        </Button>
      </div>
      <h2 id="detail-title">{i18n.t('Sync run {{id}}', { id })}</h2>
      {!r ? (
        <Loading error={report.error} />
      ) : (
        <>
          {r.error && (
            <NoticeBox
              error
              title={i18n.t('Failed at {{step}}: {{kind}}', {
                step: r.error.version ? `${r.error.step} (${r.error.version})` : r.error.step,
                kind: r.error.kind,
              })}
            >
              {r.error.message}
            </NoticeBox>
          )}
          {running && (
            <NoticeBox title={i18n.t('Running')}>
              {i18n.t('This page updates by itself.')}
              <RunProgress report={r} />
            </NoticeBox>
          )}
          <div className="panel" style={{ marginTop: 12 }}>
            <dl className="kv">
              <dt>{i18n.t('Status')}</dt>
              <dd>
                <StatusTag status={r.status} />
              </dd>
              <dt>{i18n.t('Trigger')}</dt>
              <dd>
                {r.trigger}
                {r.triggeredBy ? ` ${i18n.t('by {{user}}', { user: r.triggeredBy })}` : ''}
              </dd>
              <dt>{i18n.t('Started')}</dt>
              <dd>{when(r.startTime)}</dd>
              <dt>{i18n.t('Duration')}</dt>
              <dd>{duration(r.startTime, r.endTime)}</dd>
              <dt>{i18n.t('Attempts')}</dt>
              <dd>{r.attempts}</dd>
              <dt>{i18n.t('Version before → after')}</dt>
              <dd>
                {i18n.t('{{from}} → {{to}} (central: {{central}})', {
                  from: r.fromVersion ?? i18n.t('none'),
                  to: r.toVersion ?? i18n.t('none'),
                  central: r.remoteVersion ?? '?',
                })}
              </dd>
            </dl>
            <h3>{i18n.t('Steps')}</h3>
            <SimpleTable
              label={i18n.t('Steps')}
              columns={[i18n.t('Step'), i18n.t('Status'), i18n.t('Message')]}
              rows={r.steps.map((s) => [
                s.name,
                <StatusTag key="s" status={s.status} />,
                s.message ?? '',
              ])}
            />
            {r.dataPushed && r.dataPushed.length > 0 && (
              <>
                <h3>{i18n.t('Data sent upstream')}</h3>
                <div data-testid="data-pushed">
                  <SimpleTable
                    label={i18n.t('Data sent upstream')}
                    columns={[i18n.t('Kind'), i18n.t('Status'), i18n.t('Sent'), i18n.t('At')]}
                    rows={r.dataPushed.map((k) => [
                      k.kind,
                      <StatusTag key="s" status={k.status} />,
                      pushedLine(k),
                      when(k.at),
                    ])}
                  />
                </div>
              </>
            )}
            <h3>{i18n.t('Versions')}</h3>
            <SimpleTable
              label={i18n.t('Versions')}
              columns={[
                i18n.t('Version'),
                i18n.t('Type'),
                i18n.t('Status'),
                i18n.t('Created'),
                i18n.t('Updated'),
                i18n.t('Deleted'),
                i18n.t('Ignored'),
                i18n.t('Total'),
                i18n.t('Seconds'),
                i18n.t('Download'),
              ]}
              empty={i18n.t('No version was tried.')}
              rows={r.versions.map((v) => [
                v.name,
                v.type,
                <StatusTag key="s" status={v.status} />,
                v.stats?.created ?? '—',
                v.stats?.updated ?? '—',
                v.stats?.deleted ?? '—',
                v.stats?.ignored ?? '—',
                v.stats?.total ?? '—',
                v.seconds === undefined || v.seconds === null
                  ? '—'
                  : num(v.seconds, { minimumFractionDigits: 2, maximumFractionDigits: 2 }),
                v.download ? resumesLine(v.download) : '—',
              ])}
            />
            {r.versions.some((v) => v.errors.length > 0 || v.message) && (
              <>
                <h3>{i18n.t('Errors')}</h3>
                <SimpleTable
                  label={i18n.t('Errors')}
                  columns={[
                    i18n.t('Version'),
                    i18n.t('Code'),
                    i18n.t('Type'),
                    i18n.t('Property'),
                    i18n.t('Message'),
                  ]}
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
                <h3>{i18n.t('Transfer')}</h3>
                <dl className="kv" data-testid="transfer">
                  <dt>{i18n.t('Received')}</dt>
                  <dd>{bytes(r.transfer.bytesReceived)}</dd>
                  <dt>{i18n.t('Sent')}</dt>
                  <dd>{bytes(r.transfer.bytesSent)}</dd>
                  <dt>{i18n.t('Download rate')}</dt>
                  <dd>
                    {r.transfer.bytesPerSecond === null
                      ? i18n.t('nothing downloaded')
                      : rate(r.transfer.bytesPerSecond)}
                  </dd>
                  <dt>{i18n.t('Resumed downloads')}</dt>
                  <dd>
                    {r.transfer.resumed.length === 0
                      ? i18n.t('none')
                      : r.transfer.resumed
                          .map((d) =>
                            i18n.t('{{version}} from byte {{from}} ({{size}})', {
                              version: d.version,
                              from: d.from,
                              size: bytes(d.from),
                            }),
                          )
                          .join(', ')}
                  </dd>
                </dl>
              </>
            )}
            {r.notifications && r.notifications.length > 0 && (
              <>
                <h3>{i18n.t('E-mail notifications')}</h3>
                <SimpleTable
                  label={i18n.t('Notifications')}
                  columns={[i18n.t('Kind'), i18n.t('To'), i18n.t('Status'), i18n.t('Detail')]}
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
