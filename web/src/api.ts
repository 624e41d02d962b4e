/** The UI's API client: session cookie + CSRF header, DHIS2 WebMessage errors as ApiError. */
let csrfToken = '';
export const setCsrfToken = (t: string) => {
  csrfToken = t;
};

export class ApiError extends Error {
  /** The server's field errors (`response.errorReports`): field name → why (issue 17 §5). */
  readonly fields: Record<string, string>;
  constructor(
    readonly status: number,
    message: string,
    readonly body: unknown,
  ) {
    super(message);
    this.fields = fieldErrors(body);
  }
}

/** `{property, message}` of each ErrorReport in a WebMessage's `response`, if any. */
function fieldErrors(body: unknown): Record<string, string> {
  const response = (body as { response?: { errorReports?: unknown } } | null)?.response;
  const reports = Array.isArray(response?.errorReports) ? response.errorReports : [];
  const fields: Record<string, string> = {};
  for (const r of reports as { property?: unknown; message?: unknown }[])
    if (typeof r.property === 'string' && typeof r.message === 'string')
      fields[r.property] ??= r.message;
  return fields;
}

type Json = Record<string, unknown>;

/** The headers every call sends: JSON answers, and the session's CSRF token on a change. */
export function headersFor(method: string): Record<string, string> {
  const headers: Record<string, string> = {
    Accept: 'application/json',
    'X-Requested-With': 'XMLHttpRequest',
  };
  if (method !== 'GET') headers['X-CSRF-Token'] = csrfToken;
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

/** The error of a failed answer; a 401 also tells the shell that the session has ended. */
export function failure(status: number, statusText: string, parsed: unknown): ApiError {
  const msg =
    parsed && typeof parsed === 'object' && 'message' in parsed
      ? String((parsed as Json).message)
      : `${status} ${statusText}`;
  if (status === 401) window.dispatchEvent(new CustomEvent('metasync:unauthorized'));
  return new ApiError(status, msg, parsed);
}

export async function api<T = Json>(
  path: string,
  init: { method?: string; body?: unknown; raw?: boolean } = {},
): Promise<T> {
  const method = init.method ?? 'GET';
  const headers = headersFor(method);
  let body: string | undefined;
  if (init.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = typeof init.body === 'string' ? init.body : JSON.stringify(init.body);
  }
  const res = await fetch(path, { method, headers, body, credentials: 'same-origin' });
  const parsed = parseBody(await res.text());
  if (!res.ok) throw failure(res.status, res.statusText, parsed);
  return parsed as T;
}

export const errorText = (e: unknown): string =>
  e instanceof ApiError ? e.message : e instanceof Error ? e.message : String(e);

/** The server's field errors of a failed call ({} for any other failure). */
export const fieldErrorsOf = (e: unknown): Record<string, string> =>
  e instanceof ApiError ? e.fields : {};
