/**
 * What every call to this server shares (issue 24 §2): the app runtime (`@dhis2/app-runtime`,
 * `runtime.tsx`) fetches and mutates; this file adds the session's CSRF token it cannot send,
 * reports an ended session, and reads both kinds of failure (the runtime's FetchError, the
 * upload's ApiError) as the server's WebMessage: its message, status and field errors.
 */
import { FetchError } from '@dhis2/app-runtime';

let csrfToken = '';
export const setCsrfToken = (t: string) => {
  csrfToken = t;
};

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly body: unknown,
  ) {
    super(message);
  }
}

type Json = Record<string, unknown>;

/** The headers every call sends: JSON answers, and the session's CSRF token on a change. */
export function headersFor(method: string): Record<string, string> {
  const headers: Record<string, string> = {
    Accept: 'application/json',
    'X-Requested-With': 'XMLHttpRequest',
  };
  if (method !== 'GET' && method !== 'HEAD') headers['X-CSRF-Token'] = csrfToken;
  return headers;
}

/** An answer's body: its JSON, or the text itself when it is not JSON (null when empty). */
export function parseBody(text: string): unknown {
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return text;
  }
}

const UNAUTHORIZED = 'metasync:unauthorized';
const sessionEnded = () => window.dispatchEvent(new CustomEvent(UNAUTHORIZED));

/** Calls `onEnded` whenever an answer says the session is gone (401); returns the unsubscribe. */
export function onSessionEnded(onEnded: () => void): () => void {
  window.addEventListener(UNAUTHORIZED, onEnded);
  return () => window.removeEventListener(UNAUTHORIZED, onEnded);
}

/** The error of a failed upload answer; a 401 also tells the shell that the session has ended. */
export function failure(status: number, statusText: string, parsed: unknown): ApiError {
  const msg =
    parsed && typeof parsed === 'object' && 'message' in parsed
      ? String((parsed as Json).message)
      : `${status} ${statusText}`;
  if (status === 401) sessionEnded();
  return new ApiError(status, msg, parsed);
}

/**
 * Makes every fetch of this server's `/api` (the app runtime's included) send the CSRF token on
 * a change, and turns a 401 into "the session ended". The runtime has no hook for a header of
 * our own, and the server refuses a cookie-authenticated change without it (docs/security.md).
 * The runtime's empty `Authorization` (it has no API token here) is dropped, not sent.
 */
export function installApiFetch(): void {
  const original = window.fetch.bind(window);
  window.fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
    // Read without building a Request: that would take (and spend) a Request input's body.
    const given = input instanceof Request ? input : null;
    const url = new URL(given ? given.url : String(input), window.location.href);
    if (url.origin !== window.location.origin || !url.pathname.startsWith('/api/'))
      return original(input, init);
    const method = (init?.method ?? given?.method ?? 'GET').toUpperCase();
    const headers = new Headers(init?.headers ?? given?.headers ?? {});
    for (const [name, value] of Object.entries(headersFor(method)))
      if (!headers.has(name)) headers.set(name, value);
    if (headers.get('Authorization') === '') headers.delete('Authorization');
    const response = await original(input, { ...init, headers });
    if (response.status === 401) sessionEnded();
    return response;
  };
}

/** The WebMessage a failure carries, if it carries one. */
function webMessageOf(e: unknown): Json | null {
  const body = e instanceof ApiError ? e.body : e instanceof FetchError ? e.details : null;
  return body && typeof body === 'object' ? (body as Json) : null;
}

/** What to show for a failure: the server's own message when it sent one. */
export const errorText = (e: unknown): string => {
  const message = webMessageOf(e)?.message;
  if (typeof message === 'string' && message) return message;
  return e instanceof Error ? e.message : String(e);
};

/** The HTTP status of a failed call (null when there was no answer). */
export const statusOf = (e: unknown): number | null => {
  if (e instanceof ApiError) return e.status;
  const code = webMessageOf(e)?.httpStatusCode;
  return typeof code === 'number' ? code : null;
};

/**
 * The server's field errors of a failed call: `{property, message}` of each ErrorReport in the
 * WebMessage's `response` (issue 17 §5), field name → why; {} for any other failure.
 */
export function fieldErrorsOf(e: unknown): Record<string, string> {
  const response = webMessageOf(e)?.response as { errorReports?: unknown } | undefined;
  const reports = Array.isArray(response?.errorReports) ? response.errorReports : [];
  const fields: Record<string, string> = {};
  for (const r of reports as { property?: unknown; message?: unknown }[])
    if (typeof r.property === 'string' && typeof r.message === 'string')
      fields[r.property] ??= r.message;
  return fields;
}
