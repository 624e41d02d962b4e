/**
 * Helpers for the metadata API tests: POST /api/metadata with query parameters, the import
 * report's shape as the tests read it, and small GET helpers.
 */
import assert from 'node:assert/strict';
import type { TestServer } from './server.ts';
import type { ImportStats } from '../../src/domain/metadata/import-report.ts';
import type { WebMessage } from '../../src/http/schemas/api-types.ts';

export interface ErrorReportJson {
  errorCode: string;
  message: string;
  mainKlass: string;
  errorProperty?: string;
  value?: string;
  mainId?: string;
}

export interface ObjectReportJson {
  klass: string;
  index: number;
  uid?: string;
  errorReports: ErrorReportJson[];
}

/** DHIS2's import stats (with metasync's `unchanged`), as JSON. */
export type StatsJson = ImportStats;

export interface ImportReportJson {
  responseType: string;
  status: 'OK' | 'WARNING' | 'ERROR';
  stats: StatsJson;
  typeReports: { klass: string; stats: StatsJson; objectReports: ObjectReportJson[] }[];
}

/** A WebMessage as the routes' schemas give it (issue 17 §5). */
export type WebMessageJson = WebMessage;

type Auth = [string, string] | null | undefined;

export interface ImportResult {
  httpStatus: number;
  message: WebMessageJson;
  report: ImportReportJson;
  /** The raw response text (for "never contains a password" checks). */
  text: string;
}

/** POSTs `body` (an object, or a string/Buffer sent as is) to /api/metadata. */
export async function postMetadata(
  server: TestServer,
  body: unknown,
  query: Record<string, string> = {},
  auth?: Auth,
): Promise<ImportResult> {
  const qs = new URLSearchParams(query).toString();
  const res = await server.request(`/api/metadata${qs ? `?${qs}` : ''}`, {
    method: 'POST',
    auth,
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body),
  });
  const text = await res.text();
  const message = JSON.parse(text) as WebMessageJson;
  return { httpStatus: res.status, message, report: message.response as ImportReportJson, text };
}

/** Like postMetadata, but the import must succeed with status OK. */
export async function importOk(
  server: TestServer,
  body: unknown,
  query: Record<string, string> = {},
): Promise<ImportReportJson> {
  const r = await postMetadata(server, body, query);
  assert.equal(r.httpStatus, 200, `import failed: ${r.text.slice(0, 2000)}`);
  assert.equal(r.report.status, 'OK', `import not OK: ${r.text.slice(0, 2000)}`);
  return r.report;
}

export const errorReports = (report: ImportReportJson): ErrorReportJson[] =>
  report.typeReports.flatMap((t) => t.objectReports.flatMap((o) => o.errorReports));

export const errorCodes = (report: ImportReportJson): string[] => [
  ...new Set(errorReports(report).map((e) => e.errorCode)),
];

export async function getJson<T = Record<string, unknown>>(
  server: TestServer,
  path: string,
  auth?: Auth,
): Promise<{ status: number; body: T; text: string }> {
  const res = await server.request(path, { auth });
  const text = await res.text();
  return { status: res.status, body: JSON.parse(text) as T, text };
}

/** GET /api/{type}/{id}: the object, or null on 404. */
export async function getObject(
  server: TestServer,
  type: string,
  id: string,
): Promise<Record<string, unknown> | null> {
  const r = await getJson(server, `/api/${type}/${id}`);
  if (r.status === 404) return null;
  assert.equal(r.status, 200, r.text);
  return r.body;
}

/** Sends JSON with another method (PUT, POST /api/{type}, DELETE). */
export async function send(
  server: TestServer,
  method: string,
  path: string,
  body?: unknown,
  auth?: Auth,
): Promise<{ status: number; body: WebMessageJson; text: string }> {
  const res = await server.request(path, {
    method,
    auth,
    ...(body === undefined
      ? {}
      : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: JSON.parse(text) as WebMessageJson, text };
}

export const changeSeq = (server: TestServer) => server.instance.services.metadata.changeSeq();
