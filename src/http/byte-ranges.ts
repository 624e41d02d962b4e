/**
 * Reading `Range` and `If-Range` for the snapshot downloads (issue 19 §1, RFC 9110 §14): a local
 * whose download broke off asks for the rest. One range only: a multi-range (a
 * `multipart/byteranges` answer) is of no use to a resuming client, and RFC 9110 §14.2 lets a
 * server ignore any Range header, so those, and anything that does not parse, get the whole 200.
 */

/** What to send for a request's Range header, given the representation's size. */
export type RangeAnswer =
  { kind: 'whole' } | { kind: 'partial'; start: number; end: number } | { kind: 'unsatisfiable' };

const WHOLE: RangeAnswer = { kind: 'whole' };
const SPEC = /^\s*(\d*)\s*-\s*(\d*)\s*$/;

const position = (digits: string): number | null => {
  if (digits === '') return null;
  const n = Number(digits);
  return Number.isSafeInteger(n) ? n : NaN;
};

/**
 * `bytes=N-`, `bytes=N-M` (an end past the last byte is the last) and the suffix `bytes=-K` (the
 * last K bytes). A first byte at or past the end, or a zero-length suffix, is unsatisfiable (416).
 */
export function requestedRange(header: string | undefined, size: number): RangeAnswer {
  if (header === undefined || size <= 0) return WHOLE;
  const eq = header.indexOf('=');
  if (eq < 0 || header.slice(0, eq).trim().toLowerCase() !== 'bytes') return WHOLE;
  const spec = SPEC.exec(header.slice(eq + 1));
  if (!spec) return WHOLE;
  const first = position(spec[1]!);
  const last = position(spec[2]!);
  if (Number.isNaN(first) || Number.isNaN(last)) return WHOLE;
  if (first === null) {
    if (last === null) return WHOLE;
    if (last === 0) return { kind: 'unsatisfiable' };
    return { kind: 'partial', start: Math.max(size - last, 0), end: size - 1 };
  }
  if (last !== null && last < first) return WHOLE;
  if (first >= size) return { kind: 'unsatisfiable' };
  return { kind: 'partial', start: first, end: Math.min(last ?? size - 1, size - 1) };
}

/**
 * If-Range (RFC 9110 §13.1.5): the range holds only while the representation is the one the
 * client has a part of, named by its strong ETag. A weak tag, another tag or a date (the
 * snapshots send no Last-Modified to compare with) asks for the whole representation.
 */
export function ifRangeHolds(header: string | string[] | undefined, etag: string): boolean {
  return header === undefined || (typeof header === 'string' && header.trim() === etag);
}
