/**
 * The two HTTP clients of a DHIS2 local's sync, on node:http so every header is the one DHIS2
 * sends (issue 16 §12, contract §8, §11, §12), and the record of every request and answer:
 *
 * - Spring's RestTemplate on HttpURLConnection (`new RestTemplate()`): the ping (Accept from the
 *   String converters) and the pushes (DHIS2's own callback: `Content-Type: application/json`,
 *   HttpURLConnection's default Accept, `User-Agent: Java/…`). GETs follow redirects, POSTs not.
 * - Apache HttpClient (`HttpUtils.httpGET`): Basic auth only, no Accept; User-Agent
 *   `Apache-HttpClient/4.5.x (Java/…)` up to 2.41, empty from 2.42 (HttpClient 5,
 *   `setUserAgent("")`); redirects followed; Content-Encoding undone; the entity gunzipped when
 *   Content-Type contains `application/gzip`, else decoded with its charset (UTF-8 for JSON,
 *   ISO-8859-1 otherwise, as HttpCore's defaults).
 */
import http from 'node:http';
import https from 'node:https';
import { gunzipSync, inflateSync } from 'node:zlib';
import type { Release } from './releases.ts';

const JAVA = 'Java/17.0.13';
export const PING_ACCEPT = 'text/plain, application/json, application/*+json, */*';
export const URLCONNECTION_ACCEPT = 'text/html, image/gif, image/jpeg, *; q=.2, */*; q=.2';

export interface Exchange {
  client: 'RestTemplate' | 'HttpClient';
  method: 'GET' | 'POST';
  url: string;
  requestHeaders: Record<string, string>;
  requestBody?: string;
  status?: number;
  responseHeaders?: http.IncomingHttpHeaders;
  /** The body as the client reads it (gunzipped/decoded for HttpClient). */
  responseBody?: string;
  /** A connection-level failure (the client's IOException). */
  error?: string;
  /** What the local made of the answer, filled in by the caller. */
  outcome?: string;
}

export interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export const basicAuth = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;

function roundTrip(
  method: 'GET' | 'POST',
  url: string,
  headers: Record<string, string>,
  body: string | undefined,
  timeoutMs: number,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const lib = target.protocol === 'https:' ? https : http;
    const req = lib.request(target, { method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
      res.on('error', reject);
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`Read timed out after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

function charsetOf(contentType: string | undefined): BufferEncoding {
  const m = /charset=([^;]+)/i.exec(contentType ?? '');
  const cs = m?.[1]?.trim().replace(/"/g, '').toLowerCase();
  if (cs === 'utf-8' || cs === 'utf8') return 'utf8';
  if (cs) return 'latin1';
  return /application\/json/i.test(contentType ?? '') ? 'utf8' : 'latin1';
}

/** Every request and answer of one emulated local, in order. */
export class Wire {
  readonly exchanges: Exchange[] = [];
  constructor(
    private readonly rel: Release,
    private readonly timeouts = { restTemplateMs: 60_000, httpClientMs: 0 },
  ) {}

  private async send(
    x: Exchange,
    follow: boolean,
    timeoutMs: number,
  ): Promise<{ answer: Answer; last: Exchange }> {
    let current = x;
    for (let hop = 0; ; hop++) {
      this.exchanges.push(current);
      try {
        const answer = await roundTrip(
          current.method,
          current.url,
          current.requestHeaders,
          current.requestBody,
          timeoutMs,
        );
        current.status = answer.status;
        current.responseHeaders = answer.headers;
        const location = answer.headers.location;
        if (follow && REDIRECTS.has(answer.status) && location && hop < 20) {
          current.responseBody = answer.body.toString('latin1');
          current.outcome = 'redirect followed';
          current = { ...current, url: new URL(location, current.url).toString() };
          delete current.status;
          continue;
        }
        return { answer, last: current };
      } catch (e) {
        current.error = (e as Error).message;
        throw e;
      }
    }
  }

  /** RestTemplate GET of the ping (`SyncUtils.isRemoteServerAvailable`). */
  async ping(url: string, authorization: string) {
    const x: Exchange = {
      client: 'RestTemplate',
      method: 'GET',
      url,
      requestHeaders: { authorization, accept: PING_ACCEPT, 'user-agent': JAVA },
    };
    const { answer, last } = await this.send(x, true, this.timeouts.restTemplateMs);
    last.responseBody = answer.body.toString('utf8');
    return { answer, exchange: last };
  }

  /** RestTemplate POST of a push, through DHIS2's request callback. */
  async push(url: string, authorization: string, body: string) {
    const x: Exchange = {
      client: 'RestTemplate',
      method: 'POST',
      url,
      requestHeaders: {
        'content-type': 'application/json',
        authorization,
        'user-agent': JAVA,
        accept: URLCONNECTION_ACCEPT,
        'content-length': String(Buffer.byteLength(body)),
      },
      requestBody: body,
    };
    const { answer, last } = await this.send(x, false, this.timeouts.restTemplateMs);
    last.responseBody = answer.body.toString('utf8');
    return { answer, exchange: last };
  }

  /** `HttpUtils.httpGET` with `processResponse`: the status and the body as text. */
  async httpGet(url: string, authorization: string, timeoutMs: number) {
    const x: Exchange = {
      client: 'HttpClient',
      method: 'GET',
      url,
      requestHeaders: {
        authorization,
        'user-agent': this.rel.httpClient === 4 ? `Apache-HttpClient/4.5.14 (${JAVA})` : '',
        'accept-encoding': 'gzip, x-gzip, deflate',
      },
    };
    // HttpClient 5 (2.42+) reads with a 10 s socket timeout whatever the request timeout.
    const socket = this.timeouts.httpClientMs || (this.rel.httpClient === 5 ? 10_000 : timeoutMs);
    const { answer, last } = await this.send(x, true, socket);
    let entity = answer.body;
    const encoding = String(answer.headers['content-encoding'] ?? '').toLowerCase();
    if (encoding === 'gzip' || encoding === 'x-gzip') entity = gunzipSync(entity);
    else if (encoding === 'deflate') entity = inflateSync(entity);
    const type = answer.headers['content-type'];
    const text = /application\/gzip/.test(type ?? '')
      ? gunzipSync(entity).toString('utf8')
      : entity.toString(charsetOf(type));
    last.responseBody = text;
    return { status: answer.status, text, exchange: last };
  }
}
