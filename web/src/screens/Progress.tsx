/**
 * Progress of the long actions (issue 24 §3): a loader with words for a request whose length is
 * not known (an import, an export, a manual sync), and a sync run's progress version by version,
 * read from its report, which the run saves while it goes (`transfer.downloading`, `versions`).
 */
import { num } from '../format.ts';
import { i18n } from '../i18n.ts';
import { downloadLine } from '../transfer-text.ts';
import { CircularLoader, LinearLoader } from '@dhis2/ui';
import { useEffect, useRef } from 'react';
import { usePolling } from '../runtime.tsx';
import { StatusTag, useResource } from './common.tsx';
import type { SyncReport } from '../../../src/http/schemas/api-types.ts';
import { runShare } from '../sync-display.ts';

/**
 * A spinning loader and what is being waited for, announced to screen readers. Busy buttons are
 * disabled and show this instead of their `loading` spinner, which @dhis2/ui renders as a
 * progressbar without an accessible name (axe: aria-progressbar-name).
 */
export function BusyNote({ text }: { text: string }) {
  return (
    <div className="row" role="status" aria-live="polite" data-test="busy-note">
      <CircularLoader small aria-label={text} />
      <span>{text}</span>
    </div>
  );
}

/** A running report's progress: versions done of all, the download under way, each version. */
export function RunProgress({ report }: { report: SyncReport }) {
  const { done, total } = runShare(report);
  const d = report.transfer?.downloading;
  const step = report.steps.find((s) => s.status === 'RUNNING')?.name ?? '…';
  return (
    <div data-test="run-progress" role="status" aria-live="polite">
      <p style={{ margin: '4px 0' }}>
        {total === null
          ? i18n.t('Step {{step}}: {{n}} version done so far.', {
              step,
              count: done,
              n: num(done),
            })
          : i18n.t('Step {{step}}: {{done}} of {{n}} version done.', {
              step,
              done: num(done),
              count: total,
              n: num(total),
            })}
      </p>
      <LinearLoader
        amount={total ? Math.min(100, (100 * done) / total) : 0}
        margin="0"
        width="100%"
        aria-label={i18n.t('Versions done')}
      />
      {d && (
        <p data-testid="live-download" style={{ margin: '4px 0' }}>
          {i18n.t('Downloading {{version}}:', { version: d.version })} {downloadLine(d)}
        </p>
      )}
      {report.versions.length > 0 && (
        <ul className="run-versions" style={{ margin: '4px 0', paddingInlineStart: 20 }}>
          {report.versions.map((v) => (
            <li key={v.name}>
              {v.name} <StatusTag status={v.status} />
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

// The id goes through a variable: the runtime keeps the first query it is given.
const REPORT = {
  resource: 'metadata/sync/reports',
  id: ({ id }: Record<string, unknown>) => encodeURIComponent(id as string),
};

/** A run's report by its id, read again every second while it is RUNNING. */
export function useFollowedReport(id: string) {
  const report = useResource<SyncReport>(REPORT, { variables: { id } });
  const { refetch } = report;
  // Another run opened in place is asked for with new variables; the first id was asked on mount.
  const askedFor = useRef(id);
  useEffect(() => {
    if (askedFor.current === id) return;
    askedFor.current = id;
    void refetch({ id });
  }, [id, refetch]);
  const running = report.data?.status === 'RUNNING';
  usePolling(refetch, 1000, running);
  return { ...report, running };
}

/** Follows a running report by its id, a second at a time, until it ends. */
export function SyncProgress({ id }: { id: string }) {
  const { data, running } = useFollowedReport(id);
  if (!data || !running) return <BusyNote text={i18n.t('Sync running…')} />;
  return <RunProgress report={data} />;
}
