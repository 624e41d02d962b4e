/**
 * The rules behind issue 24 §3's screens, apart from the browser: a version's "Last sync attempt"
 * (only when its last try failed) and "Last sync" from the run reports, the central's versions a
 * rebaseline offers, a run's share done, and the status headline that is never a bare "Up to date".
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { SyncReport, SyncStatus } from '../../src/http/schemas/api-types.ts';

/** web/src loaded at run time: the server's compiler does not read the UI's sources (DOM types). */
const web = (file: string) =>
  import(pathToFileURL(path.join(import.meta.dirname, '..', '..', 'web', 'src', file)).href);
type Times = { failedAttempt: string | null; failure: string | null; lastSync: string | null };
const { versionSyncTimes } = (await web('version-sync-times.ts')) as {
  versionSyncTimes(
    reports: Pick<SyncReport, 'startTime' | 'endTime' | 'versions'>[],
  ): Map<string, Times & { type: string }>;
};
const { centralVersionNames, runShare, upToDateHeadline } = (await web('sync-display.ts')) as {
  centralVersionNames(remote: string | null): string[];
  runShare(r: Pick<SyncReport, 'versions' | 'fromVersion' | 'remoteVersion'>): {
    done: number;
    total: number | null;
  };
  upToDateHeadline(s: Pick<SyncStatus, 'remoteCheckedAt' | 'remoteCheckError'>): string;
};

type Entry = SyncReport['versions'][number];
const version = (name: string, status: Entry['status'], message?: string): Entry => ({
  name,
  type: 'ATOMIC',
  status,
  errors: [],
  ...(message ? { message } : {}),
});
const report = (start: string, end: string | null, versions: Entry[]) => ({
  startTime: start,
  endTime: end,
  versions,
});

describe('web: sync screens (issue 24 §3)', () => {
  it('a version last synced, and a failed last try shown until a later success', () => {
    const times = versionSyncTimes([
      // Newest first, as the API answers.
      report('2026-01-03T00:00:00Z', '2026-01-03T00:01:00Z', [
        version('Version_3', 'FAILED', 'E1'),
      ]),
      report('2026-01-02T00:00:00Z', '2026-01-02T00:01:00Z', [
        version('Version_2', 'SUCCESS'),
        version('Version_3', 'NOT_EXECUTED'),
      ]),
      report('2026-01-01T00:00:00Z', '2026-01-01T00:01:00Z', [
        version('Version_1', 'WARNING'),
        version('Version_2', 'FAILED', 'first try'),
      ]),
    ]);
    assert.deepEqual(times.get('Version_1'), {
      failedAttempt: null,
      failure: null,
      lastSync: '2026-01-01T00:01:00Z',
      type: 'ATOMIC',
    });
    assert.deepEqual(times.get('Version_2'), {
      failedAttempt: null,
      failure: null,
      lastSync: '2026-01-02T00:01:00Z',
      type: 'ATOMIC',
    });
    assert.deepEqual(times.get('Version_3'), {
      failedAttempt: '2026-01-03T00:01:00Z',
      failure: 'E1',
      lastSync: null,
      type: 'ATOMIC',
    });
    // A run still going dates its versions by its start.
    const running = versionSyncTimes([
      report('2026-01-04T00:00:00Z', null, [version('V', 'SUCCESS')]),
    ]);
    assert.equal(running.get('V')?.lastSync, '2026-01-04T00:00:00Z');
  });

  it("a rebaseline offers the central's versions, newest first", () => {
    assert.deepEqual(centralVersionNames('Version_3'), ['Version_3', 'Version_2', 'Version_1']);
    assert.deepEqual(centralVersionNames(null), []);
    assert.deepEqual(centralVersionNames('Release 2'), []);
  });

  it("a run's share: versions tried against the span to the central's newest", () => {
    const r = {
      versions: [version('Version_3', 'SUCCESS'), version('Version_4', 'NOT_EXECUTED')],
      fromVersion: 'Version_2',
      remoteVersion: 'Version_6',
    };
    assert.deepEqual(runShare(r), { done: 1, total: 4 });
    assert.deepEqual(runShare({ ...r, remoteVersion: null }), { done: 1, total: null });
    assert.deepEqual(runShare({ ...r, fromVersion: null }), { done: 1, total: 6 });
  });

  it('"Up to date" only with the time the central was asked; never asked or failing, it says so', () => {
    const at = '2026-01-01T10:00:00Z';
    assert.match(
      upToDateHeadline({ remoteCheckedAt: at, remoteCheckError: null }),
      /^Up to date as of /,
    );
    assert.match(
      upToDateHeadline({ remoteCheckedAt: null, remoteCheckError: null }),
      /has not been asked/,
    );
    assert.match(
      upToDateHeadline({ remoteCheckedAt: null, remoteCheckError: 'ECONNREFUSED' }),
      /could not be asked/,
    );
    assert.match(
      upToDateHeadline({ remoteCheckedAt: at, remoteCheckError: 'timeout' }),
      /^Up to date as of .*could not be asked now/,
    );
  });
});
