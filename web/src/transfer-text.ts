/**
 * Sizes, rates and transfer lines in the UI's language (issue 24 §1). The server's own helpers
 * (`src/domain/sync/transfer.ts`, `data-pushed.ts`) write English for the CLI and the mails;
 * the UI builds the same lines from the same structured fields, through `i18n.t` and `Intl`.
 */
import type { DataKind } from '../../src/domain/bundle/data-manifest.ts';
import { byteSize, resumesOf, secondsLeft, timeLeftParts } from '../../src/domain/sync/transfer.ts';
import type { DownloadProgress } from '../../src/domain/sync/central-client.ts';
import type { PushedKind } from '../../src/domain/sync/sync-report.ts';
import { num } from './format.ts';
import { i18n, uiLocale } from './i18n.ts';

const unit = (value: number, name: string, digits = 0) =>
  new Intl.NumberFormat(uiLocale(), {
    style: 'unit',
    unit: name,
    unitDisplay: 'short',
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  }).format(value);

const UNIT_NAMES = { kB: 'kilobyte', MB: 'megabyte', GB: 'gigabyte' } as const;

/** Bytes in the unit and rounding the server's formatBytes uses, in the UI's language. */
export function bytes(n: number): string {
  const { value, unit: symbol, digits } = byteSize(n);
  // Intl's short byte is "byte" in English: the symbol each language writes instead.
  if (symbol === 'B') return i18n.t('{{n}} B', { n: num(value) });
  return unit(value, UNIT_NAMES[symbol], digits);
}

/** A rate in bytes per second. */
export const rate = (bytesPerSecond: number): string =>
  i18n.t('{{size}}/s', { size: bytes(bytesPerSecond) });

/** A time left, rounded up as a person needs it: seconds, minutes, or hours and minutes. */
export function timeLeft(seconds: number): string {
  const t = timeLeftParts(seconds);
  if (t.hours === 0 && t.minutes === 0) return unit(t.seconds, 'second');
  if (t.hours === 0) return unit(t.minutes, 'minute');
  return t.minutes === 0
    ? unit(t.hours, 'hour')
    : `${unit(t.hours, 'hour')} ${unit(t.minutes, 'minute')}`;
}

/** The live line of a download: bytes in hand (of the total), the rate, the time left. */
export function downloadLine(p: DownloadProgress): string {
  const parts = [
    p.total === null
      ? bytes(p.received)
      : i18n.t('{{received}} of {{total}}', { received: bytes(p.received), total: bytes(p.total) }),
    rate(p.bytesPerSecond),
  ];
  const left = secondsLeft(p);
  if (left !== null) parts.push(i18n.t('{{time}} left', { time: timeLeft(left) }));
  if (p.resumedFrom > 0) parts.push(i18n.t('resumed at {{size}}', { size: bytes(p.resumedFrom) }));
  return parts.join(' · ');
}

/** A version's download: what came over the link, and where it continued after breaks. */
export function resumesLine(d: Parameters<typeof resumesOf>[0] & { received: number }): string {
  const resumes = resumesOf(d);
  if (resumes.length === 0) return bytes(d.received);
  return i18n.t('{{received}}, resumed {{n}} time, first at byte {{first}}', {
    received: bytes(d.received),
    count: resumes.length,
    n: resumes.length,
    first: resumes[0],
  });
}

const KIND_LABEL: Record<DataKind, () => string> = {
  dataValues: () => i18n.t('data values'),
  completeDataSetRegistrations: () => i18n.t('complete registrations'),
  events: () => i18n.t('events'),
};

/** What a run's data push sent of one kind, and the change window it covered. */
export function pushedLine(k: PushedKind): string {
  const what = KIND_LABEL[k.kind]();
  if (k.status === 'SENT' && k.sent === 0)
    return i18n.t('{{what}}: nothing to send (up to change {{upTo}})', { what, upTo: k.upTo });
  const sent =
    k.pages > 1
      ? i18n.t('{{what}}: {{sent}} sent in {{pages}} pages', { what, sent: k.sent, pages: k.pages })
      : i18n.t('{{what}}: {{sent}} sent', { what, sent: k.sent });
  const from = k.after + 1;
  return k.status === 'SENT'
    ? i18n.t('{{sent}} (changes {{from}}–{{upTo}})', { sent, from, upTo: k.upTo })
    : i18n.t('{{sent}} before it stopped; changes {{from}}–{{upTo}} stay queued for the next run', {
        sent,
        from,
        upTo: k.upTo,
      });
}
