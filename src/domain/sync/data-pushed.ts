/**
 * One line per kind of what a run's data push sent upstream (issue 21 §2), for the run view:
 * on a relay this is what it forwarded, with the change numbers that bound it, so an operator
 * can tell that a later run went on from where this one stopped.
 */
import { PUSH_WATERMARKS } from '../data/push-watermarks.ts';
import type { PushedKind } from './sync-report.ts';

export function describePushed(k: PushedKind): string {
  const pages = k.pages > 1 ? ` in ${k.pages} pages` : '';
  const window = `changes ${k.after + 1}–${k.upTo}`;
  const what = `${PUSH_WATERMARKS[k.kind].label}: ${k.sent} sent${pages}`;
  if (k.status === 'SENT' && k.sent === 0)
    return `${PUSH_WATERMARKS[k.kind].label}: nothing to send (up to change ${k.upTo})`;
  if (k.status === 'SENT') return `${what} (${window})`;
  return `${what} before it stopped; ${window} stay queued for the next run`;
}
