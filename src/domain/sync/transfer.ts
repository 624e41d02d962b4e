/**
 * What a run moved over its link, for people (issue 19 §6): the report's `transfer` from the
 * run's byte counts and its versions' downloads, and the line the CLI bar and the UI's live run
 * view show during a download ("3.1 MB of 10.0 MB · 41 kB/s · 3 min left").
 */
import type { DownloadProgress, DownloadRecord } from './central-client.ts';
import type { TransferReport, VersionReport } from './sync-report.ts';

/** The run's transfer: the meter's totals, the resumed downloads and the snapshot rate. */
export function transferReport(
  totals: { received: number; sent: number },
  versions: readonly VersionReport[],
  downloading?: DownloadProgress | null,
): TransferReport {
  const downloads = versions.flatMap((v) => (v.download ? [{ name: v.name, ...v.download }] : []));
  const received = downloads.reduce((sum, d) => sum + d.received, 0);
  const seconds = downloads.reduce((sum, d) => sum + d.seconds, 0);
  return {
    bytesReceived: totals.received,
    bytesSent: totals.sent,
    resumed: downloads.flatMap((d) => resumesOf(d).map((from) => ({ version: d.name, from }))),
    // Over the time spent receiving, not the run's: imports and pauses between retries are
    // not the link's speed.
    bytesPerSecond: downloads.length === 0 || seconds <= 0 ? null : Math.round(received / seconds),
    ...(downloading ? { downloading } : {}),
  };
}

/**
 * Every byte a download continued from: the kept bytes of an earlier attempt or run, then each
 * break within the attempt (issue 19 §6: "how many downloads resumed and from which offset").
 */
export function resumesOf(d: DownloadRecord): number[] {
  return [...(d.resumedFrom > 0 ? [d.resumedFrom] : []), ...(d.resumes ?? [])];
}

/** A byte count in the decimal unit a person reads it in, and the digits it is shown with. */
export interface ByteSize {
  value: number;
  unit: 'B' | 'kB' | 'MB' | 'GB';
  digits: 0 | 1;
}

/** The unit and rounding of a byte count: 512 B, 41 kB, 3.1 MB, 1.2 GB (CLI, mails and UI). */
export function byteSize(bytes: number): ByteSize {
  const n = Math.max(0, bytes);
  if (n < 1000) return { value: Math.round(n), unit: 'B', digits: 0 };
  if (Math.round(n / 1e3) < 1000) return { value: Math.round(n / 1e3), unit: 'kB', digits: 0 };
  if (n < 1e9 && Math.round(n / 1e5) < 10_000) return { value: n / 1e6, unit: 'MB', digits: 1 };
  return { value: n / 1e9, unit: 'GB', digits: 1 };
}

/** Bytes in decimal units, as a person reads them: 512 B, 41 kB, 3.1 MB, 1.2 GB. */
export function formatBytes(bytes: number): string {
  const { value, unit, digits } = byteSize(bytes);
  return `${value.toFixed(digits)} ${unit}`;
}

/** A time left rounded up to what a person needs: seconds, minutes, or hours and minutes. */
export function timeLeftParts(seconds: number): {
  hours: number;
  minutes: number;
  seconds: number;
} {
  const s = Math.ceil(Math.max(0, seconds));
  if (s < 60) return { hours: 0, minutes: 0, seconds: s };
  const minutes = Math.ceil(s / 60);
  return { hours: Math.floor(minutes / 60), minutes: minutes % 60, seconds: 0 };
}

/** A time left, rounded up to what a person needs: "40 s", "3 min", "1 h 5 min". */
export function formatTimeLeft(seconds: number): string {
  const t = timeLeftParts(seconds);
  if (t.hours === 0 && t.minutes === 0) return `${t.seconds} s`;
  if (t.hours === 0) return `${t.minutes} min`;
  return t.minutes === 0 ? `${t.hours} h` : `${t.hours} h ${t.minutes} min`;
}

/** Seconds until the download ends at its current rate; null when the total or rate is unknown. */
export function secondsLeft(p: DownloadProgress): number | null {
  if (p.total === null || p.bytesPerSecond <= 0) return null;
  return Math.max(0, p.total - p.received) / p.bytesPerSecond;
}

/** The live line of a download: bytes in hand (of the total), the rate, the time left. */
export function describeDownload(p: DownloadProgress): string {
  const parts = [
    p.total === null
      ? formatBytes(p.received)
      : `${formatBytes(p.received)} of ${formatBytes(p.total)}`,
    `${formatBytes(p.bytesPerSecond)}/s`,
  ];
  const left = secondsLeft(p);
  if (left !== null) parts.push(`${formatTimeLeft(left)} left`);
  if (p.resumedFrom > 0) parts.push(`resumed at ${formatBytes(p.resumedFrom)}`);
  return parts.join(' · ');
}

/** A finished run's transfer in one line, for the CLI summary and the UI's report view. */
export function describeTransfer(t: TransferReport): string {
  const parts = [`${formatBytes(t.bytesReceived)} received`, `${formatBytes(t.bytesSent)} sent`];
  if (t.bytesPerSecond !== null) parts.push(`downloads at ${formatBytes(t.bytesPerSecond)}/s`);
  parts.push(
    t.resumed.length === 0
      ? 'no download resumed'
      : `resumed: ${t.resumed.map((r) => `${r.version} from byte ${r.from}`).join(', ')}`,
  );
  return parts.join(' · ');
}
