/**
 * A run's transfer for people (src/domain/sync/transfer.ts, issue 19 §6): the report's totals,
 * resumed downloads and rate from the versions' downloads, and the live line of a download.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { VersionReport } from '../../src/domain/sync/sync-report.ts';
import {
  describeDownload,
  describeTransfer,
  formatBytes,
  formatTimeLeft,
  resumesOf,
  secondsLeft,
  transferReport,
} from '../../src/domain/sync/transfer.ts';

const version = (name: string, download?: VersionReport['download']): VersionReport => ({
  name,
  type: 'BEST_EFFORT',
  status: 'SUCCESS',
  errors: [],
  ...(download ? { download } : {}),
});

describe('the transfer report', () => {
  it('totals from the meter; resumed downloads with their offset; the rate over receiving time', () => {
    const t = transferReport({ received: 12_345, sent: 678 }, [
      version('Version_1', { received: 6000, size: 6000, resumedFrom: 0, seconds: 2 }),
      version('Version_2'),
      version('Version_3', { received: 3000, size: 5000, resumedFrom: 2000, seconds: 1 }),
    ]);
    assert.deepEqual(t, {
      bytesReceived: 12_345,
      bytesSent: 678,
      resumed: [{ version: 'Version_3', from: 2000 }],
      bytesPerSecond: 3000,
    });
  });

  it('every continuation is listed: kept bytes first, then the breaks within the attempt', () => {
    const d = { received: 900, size: 1000, resumedFrom: 100, seconds: 2, resumes: [400, 700] };
    assert.deepEqual(resumesOf(d), [100, 400, 700]);
    assert.deepEqual(resumesOf({ ...d, resumedFrom: 0 }), [400, 700]);
    assert.deepEqual(resumesOf({ received: 5, size: 5, resumedFrom: 0, seconds: 1 }), []);
    const t = transferReport({ received: 900, sent: 10 }, [version('Version_9', d)]);
    assert.deepEqual(t.resumed, [
      { version: 'Version_9', from: 100 },
      { version: 'Version_9', from: 400 },
      { version: 'Version_9', from: 700 },
    ]);
  });

  it('no download: no rate; a download under way is carried for the live view', () => {
    const downloading = {
      version: 'Version_4',
      received: 10,
      total: null,
      resumedFrom: 0,
      bytesPerSecond: 5,
    };
    assert.deepEqual(
      transferReport({ received: 0, sent: 0 }, [version('Version_1')], downloading),
      {
        bytesReceived: 0,
        bytesSent: 0,
        resumed: [],
        bytesPerSecond: null,
        downloading,
      },
    );
  });
});

describe('the download line', () => {
  it('bytes in decimal units', () => {
    assert.deepEqual(
      [0, 999, 1000, 41_400, 999_499, 999_600, 3_100_000, 10_000_000, 1_234_000_000].map(
        formatBytes,
      ),
      ['0 B', '999 B', '1 kB', '41 kB', '999 kB', '1.0 MB', '3.1 MB', '10.0 MB', '1.2 GB'],
    );
  });

  it('time left rounded up', () => {
    assert.deepEqual([0, 0.2, 40, 59.5, 61, 170, 3600, 3900].map(formatTimeLeft), [
      '0 s',
      '1 s',
      '40 s',
      '1 min',
      '2 min',
      '3 min',
      '1 h',
      '1 h 5 min',
    ]);
  });

  it('received of total, rate and time left', () => {
    const p = {
      version: 'Version_2',
      received: 3_100_000,
      total: 10_000_000,
      resumedFrom: 0,
      bytesPerSecond: 41_000,
    };
    assert.equal(secondsLeft(p), 6_900_000 / 41_000);
    assert.equal(describeDownload(p), '3.1 MB of 10.0 MB · 41 kB/s · 3 min left');
  });

  it('an unknown total or a zero rate has no time left; a resumed download says where from', () => {
    const p = {
      version: 'V',
      received: 2_500_000,
      total: null,
      resumedFrom: 0,
      bytesPerSecond: 8000,
    };
    assert.equal(secondsLeft(p), null);
    assert.equal(describeDownload(p), '2.5 MB · 8 kB/s');
    const stalled = { ...p, total: 5_000_000, bytesPerSecond: 0, resumedFrom: 1_000_000 };
    assert.equal(describeDownload(stalled), '2.5 MB of 5.0 MB · 0 B/s · resumed at 1.0 MB');
  });

  it('a finished run in one line', () => {
    assert.equal(
      describeTransfer({
        bytesReceived: 3_200_000,
        bytesSent: 45_000,
        resumed: [{ version: 'Version_3', from: 262_144 }],
        bytesPerSecond: 64_000,
      }),
      '3.2 MB received · 45 kB sent · downloads at 64 kB/s · resumed: Version_3 from byte 262144',
    );
  });
});
