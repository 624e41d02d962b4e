/**
 * How a DHIS2 local binds its central's answer to a data push (issue 16 §12, contract §11):
 * `ImportSummary` / `ImportSummaries` with Jackson's rules (`jackson.ts`), the 2xx extractors
 * (`ImportSummaryResponseExtractor`: a body with both `httpStatus` and `response` is a
 * WebMessage and `response` is read, else the body) and the 4xx reader (`WebMessageParseUtils`:
 * `response` is required). `ImportConflict.errorCode` is DHIS2's `ErrorCode` enum, so a code the
 * release lacks fails the whole summary.
 */
import { jEnum, jInt, jList, jObject, jString, type Json } from './jackson.ts';
import { JacksonError, NPE, javaError } from './java-errors.ts';
import type { Release } from './releases.ts';

export const IMPORT_STATUSES = ['SUCCESS', 'WARNING', 'ERROR'] as const;
export type ImportStatus = (typeof IMPORT_STATUSES)[number];

export interface Conflict {
  object: string | null;
  value: string | null;
  errorCode: string | null;
  property: string | null;
  indexes: number[] | null;
}

export interface Summary {
  status: ImportStatus | null;
  description: string | null;
  importCount: { imported: number; updated: number; ignored: number; deleted: number };
  conflicts: Conflict[];
  reference: string | null;
  enrollments: Summaries | null;
  events: Summaries | null;
}

export interface Summaries {
  status: ImportStatus | null;
  importSummaries: Summary[];
}

export type SummaryClass = 'ImportSummary' | 'ImportSummaries';

const STATUS = 'org.hisp.dhis.dxf2.importsummary.ImportStatus';

function bindConflict(v: unknown, rel: Release): Conflict {
  const o = jObject(v, 'org.hisp.dhis.dxf2.importsummary.ImportConflict') ?? {};
  const objects = jObject(o.objects, 'java.util.Map<java.lang.String,java.lang.String>');
  for (const x of Object.values(objects ?? {})) jString(x);
  return {
    object: jString(o.object),
    value: jString(o.value),
    errorCode: jEnum(o.errorCode, 'org.hisp.dhis.feedback.ErrorCode', rel.errorCodes),
    property: jString(o.property),
    indexes: jList(o.indexes, 'int')?.map(jInt) ?? null,
  };
}

export function bindSummary(v: unknown, rel: Release): Summary | null {
  const o = jObject(v, 'org.hisp.dhis.dxf2.importsummary.ImportSummary');
  if (!o) return null;
  const count = jObject(o.importCount, 'org.hisp.dhis.dxf2.importsummary.ImportCount') ?? {};
  // `setConflicts(null)` iterates null: the NPE reaches the caller wrapped by Jackson.
  if ('conflicts' in o && o.conflicts === null)
    throw new JacksonError(
      '(was java.lang.NullPointerException) (through reference chain: ImportSummary["conflicts"])',
    );
  jObject(o.importOptions, 'org.hisp.dhis.dxf2.common.ImportOptions');
  jList(o.rejectedIndexes, 'java.lang.Integer')?.forEach(jInt);
  for (const k of ['responseType', 'href', 'dataSetComplete']) jString(o[k]);
  return {
    // A missing status keeps the field's initial value SUCCESS.
    status: 'status' in o ? jEnum(o.status, STATUS, IMPORT_STATUSES) : 'SUCCESS',
    description: jString(o.description),
    importCount: {
      imported: jInt(count.imported),
      updated: jInt(count.updated),
      ignored: jInt(count.ignored),
      deleted: jInt(count.deleted),
    },
    conflicts: (jList(o.conflicts, 'ImportConflict') ?? []).map((c) => bindConflict(c, rel)),
    reference: jString(o.reference),
    enrollments: bindSummaries(o.enrollments, rel),
    events: bindSummaries(o.events, rel),
  };
}

export function bindSummaries(v: unknown, rel: Release): Summaries | null {
  const o = jObject(v, 'org.hisp.dhis.dxf2.importsummary.ImportSummaries');
  if (!o) return null;
  for (const k of ['imported', 'updated', 'deleted', 'ignored', 'total']) jInt(o[k]);
  jObject(o.importOptions, 'org.hisp.dhis.dxf2.common.ImportOptions');
  const items = jList(o.importSummaries, 'ImportSummary') ?? [];
  return {
    status: 'status' in o ? jEnum(o.status, STATUS, IMPORT_STATUSES) : 'SUCCESS',
    importSummaries: items.map((s) => bindSummary(s, rel)).filter((s): s is Summary => !!s),
  };
}

export const bind = (klass: SummaryClass, v: unknown, rel: Release) =>
  klass === 'ImportSummary' ? bindSummary(v, rel) : bindSummaries(v, rel);

/**
 * The 2xx path. The body is read with jsontree first: text that is not JSON fails there with a
 * runtime exception that RestTemplate does not wrap; Jackson's errors are IOExceptions, which
 * RestTemplate turns into ResourceAccessException (the caller does that).
 */
export function extractOk(
  klass: SummaryClass,
  text: string,
  rel: Release,
): Summary | Summaries | null {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw javaError(
      'org.hisp.dhis.jsontree.JsonFormatException',
      `Unexpected input at 0: ${text.slice(0, 40)}`,
    );
  }
  const o =
    typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Json) : null;
  const wrapped = o !== null && 'httpStatus' in o && 'response' in o;
  return bind(klass, wrapped ? o.response : body, rel);
}

/**
 * `WebMessageParseUtils.fromWebMessageResponse` on a 4xx body: text that is not JSON or a
 * `response` Jackson cannot bind is a WebMessageParseException (the caller logs it and the push
 * fails); a body without `response` (or an empty body, read as a missing node) dereferences null:
 * a NullPointerException that escapes.
 */
export function extractClientError(
  klass: SummaryClass,
  text: string,
  rel: Release,
): { summary: Summary | Summaries | null } | { parseError: string } {
  let body: unknown;
  if (text.trim() === '') throw javaError(NPE, null);
  try {
    body = JSON.parse(text);
  } catch (e) {
    return { parseError: `Invalid JSON String. ${(e as Error).message}` };
  }
  const response =
    typeof body === 'object' && body !== null && !Array.isArray(body)
      ? (body as Json).response
      : undefined;
  if (response === undefined) throw javaError(NPE, null);
  try {
    return { summary: bind(klass, response, rel) };
  } catch (e) {
    if (e instanceof JacksonError)
      return { parseError: `Could not parse the JSON.${e.javaMessage}` };
    throw e;
  }
}

/** `SyncUtils.checkSummaryStatus`: a push succeeded when no summary is ERROR or WARNING. */
const ok = (s: Summary) => s.status !== 'ERROR' && s.status !== 'WARNING';

/**
 * `SyncUtils.analyzeResultsInImportSummaries`: every summary, and for tracked entities their
 * enrollments' summaries and those enrollments' events' summaries.
 */
export function succeeded(klass: SummaryClass, s: Summary | Summaries, tracker = false): boolean {
  if (klass === 'ImportSummary') return ok(s as Summary);
  const walk = (all: Summaries | null, depth: number): boolean =>
    !all ||
    all.importSummaries.every(
      (x) =>
        ok(x) &&
        (!tracker || depth === 2 || walk(depth === 0 ? x.enrollments : x.events, depth + 1)),
    );
  return walk(s as Summaries, 0);
}
