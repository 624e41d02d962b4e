/**
 * The sync status (src/domain/sync/sync-status.ts) after a rebaseline and with the time the
 * central was read: a DIVERGED or VERSION_EXISTS failure recorded before the newest rebaseline no
 * longer counts (it said DIVERGED until the next run), any other failure still does.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newReport, type FailureKind, type SyncReport } from '../../src/domain/sync/sync-report.ts';
import { syncStatus } from '../../src/domain/sync/sync-status.ts';
import type { MetadataVersion } from '../../src/domain/versioning/version.ts';

const at = (minute: number) => new Date(Date.UTC(2030, 0, 1, 12, minute));

function failed(kind: FailureKind, minute: number): SyncReport {
  const r = newReport(`run-${minute}`, 'MANUAL', 'admin', at(minute));
  r.status = 'FAILED';
  r.endTime = at(minute + 1).toISOString();
  r.error = { kind, message: `${kind} here`, version: 'Version_3', step: 'history' };
  return r;
}

const version = (n: number) =>
  ({ name: `Version_${n}`, importDate: at(0), hashCode: 'h' }) as unknown as MetadataVersion;

const base = {
  configured: true,
  running: null,
  lastSuccess: null,
  current: version(2),
  remoteVersion: 'Version_4',
  systemVersion: '2.41.0',
};

describe('sync status after a rebaseline', () => {
  it('a divergence recorded before the rebaseline is mended at once: the state follows the versions', () => {
    for (const kind of ['DIVERGED', 'VERSION_EXISTS'] as const) {
      const last = failed(kind, 10);
      assert.equal(
        syncStatus({ ...base, last }).state,
        kind === 'DIVERGED' ? 'DIVERGED' : 'FAILED',
      );
      const s = syncStatus({ ...base, last, rebaselinedAt: at(20) });
      assert.equal(s.state, 'BEHIND', `${kind}: ${s.message}`);
      assert.equal(s.behindBy, 2);
    }
  });

  it('a divergence after the rebaseline, and any other failure, still count', () => {
    assert.equal(
      syncStatus({ ...base, last: failed('DIVERGED', 30), rebaselinedAt: at(20) }).state,
      'DIVERGED',
    );
    assert.equal(
      syncStatus({ ...base, last: failed('IMPORT_FAILED', 10), rebaselinedAt: at(20) }).state,
      'FAILED',
    );
  });

  it('says when the central was read, and why it could not be', () => {
    const s = syncStatus({
      ...base,
      last: null,
      remoteCheckedAt: at(5).toISOString(),
      remoteCheckError: 'The central is unreachable',
    });
    assert.equal(s.remoteCheckedAt, '2030-01-01T12:05:00.000Z');
    assert.equal(s.remoteCheckError, 'The central is unreachable');
    const none = syncStatus({ ...base, last: null });
    assert.equal(none.remoteCheckedAt, null);
    assert.equal(none.remoteCheckError, null);
  });
});
