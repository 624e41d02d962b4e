/**
 * Dates, numbers and durations in the UI's language (issue 24 §1): every screen formats through
 * these `Intl` helpers, never `toLocaleString()` (which follows the browser, not the user's
 * chosen language).
 */
import { i18n } from './i18n.ts';
import { uiLocale } from './i18n.ts';

/** A date and time from an ISO string; '—' when there is none, the text itself when unparsable. */
export const when = (iso: unknown): string => {
  if (typeof iso !== 'string' || !iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(uiLocale(), { dateStyle: 'medium', timeStyle: 'medium' }).format(
    d,
  );
};

/** A number with the language's digits and separators. */
export const num = (n: number, options?: Intl.NumberFormatOptions): string =>
  new Intl.NumberFormat(uiLocale(), options).format(n);

/** The time from `start` to `end` (ISO strings): milliseconds under a second, else seconds. */
export const duration = (start: unknown, end: unknown): string => {
  if (typeof start !== 'string' || typeof end !== 'string') return '—';
  const ms = new Date(end).getTime() - new Date(start).getTime();
  if (!Number.isFinite(ms)) return '—';
  return ms < 1000
    ? i18n.t('{{n}} ms', { n: num(ms) })
    : i18n.t('{{n}} s', {
        n: num(ms / 1000, { minimumFractionDigits: 1, maximumFractionDigits: 1 }),
      });
};
