/**
 * When and how a local resumes a snapshot download (issue 19 §2), as pure decisions: which kept
 * partial may be resumed, and what the central's answer to `Range` + `If-Range` means. The
 * client (resumable-download.ts) does the IO.
 */
import type { PartialDownload } from '../domain/ports.ts';

/**
 * A strong ETag (`"…"`, not `W/"…"`) or null. Only a strong ETag says the bytes are the same
 * bytes (RFC 9110 §8.8.1): a partial kept under a weak one, or none, could not be checked.
 */
export function strongEtag(etag: string | null | undefined): string | null {
  const e = etag?.trim();
  return e && /^"[\x21\x23-\x7e\x80-\xff]*"$/.test(e) ? e : null;
}

export interface ContentRange {
  start: number;
  end: number;
  /** The whole length; null for `*`. */
  total: number | null;
}

/** `Content-Range: bytes <start>-<end>/<total|*>` (RFC 9110 §14.4); null when not that. */
export function parseContentRange(value: string | null | undefined): ContentRange | null {
  const m = /^\s*bytes\s+(\d{1,15})-(\d{1,15})\/(\d{1,15}|\*)\s*$/i.exec(value ?? '');
  if (!m) return null;
  const start = Number(m[1]);
  const end = Number(m[2]);
  const total = m[3] === '*' ? null : Number(m[3]);
  if (end < start || (total !== null && end >= total)) return null;
  return { start, end, total };
}

/** The kept bytes a download may continue from, or null: start from byte 0 (and drop the partial). */
export function resumable(
  partial: PartialDownload | null,
  versionId: string | undefined,
): { from: number; etag: string } | null {
  if (!partial || !versionId || partial.versionId !== versionId) return null;
  const etag = strongEtag(partial.etag);
  return etag && partial.bytes > 0 ? { from: partial.bytes, etag } : null;
}

export type RangeOutcome =
  /** 206 continuing exactly at the kept length: the kept bytes, then these. */
  | { kind: 'resume'; from: number; total: number | null }
  /**
   * The whole file (200: a central that ignores `Range`, as DHIS2, or an `If-Range` that no
   * longer matches): drop the partial, start a new one under `etag` when it is strong.
   */
  | { kind: 'whole'; etag: string | null }
  /** 416, or a 206 that does not continue the kept bytes: drop the partial and ask again whole. */
  | { kind: 'again'; why: string };

export interface RangeAnswer {
  status: number;
  etag: string | null;
  contentRange: string | null;
}

/** What the answer to a `data.gz` request means; `asked` is the partial asked to resume, if any. */
export function rangeOutcome(
  asked: { from: number; etag: string } | null,
  answer: RangeAnswer,
): RangeOutcome {
  if (answer.status === 416)
    return { kind: 'again', why: 'the central could not satisfy the range (416)' };
  if (answer.status !== 206) return { kind: 'whole', etag: strongEtag(answer.etag) };
  const range = parseContentRange(answer.contentRange);
  if (!asked || !range)
    return { kind: 'again', why: `a 206 without a usable Content-Range (${answer.contentRange})` };
  if (range.start !== asked.from)
    return { kind: 'again', why: `the 206 starts at ${range.start}, not at ${asked.from}` };
  const etag = strongEtag(answer.etag);
  if (etag !== null && etag !== asked.etag)
    return { kind: 'again', why: `the 206 is of ${etag}, not of the kept ${asked.etag}` };
  return { kind: 'resume', from: asked.from, total: range.total };
}
