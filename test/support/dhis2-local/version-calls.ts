/**
 * `MetadataVersionDelegate` of a DHIS2 local (issue 16 §12, contract §9, §12, same logic
 * 2.39–2.43): a single ping before every version GET, the GET through HttpClient, and
 * `isValidDhisHttpResponse`: an empty body is "nothing" whatever the status; 2xx is read; 4xx/5xx
 * are "Client/Server Error. Http call failed with status code: N Caused by: <body>"; anything
 * else (1xx, a 3xx not followed) is nothing. A status Spring's HttpStatus enum lacks throws.
 */
import { STATUS_CODES } from 'node:http';
import { bindHistory, type MetadataVersion } from './jackson.ts';
import { JacksonError, UNAVAILABLE, VERSION_SERVICE, javaError } from './java-errors.ts';
import { isRemoteServerAvailable, type SyncContext } from './sync-utils.ts';
import { basicAuth } from './wire.ts';

const VERSION_TIMEOUT = 120_000;
const DOWNLOAD_TIMEOUT = 300_000;

async function dhisGet(ctx: SyncContext, url: string, timeout: number) {
  const status = await isRemoteServerAvailable(ctx);
  if (!status.available) throw javaError(UNAVAILABLE, status.message);
  const { remote } = ctx;
  try {
    const r = await ctx.wire.httpGet(url, basicAuth(remote.username, remote.password), timeout);
    // No entity at all (204, 304, 1xx): HttpUtils refuses the response.
    if (r.status === 204 || r.status === 304 || r.status < 200)
      throw new Error(
        `No content found in the response received from http POST call to ${url} with username ${remote.username}`,
      );
    return r;
  } catch (e) {
    const cause = javaError('java.io.IOException', (e as Error).message);
    throw javaError(
      VERSION_SERVICE,
      `Exception occurred while trying to make the GET call to URL: ${url}`,
      cause,
    );
  }
}

/** The body when the answer is usable, null when it is "nothing"; throws on 4xx/5xx. */
function valid(r: { status: number; text: string; exchange: { outcome?: string } }): string | null {
  if (r.text === '') {
    r.exchange.outcome = 'empty body: nothing';
    return null;
  }
  if (!STATUS_CODES[r.status])
    throw javaError('java.lang.IllegalArgumentException', `No matching constant for [${r.status}]`);
  if (r.status >= 200 && r.status < 300) return r.text;
  const kind = r.status >= 500 ? 'Server Error. ' : r.status >= 400 ? 'Client Error. ' : null;
  if (!kind) {
    r.exchange.outcome = `status ${r.status}: nothing`;
    return null;
  }
  const message = `${kind}Http call failed with status code: ${r.status} Caused by: ${r.text}`;
  r.exchange.outcome = message;
  throw javaError(VERSION_SERVICE, message);
}

/** `getMetaDataDifference`: history without or with `baseline`. */
export async function getMetaDataDifference(
  ctx: SyncContext,
  current: { name: string } | null,
): Promise<(MetadataVersion | null)[]> {
  const base = `${ctx.remote.url}/api/metadata/version`;
  const url = current ? `${base}/history?baseline=${current.name}` : `${base}/history`;
  const r = await dhisGet(ctx, url, VERSION_TIMEOUT);
  const text = valid(r);
  if (text === null) return [];
  try {
    const list = bindHistory(text, ctx.rel);
    r.exchange.outcome = `${list.length} versions`;
    return list;
  } catch (e) {
    if (!(e instanceof JacksonError)) throw e;
    const message = `Exception occurred while trying to do JSON conversion. Caused by:  ${String(e.javaMessage)}`;
    r.exchange.outcome = message;
    throw javaError(VERSION_SERVICE, message);
  }
}

/** `downloadMetadataVersionSnapshot`: the snapshot text, or null for "nothing". */
export async function downloadSnapshot(
  ctx: SyncContext,
  name: string | null,
): Promise<string | null> {
  const url = `${ctx.remote.url}/api/metadata/version/${String(name)}/data.gz`;
  const r = await dhisGet(ctx, url, DOWNLOAD_TIMEOUT);
  const text = valid(r);
  if (text !== null) r.exchange.outcome = `snapshot of ${text.length} characters`;
  return text;
}
