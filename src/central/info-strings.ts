/** The strings a local keeps from its central's `/api/system/info` (issue 16 §4, issue 21 §5). */
import { unstorable } from '../domain/text.ts';

/** A build string fit for a report: printable, at most 100 characters. */
export const buildString = (v: unknown): string | null =>
  typeof v === 'string' && v.trim()
    ? v
        .replace(/[^\x20-\x7e]/g, '')
        .trim()
        .slice(0, 100) || null
    : null;

/** The central's name for the UI (issue 21 §5): printable, at most 200 characters. */
export const systemName = (v: unknown): string | null =>
  typeof v === 'string' && !unstorable(v)
    ? [...v]
        .filter((c) => c >= ' ' && c !== '\x7f')
        .join('')
        .trim()
        .slice(0, 200) || null
    : null;
