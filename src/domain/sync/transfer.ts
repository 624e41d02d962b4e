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

/** Bytes in decimal units, as a person reads them: 512 B, 41 kB, 3.1 MB, 1.2 GB. */
export function formatBytes(bytes: number): string {
  const n = Math.max(0, bytes);
  if (n < 1000) return `${Math.round(n)} B`;
  if (Math.round(n / 1e3) < 1000) return `${Math.round(n / 1e3)} kB`;
  if (n < 1e9 && Math.round(n / 1e5) < 10_000) return `${(n / 1e6).toFixed(1)} MB`;
  return `${(n / 1e9).toFixed(1)} GB`;
}

/** A time left, rounded up to what a person needs: "40 s", "3 min", "1 h 5 min". */
export function formatTimeLeft(seconds: number): string {
  const s = Math.ceil(Math.max(0, seconds));
  if (s < 60) return `${s} s`;
  const minutes = Math.ceil(s / 60);
  if (minutes < 60) return `${minutes} min`;
  const h = Math.floor(minutes / 60);
  return minutes % 60 === 0 ? `${h} h` : `${h} h ${minutes % 60} min`;
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
