/**
 * A relay's report of its downstream fleet to its upstream (issue 21 §4): one JSON POST to
 * `/api/metasync/fleet/downstream`, with the client's own headers (Basic auth and the
 * X-Metasync-System-Id the upstream keys the report by). Only ever sent to a metasync upstream.
 */
import type { ReportedLocal } from '../domain/versioning/fleet-report.ts';
import { RemoteError } from '../domain/sync/central-client.ts';
import { causeOf, readCapped } from './central-call.ts';

/** A report is small; a minute is plenty even on a slow link, and it never holds a run up long. */
const UPLOAD_MS = 60_000;

export async function uploadFleet(
  base: string,
  headers: Record<string, string>,
  locals: readonly ReportedLocal[],
): Promise<number> {
  const path = '/api/metasync/fleet/downstream';
  let res: Response;
  try {
    res = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ locals }),
      redirect: 'manual',
      signal: AbortSignal.timeout(UPLOAD_MS),
    });
  } catch (e) {
    throw new RemoteError('UNREACHABLE', `Network is unreachable: ${base} (${causeOf(e)})`);
  }
  const text = res.body ? (await readCapped(res.body, 64 * 1024)).toString('utf8') : '';
  if (!res.ok)
    throw new RemoteError(
      res.status === 401 ? 'AUTH' : 'HTTP',
      `The upstream refused the fleet report: HTTP ${res.status} ${text.slice(0, 300)}`,
      res.status,
    );
  const stored = (JSON.parse(text) as { locals?: unknown }).locals;
  return typeof stored === 'number' ? stored : locals.length;
}
