/**
 * How a local reads its central's answer to a data push (contract §11): a body with both
 * `httpStatus` and `response` is a WebMessage and `response` is the summary, otherwise the body
 * is. Success means the status is neither ERROR nor WARNING, so a central that ignored some
 * values fails the push, and with it the metadata sync (as DHIS2).
 */
import type { ImportConflict } from './import-summary.ts';

export interface CentralSummary {
  status: string;
  description?: string;
  conflicts: ImportConflict[];
  importCount?: Record<string, number>;
}

const asRecord = (v: unknown): Record<string, unknown> =>
  typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : {};

export function extractSummary(body: unknown): CentralSummary {
  const outer = asRecord(body);
  const inner = 'httpStatus' in outer && 'response' in outer ? asRecord(outer.response) : outer;
  // ImportSummaries (events): the conflicts are those of the per-event summaries.
  const nested = Array.isArray(inner.importSummaries)
    ? (inner.importSummaries as unknown[]).flatMap((s) => {
        const r = asRecord(s);
        return (Array.isArray(r.conflicts) ? r.conflicts : []).map((c) => ({
          ...asRecord(c),
          ...(typeof r.reference === 'string' ? { reference: r.reference } : {}),
        }));
      })
    : [];
  const conflicts = [...(Array.isArray(inner.conflicts) ? inner.conflicts : []), ...nested].map(
    (c) => {
      const r = asRecord(c);
      return { object: String(r.object ?? ''), value: String(r.value ?? '') };
    },
  );
  // A refusal (e.g. 403 for a sync user without F_DATAVALUE_ADD) is a WebMessage whose message
  // is the reason; its summary, if any, only repeats it (issue 16 §2).
  const refusal =
    typeof outer.message === 'string' &&
    (typeof inner.description !== 'string' || inner.description === outer.message);
  return {
    status: typeof inner.status === 'string' ? inner.status : 'ERROR',
    ...(refusal
      ? { description: `HTTP ${String(outer.httpStatusCode ?? '')} ${String(outer.message)}` }
      : typeof inner.description === 'string'
        ? { description: inner.description }
        : {}),
    conflicts,
    ...(typeof inner.importCount === 'object' && inner.importCount !== null
      ? { importCount: inner.importCount as Record<string, number> }
      : {}),
  };
}

export const pushSucceeded = (s: CentralSummary) => s.status !== 'ERROR' && s.status !== 'WARNING';

/** The failure text for the run report: what failed, the central's status and its conflicts. */
export function describeFailure(what: string, s: CentralSummary, limit = 20): string {
  const shown = s.conflicts
    .slice(0, limit)
    .map((c) => `${c.object}: ${c.value}`)
    .join('; ');
  const more = s.conflicts.length > limit ? ` (and ${s.conflicts.length - limit} more)` : '';
  const count = s.importCount ? ` ${JSON.stringify(s.importCount)}` : '';
  return `${what} failed: the central answered ${s.status}${count}${s.description ? ` (${s.description})` : ''}${shown ? `. Conflicts: ${shown}${more}` : ''}`;
}
