/**
 * A small JSON POST to a metasync upstream beside the sync's GETs (issue 21 §4 fleet report,
 * issue 22 §3 outcome report): the client's own headers (Basic auth, X-Metasync-System-Id), no
 * redirects, a bound on the whole call, the answer read up to 64 kB. Never sent to DHIS2.
 */
import { RemoteError } from '../domain/sync/central-client.ts';
import { causeOf, readCapped } from './central-call.ts';

/** Posts `body` to `base + path`; the answer's text, or a RemoteError naming `what` was refused. */
export async function postSmall(
  base: string,
  headers: Record<string, string>,
  path: string,
  body: unknown,
  options: { timeoutMs: number; what: string },
): Promise<string> {
  let res: Response;
  try {
    res = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify(body),
      redirect: 'manual',
      signal: AbortSignal.timeout(options.timeoutMs),
    });
  } catch (e) {
    throw new RemoteError('UNREACHABLE', `Network is unreachable: ${base} (${causeOf(e)})`);
  }
  const text = res.body ? (await readCapped(res.body, 64 * 1024)).toString('utf8') : '';
  if (!res.ok)
    throw new RemoteError(
      res.status === 401 ? 'AUTH' : 'HTTP',
      `The upstream refused the ${options.what}: HTTP ${res.status} ${text.slice(0, 300)}`,
      res.status,
    );
  return text;
}
