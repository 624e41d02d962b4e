/**
 * A file sent as a request's raw body, with its upload progress. fetch reports no upload
 * progress (nor does the app runtime over it), so this is XMLHttpRequest; it sends what the
 * runtime's calls send (the session cookie, the CSRF token) and fails with an ApiError carrying
 * the server's WebMessage, which `statusOf`/`errorText`/`fieldErrorsOf` read as the runtime's.
 */
import { i18n } from './i18n.ts';
import { failure, headersFor, parseBody } from './api.ts';

export interface UploadOptions {
  contentType: string;
  /** Bytes sent so far of `total`, as the browser hands them to the network. */
  onProgress?: (sent: number, total: number) => void;
  signal?: AbortSignal;
}

export function upload<T>(path: string, body: Blob, options: UploadOptions): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', path);
    for (const [name, value] of Object.entries(headersFor('POST')))
      xhr.setRequestHeader(name, value);
    xhr.setRequestHeader('Content-Type', options.contentType);
    xhr.upload.onprogress = (e) =>
      options.onProgress?.(e.loaded, e.lengthComputable ? e.total : body.size);
    xhr.onload = () => {
      const parsed = parseBody(xhr.responseText);
      if (xhr.status >= 200 && xhr.status < 300) resolve(parsed as T);
      else reject(failure(xhr.status, xhr.statusText, parsed));
    };
    // No status at all: the connection broke (server gone, network down) before an answer.
    xhr.onerror = () =>
      reject(new Error(i18n.t('The connection to the server broke during the upload')));
    xhr.onabort = () => reject(new DOMException(i18n.t('The upload was cancelled'), 'AbortError'));
    options.signal?.addEventListener('abort', () => xhr.abort(), { once: true });
    xhr.send(body);
  });
}
