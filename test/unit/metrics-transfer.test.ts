/**
 * The link's metrics (src/metrics/metrics.ts, issue 19 §6) in the text exposition: bytes by
 * direction as the run meter counts them, and one resumed download per version whose download
 * continued from kept bytes.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newReport, type VersionReport } from '../../src/domain/sync/sync-report.ts';
import { createMetrics } from '../../src/metrics/metrics.ts';

const sample = (text: string, series: string) =>
  Number(
    text
      .split('\n')
      .find((l) => l.startsWith(`${series} `))
      ?.split(' ')
      .pop(),
  );

describe('metrics of the link', () => {
  it('bytes by direction as they move; resumed downloads when the run ends', async () => {
    const metrics = createMetrics();
    const sources = { versionsBehind: async () => 0, drift: async () => null };
    const before = await metrics.render(sources);
    assert.equal(sample(before, 'metasync_sync_bytes_total{direction="received"}'), 0);
    assert.equal(sample(before, 'metasync_sync_bytes_total{direction="sent"}'), 0);
    assert.equal(sample(before, 'metasync_sync_resumed_downloads_total'), 0);

    metrics.transferCounters.bytes('received', 1500);
    metrics.transferCounters.bytes('received', 500);
    metrics.transferCounters.bytes('sent', 42);
    const during = await metrics.render(sources);
    assert.equal(sample(during, 'metasync_sync_bytes_total{direction="received"}'), 2000);
    assert.equal(sample(during, 'metasync_sync_bytes_total{direction="sent"}'), 42);

    const version = (name: string, resumedFrom?: number, resumes?: number[]): VersionReport => ({
      name,
      type: 'BEST_EFFORT',
      status: 'SUCCESS',
      errors: [],
      ...(resumedFrom === undefined
        ? {}
        : {
            download: {
              received: 10,
              size: 10 + resumedFrom,
              resumedFrom,
              seconds: 1,
              ...(resumes ? { resumes } : {}),
            },
          }),
    });
    const report = newReport('r1', 'MANUAL', 'admin', new Date('2026-12-07T06:00:00Z'));
    report.status = 'SUCCESS';
    report.endTime = '2026-12-07T06:01:00.000Z';
    report.versions = [
      version('Version_1', 0),
      version('Version_2', 262_144),
      version('Version_3'),
      // Continued three times within its attempt, and from kept bytes: still one download.
      version('Version_4', 1000, [5000, 9000, 13_000]),
    ];
    metrics.syncFinished(report);
    const after = await metrics.render(sources);
    assert.equal(sample(after, 'metasync_sync_resumed_downloads_total'), 2);
  });
});
