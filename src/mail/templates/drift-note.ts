/**
 * What the sync mails say about drift (issue 23 §3): the run's drift check when anything was
 * changed, created or deleted locally, and the objects a failed version touched that had drifted
 * before it was imported ("it failed because someone edited X here").
 */
import type { DriftSummary } from '../../domain/drift/drift.ts';
import type { DriftedObject } from '../../domain/sync/sync-report.ts';
import { escapeHtml } from './layout.ts';

/** At most this many drifted objects are named in a mail; the run report has them all. */
const MAX_DRIFTED = 20;

const objects = (n: number) => `${n} ${n === 1 ? 'object' : 'objects'}`;

/** "2 objects changed, 1 created, 1 deleted locally …", or null when nothing drifted. */
function driftText(drift: DriftSummary | null | undefined): string | null {
  if (!drift || drift.changed + drift.created + drift.deleted === 0) return null;
  return (
    `${objects(drift.changed)} changed, ${drift.created} created, ${drift.deleted} deleted ` +
    'locally since the versions applied — see Drift in the admin UI / `metasync drift`'
  );
}

/** The text mail's drift line, or null when nothing drifted. */
export function driftLine(drift: DriftSummary | null | undefined): string | null {
  const text = driftText(drift);
  return text ? `Drift: ${text}` : null;
}

export function driftHtml(drift: DriftSummary | null | undefined): string {
  const text = driftText(drift);
  return text ? `<p><b>Drift:</b> ${escapeHtml(text)}</p>` : '';
}

const describeDrifted = (o: DriftedObject) =>
  `${o.type} ${o.id}${o.name ? ` (${o.name})` : ''} ${o.kind}`;

/** The lines naming a version's drifted objects (empty when none). */
export function driftedLines(drifted: DriftedObject[] | undefined): string[] {
  if (!drifted || drifted.length === 0) return [];
  const more = drifted.length - MAX_DRIFTED;
  return [
    'Drifted locally before this version:',
    ...drifted.slice(0, MAX_DRIFTED).map(describeDrifted),
    ...(more > 0 ? [`… and ${more} more (see the sync report)`] : []),
  ];
}

export function driftedHtml(drifted: DriftedObject[] | undefined): string {
  const [title, ...items] = driftedLines(drifted);
  if (!title) return '';
  return `<p>${escapeHtml(title)}</p><ul>${items.map((x) => `<li>${escapeHtml(x)}</li>`).join('')}</ul>`;
}
