/** The recovery mail of notify-only-on-change mode: the first good run after failures. */
import type { SyncReport } from '../../domain/sync/sync-report.ts';
import { driftHtml, driftLine } from './drift-note.ts';
import { escapeHtml, footerText, page, type RenderedMail } from './layout.ts';

export const RECOVERY_SUBJECT = 'Recovered: Metadata Synchronization';

export function renderRecovery(report: SyncReport, system: string): RenderedMail {
  const line = `Metadata synchronization works again: the run of ${report.startTime} succeeded; this server is at ${report.toVersion ?? 'no version'}.`;
  const drift = driftLine(report.drift); // issue 23 §3
  return {
    subject: RECOVERY_SUBJECT,
    text: `${line}\nSync report: ${report.id}\n${drift ? `${drift}\n` : ''}\n${footerText(system)}`,
    html: page(
      'Metadata synchronization recovered',
      `<p>${escapeHtml(line)}</p><p>Sync report: ${escapeHtml(report.id)}</p>${driftHtml(report.drift)}`,
      footerText(system),
    ),
  };
}
