/**
 * The success mail, one per imported version (contract §10): DHIS2's subject and the same facts
 * in the same order (version name, type, stats per metadata type), as text and HTML.
 */
import type { DriftSummary } from '../../domain/drift/drift.ts';
import type { VersionReport } from '../../domain/sync/sync-report.ts';
import { driftHtml, driftLine } from './drift-note.ts';
import { escapeHtml, footerText, page, type RenderedMail } from './layout.ts';

export const SUCCESS_SUBJECT = 'Success Notification: Metadata Synchronization';

export function renderSuccess(
  v: VersionReport,
  system: string,
  dataPushWarning?: string,
  drift?: DriftSummary | null,
): RenderedMail {
  const types = Object.entries(v.typeStats ?? {}).filter(([, s]) => s.total > 0);
  const lines = [
    'Successful Import Report for the scheduler run for Metadata synchronization',
    '',
    'Imported Version Details',
    `Version Name: ${v.name}`,
    `Version Type: ${v.type}`,
  ];
  if (types.length === 0) lines.push('New Version created. It does not have any metadata changes.');
  else {
    lines.push('Imported Object Details:');
    for (const [klass, s] of types) {
      lines.push(`Metadata Object Type: ${klass}`, 'Stats:', `total: ${s.total}`);
      if (s.created) lines.push(`created: ${s.created}`);
      if (s.updated) lines.push(`updated: ${s.updated}`);
      if (s.deleted) lines.push(`deleted: ${s.deleted}`);
      if (s.ignored) lines.push(`ignored: ${s.ignored}`);
      lines.push('');
    }
  }
  if (v.status === 'WARNING')
    lines.push(`Imported with warnings: ${v.errors.length} error report(s).`);
  // The data push before the pull left something behind (issue 16 §4): the administrator must know.
  if (dataPushWarning) lines.push(`Data push: WARNING: ${dataPushWarning}`);
  // The run's drift check found local edits (issue 23 §3): a warning, not a failure.
  const drifted = driftLine(drift);
  if (drifted) lines.push(drifted);
  lines.push('', footerText(system));

  const rows = types
    .map(
      ([klass, s]) =>
        `<tr><td>${escapeHtml(klass)}</td><td>${s.total}</td><td>${s.created}</td><td>${s.updated}</td><td>${s.deleted}</td><td>${s.ignored}</td></tr>`,
    )
    .join('');
  const table = types.length
    ? `<table border="1" cellpadding="4" style="border-collapse:collapse"><tr><th>Metadata object type</th><th>total</th><th>created</th><th>updated</th><th>deleted</th><th>ignored</th></tr>${rows}</table>`
    : '<p>New Version created. It does not have any metadata changes.</p>';
  const html = page(
    `Metadata version ${v.name} imported`,
    `<p>Version Name: <b>${escapeHtml(v.name)}</b><br>Version Type: <b>${escapeHtml(v.type)}</b></p>${table}` +
      (v.status === 'WARNING'
        ? `<p>Imported with warnings: ${v.errors.length} error report(s).</p>`
        : '') +
      (dataPushWarning ? `<p><b>Data push: WARNING:</b> ${escapeHtml(dataPushWarning)}</p>` : '') +
      driftHtml(drift),
    footerText(system),
  );
  return { subject: SUCCESS_SUBJECT, text: lines.join('\n'), html };
}
