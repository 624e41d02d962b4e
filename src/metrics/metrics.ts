/**
 * Prometheus metrics (issue 10 §6), an adapter over prom-client. Each instance has its own
 * registry, so several instances in one process (tests) do not share counters; the process-wide
 * default metrics (CPU, memory, event loop) are registered once per process and merged in at
 * scrape time. Counters are per process, as Prometheus expects: behind a load balancer each
 * process is its own scrape target and the sums are taken in PromQL.
 */
import client from 'prom-client';
import type { ImportStats } from '../domain/metadata/import-report.ts';
import type { SyncReport } from '../domain/sync/sync-report.ts';
import { resumesOf } from '../domain/sync/transfer.ts';

const ACTIONS = ['created', 'updated', 'deleted', 'ignored'] as const;
let processRegistry: client.Registry | null = null;

/** Default Node.js process metrics, collected once per process whatever the instance count. */
function processMetrics(): client.Registry {
  if (!processRegistry) {
    processRegistry = new client.Registry();
    client.collectDefaultMetrics({ register: processRegistry, prefix: 'metasync_' });
  }
  return processRegistry;
}

/** What a scrape reads at scrape time, from the database (given by the composition root). */
export interface ScrapeSources {
  /** The local's distance to its central. */
  versionsBehind(): Promise<number | null>;
  /** The last drift check's counts (issue 23 §3); null before any. */
  drift(): Promise<{ changed: number; created: number; deleted: number } | null>;
}

/**
 * The instance's recorders and its text exposition; the sources a scrape reads are given to
 * `render`, so the sync service (which records its runs here) and the gauge that reads its
 * status need no reference to each other.
 */
export function createMetrics() {
  const registry = new client.Registry();
  const syncRuns = new client.Counter({
    name: 'metasync_sync_runs_total',
    help: 'Metadata sync runs finished by this process, by final status.',
    labelNames: ['status'] as const,
    registers: [registry],
  });
  const syncDuration = new client.Histogram({
    name: 'metasync_sync_duration_seconds',
    help: 'Wall time of finished metadata sync runs, by final status.',
    labelNames: ['status'] as const,
    buckets: [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900, 1800],
    registers: [registry],
  });
  const versionsBehind = new client.Gauge({
    name: 'metasync_versions_behind',
    help: 'Versions the central has that this local has not imported (0 when up to date or not a local).',
    registers: [registry],
  });
  const driftObjects = new client.Gauge({
    name: 'metasync_drift_objects',
    help: 'Objects changed, created or deleted on this local since the versions it applied, as the last drift check counted them (issue 23; 0 before any check).',
    labelNames: ['kind'] as const,
    registers: [registry],
  });
  const httpDuration = new client.Histogram({
    name: 'metasync_http_request_duration_seconds',
    help: 'HTTP request duration by method, route template and status code.',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const syncBytes = new client.Counter({
    name: 'metasync_sync_bytes_total',
    help: 'Bytes sync runs moved over the link to the central, as they moved (bodies as sent or received: compressed where they were).',
    labelNames: ['direction'] as const,
    registers: [registry],
  });
  const resumedDownloads = new client.Counter({
    name: 'metasync_sync_resumed_downloads_total',
    help: 'Snapshot downloads that continued from bytes they had, once each however often their link broke (kept from an earlier attempt or run, or received before a break in the same attempt; issue 19 §2).',
    registers: [registry],
  });
  const importObjects = new client.Counter({
    name: 'metasync_import_objects_total',
    help: 'Metadata objects processed by imports (API and sync), by source and action.',
    labelNames: ['source', 'action'] as const,
    registers: [registry],
  });
  // Every label combination appears from the start, so rates work before the first event.
  for (const source of ['api', 'sync'])
    for (const action of ACTIONS) importObjects.labels(source, action).inc(0);
  for (const status of ['SUCCESS', 'FAILED', 'INTERRUPTED']) syncRuns.labels(status).inc(0);
  for (const direction of ['received', 'sent']) syncBytes.labels(direction).inc(0);

  const countImport = (source: 'api' | 'sync', stats: ImportStats | undefined) => {
    if (!stats) return;
    for (const action of ACTIONS)
      if (stats[action] > 0) importObjects.labels(source, action).inc(stats[action]);
  };

  return {
    contentType: client.Registry.PROMETHEUS_CONTENT_TYPE,
    /** The text exposition of this instance's metrics and the process metrics. */
    async render(sources: ScrapeSources): Promise<string> {
      versionsBehind.set((await sources.versionsBehind()) ?? 0);
      const drift = await sources.drift();
      for (const kind of ['changed', 'created', 'deleted'] as const)
        driftObjects.labels(kind).set(drift?.[kind] ?? 0);
      return client.Registry.merge([processMetrics(), registry]).metrics();
    },
    observeHttp(method: string, route: string, statusCode: number, seconds: number) {
      httpDuration.labels(method, route, String(statusCode)).observe(seconds);
    },
    /** API imports; dry runs and rejected imports write nothing and are not counted. */
    countImport,
    /** A run's bytes as they move (issue 19 §6), not only once it has ended. */
    transferCounters: {
      bytes(direction: 'received' | 'sent', n: number) {
        if (n > 0) syncBytes.labels(direction).inc(n);
      },
    },
    syncFinished(report: SyncReport) {
      for (const version of report.versions)
        // A download that continued at all counts once, however often its link broke; the
        // report's `transfer.resumed` lists every offset.
        if (version.download && resumesOf(version.download).length > 0) resumedDownloads.inc();
      syncRuns.labels(report.status).inc();
      if (report.endTime) {
        const seconds = (Date.parse(report.endTime) - Date.parse(report.startTime)) / 1000;
        syncDuration.labels(report.status).observe(Math.max(0, seconds));
      }
      for (const version of report.versions)
        if (version.status === 'SUCCESS' || version.status === 'WARNING')
          countImport('sync', version.stats);
    },
  };
}

export type MetricsRecorder = ReturnType<typeof createMetrics>;

/** The metrics as the HTTP layer sees them: the scrape sources are bound. */
export type Metrics = Omit<MetricsRecorder, 'render'> & { render(): Promise<string> };

export const withSources = (metrics: MetricsRecorder, sources: ScrapeSources): Metrics => ({
  ...metrics,
  render: () => metrics.render(sources),
});
