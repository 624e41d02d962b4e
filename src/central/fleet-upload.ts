/**
 * A relay's report of its downstream fleet to its upstream (issue 21 §4): one JSON POST to
 * `/api/metasync/fleet/downstream`, with the client's own headers (Basic auth and the
 * X-Metasync-System-Id the upstream keys the report by). Only ever sent to a metasync upstream.
 */
import type { ReportedLocal } from '../domain/versioning/fleet-report.ts';
import { postSmall } from './small-post.ts';

/** A report is small; a minute is plenty even on a slow link, and it never holds a run up long. */
const UPLOAD_MS = 60_000;

export async function uploadFleet(
  base: string,
  headers: Record<string, string>,
  locals: readonly ReportedLocal[],
): Promise<number> {
  const text = await postSmall(
    base,
    headers,
    '/api/metasync/fleet/downstream',
    { locals },
    {
      timeoutMs: UPLOAD_MS,
      what: 'fleet report',
    },
  );
  const stored = (JSON.parse(text) as { locals?: unknown }).locals;
  return typeof stored === 'number' ? stored : locals.length;
}
