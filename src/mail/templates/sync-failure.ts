/**
 * The failure mail (contract §10): DHIS2's subject, then what an administrator needs to act —
 * which version, which step, the cause, the import errors if any, and what to do.
 */
import { describePushed } from '../../domain/sync/data-pushed.ts';
import type { SyncReport } from '../../domain/sync/sync-report.ts';
import { driftedHtml, driftedLines, driftHtml, driftLine } from './drift-note.ts';
import { escapeHtml, footerText, page, type RenderedMail } from './layout.ts';

export const FAILURE_SUBJECT = 'Action Required: MetadataSync Failed Notification';

export function renderFailure(report: SyncReport, advice: string, system: string): RenderedMail {
  const e = report.error;
  const failed = report.versions.find((v) => v.status === 'FAILED');
  const facts: [string, string][] = [
    ['Failure', e?.kind ?? 'UNKNOWN'],
    ['Step', e?.step ?? '-'],
    ['Version', e?.version ?? failed?.name ?? '-'],
    ['Cause', e?.message ?? 'unknown'],
    ['Attempts', String(report.attempts)],
    ['Started', report.startTime],
    ['Sync report', report.id],
  ];
  const push = report.steps.find((s) => s.name === 'dataPush');
  if (e?.kind === 'DATA_PUSH') facts.unshift(['Data push', 'FAILED']);
  // A push that went on without some kind (issue 16 §4) is news even when the pull failed.
  else if (push?.status === 'WARNING')
    facts.unshift(['Data push', `WARNING: ${push.message ?? ''}`]);
  // What went upstream before the failure, and what waits (issue 21 §2: a relay's forward).
  for (const k of report.dataPushed ?? [])
    if (k.sent > 0 || k.status !== 'SENT') facts.push(['Sent upstream', describePushed(k)]);
  const errors = (failed?.errors ?? []).slice(0, 20).map((x) => `${x.errorCode}: ${x.message}`);
  // Local edits the failed version ran into, and the run's drift check (issue 23 §3).
  const drifted = driftedLines(failed?.drifted);
  const drift = driftLine(report.drift);
  const text = [
    'Following Exceptions were encountered while the scheduler run for metadata sync',
    '',
    ...facts.map(([k, v]) => `${k}: ${v}`),
    ...(errors.length ? ['', 'Import errors:', ...errors] : []),
    ...(drifted.length ? ['', ...drifted] : []),
    ...(drift ? ['', drift] : []),
    '',
    `What to do: ${advice}`,
    '',
    footerText(system),
  ].join('\n');
  const html = page(
    'Metadata synchronization failed',
    `<table cellpadding="4">${facts.map(([k, v]) => `<tr><th align="left">${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join('')}</table>` +
      (errors.length
        ? `<p>Import errors:</p><ul>${errors.map((x) => `<li>${escapeHtml(x)}</li>`).join('')}</ul>`
        : '') +
      driftedHtml(failed?.drifted) +
      driftHtml(report.drift) +
      `<p><b>What to do:</b> ${escapeHtml(advice)}</p>`,
    footerText(system),
  );
  return { subject: FAILURE_SUBJECT, text, html };
}
