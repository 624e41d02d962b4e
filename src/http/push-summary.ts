/**
 * Every answer a DHIS2 local parses must be parseable (issue 16 §2). A local reads the answer to
 * each data push with DHIS2's SyncUtils: on 4xx it takes the body's `response` member and maps
 * it onto the summary type of that endpoint (WebMessageParseUtils), and a body without one makes
 * it throw a NullPointerException on every run instead of reporting the failure. So an error on
 * a push route carries, as `response`, an ERROR summary of the type the local expects:
 *
 * - a route names the type in its config (`config: { importSummary: 'ImportSummary' }`);
 * - a POST under `/api/` that matches no route (404, 405) may be a push to an endpoint this
 *   server lacks, so it carries a summary both types parse: DHIS2's Jackson ignores unknown
 *   properties, and an ImportSummaries must hold an ERROR summary in `importSummaries`, since a
 *   local only looks at the nested ones (an empty list reads as success).
 *
 * Conflicts carry only `object` and `value`: DHIS2's `errorCode` there is an enum, and a code
 * the local's release does not know would fail the parse.
 */
import type { FastifyRequest } from 'fastify';
import {
  emptyCount,
  type ImportConflict,
  type ImportSummary,
} from '../domain/data/import-summary.ts';

export type SummaryType = 'ImportSummary' | 'ImportSummaries';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The summary type a DHIS2 local parses from this route's answers (issue 16 §2). */
    importSummary?: SummaryType;
  }
}

/** The summary type an error answer to this request must carry, if any. */
export function summaryTypeFor(request: FastifyRequest): SummaryType | 'either' | null {
  const configured = request.routeOptions.config?.importSummary;
  if (configured) return configured;
  const unmatched = request.routeOptions.url === undefined;
  return unmatched && request.method === 'POST' && request.url.startsWith('/api/')
    ? 'either'
    : null;
}

const asRecord = (v: unknown): Record<string, unknown> =>
  typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : {};

/** The conflicts an error's details name (schema issues, import conflicts). */
function conflictsOf(details: unknown): ImportConflict[] {
  const d = asRecord(details);
  const reports = Array.isArray(d.errorReports) ? d.errorReports : [];
  const conflicts = Array.isArray(d.conflicts) ? d.conflicts : [];
  return [
    // Schema violations (with their `path`); a domain's field errors have none and stay out,
    // as before they were reported as field errors (issue 17 §5).
    ...reports
      .filter((r) => asRecord(r).path !== undefined)
      .map((r) => ({
        object: String(asRecord(r).path),
        value: String(asRecord(r).message ?? ''),
      })),
    ...conflicts.map((c) => ({
      object: String(asRecord(c).object ?? ''),
      value: String(asRecord(c).value ?? ''),
    })),
  ];
}

/** The `response` of an error answer: an ERROR summary of `type` saying what went wrong. */
export function errorSummary(
  type: SummaryType | 'either',
  message: string,
  details: unknown,
): Record<string, unknown> {
  const summary: ImportSummary = {
    responseType: 'ImportSummary',
    status: 'ERROR',
    description: message,
    importCount: emptyCount(),
    conflicts: conflictsOf(details),
  };
  if (type === 'ImportSummary') return { ...summary };
  const summaries = {
    responseType: 'ImportSummaries',
    status: 'ERROR',
    imported: 0,
    updated: 0,
    deleted: 0,
    ignored: 0,
    total: 0,
    importSummaries: [summary],
  };
  return type === 'ImportSummaries'
    ? summaries
    : { ...summary, ...summaries, responseType: 'ImportSummary' };
}
