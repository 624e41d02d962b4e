/**
 * The sync status a local shows (`syncStatus`, issue 6 §6): each state, which wins when several
 * apply, how far behind, and what the message says. The status after runs over the fakes:
 * sync-status-after-runs.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  newReport,
  setStep,
  type FailureKind,
  type RunStatus,
  type SyncReport,
} from '../../src/domain/sync/sync-report.ts';
import { syncStatus } from '../../src/domain/sync/sync-status.ts';
import type { MetadataVersion } from '../../src/domain/versioning/version.ts';

const at = (iso: string) => new Date(iso);

function current(name: string, pulled = true): MetadataVersion {
  return {
    id: `id${name}`,
    name,
    number: Number(name.split('_')[1]),
    type: 'ATOMIC',
    hashCode: '0'.repeat(32),
    parentHashCode: null,
    created: at('2026-01-01T00:00:00Z'),
    importDate: pulled ? at('2026-01-02T00:00:00Z') : null,
    bytes: 0,
    gzipBytes: 0,
    objects: 0,
    deletions: 0,
    types: {},
  };
}

function report(
  status: RunStatus,
  error?: { kind: FailureKind; version: string | null; step?: 'ping' | 'history' | 'versions' },
): SyncReport {
  const r = newReport('r1', 'SCHEDULED', null, at('2026-01-03T00:00:00Z'));
  r.status = status;
  r.endTime = status === 'RUNNING' ? null : '2026-01-03T00:01:00.000Z';
  if (error)
    r.error = {
      kind: error.kind,
      version: error.version,
      step: error.step ?? 'versions',
      message: `${error.kind} happened`,
    };
  return r;
}

const input = (extra: Partial<Parameters<typeof syncStatus>[0]> = {}) => ({
  configured: true,
  running: null,
  last: null,
  lastSuccess: null,
  current: current('Version_3'),
  remoteVersion: 'Version_3',
  systemVersion: '2.41.0',
  ...extra,
});

describe('syncStatus: the state', () => {
  const cases: [string, Partial<Parameters<typeof syncStatus>[0]>, string, string][] = [
    [
      'no remote configured, whatever else holds',
      {
        configured: false,
        running: 'r9',
        last: report('FAILED', { kind: 'DIVERGED', version: 'Version_3' }),
      },
      'NOT_CONFIGURED',
      'No remote server is configured (keyRemoteInstanceUrl, username and password).',
    ],
    [
      'a run going, even after a failed one',
      { running: 'r9', last: report('FAILED', { kind: 'REMOTE_AUTH', version: 'Version_3' }) },
      'RUNNING',
      'A sync is running (report r9).',
    ],
    [
      'the last run failed at a version',
      { last: report('FAILED', { kind: 'IMPORT_FAILED', version: 'Version_4' }) },
      'FAILED',
      'Failed at Version_4 (versions): IMPORT_FAILED happened.',
    ],
    [
      'the last run failed before any version',
      {
        current: null,
        remoteVersion: null,
        last: report('FAILED', { kind: 'REMOTE_UNREACHABLE', version: null, step: 'ping' }),
      },
      'FAILED',
      'Failed (ping): REMOTE_UNREACHABLE happened.',
    ],
    [
      'the last run was interrupted',
      { last: report('INTERRUPTED', { kind: 'INTERRUPTED', version: 'Version_3' }) },
      'FAILED',
      'Failed at Version_3 (versions): INTERRUPTED happened.',
    ],
    [
      'the last run failed without a recorded cause',
      { last: report('FAILED') },
      'FAILED',
      'Failed (run): FAILED.',
    ],
    [
      'the last run diverged',
      { last: report('FAILED', { kind: 'DIVERGED', version: 'Version_3', step: 'history' }) },
      'DIVERGED',
      'Diverged at Version_3 (history): DIVERGED happened.',
    ],
    [
      'the central has newer versions',
      { remoteVersion: 'Version_5', last: report('SUCCESS') },
      'BEHIND',
      'Behind the central by 2 version(s): Version_3 here, Version_5 on the central.',
    ],
    [
      'an empty local, the central has versions',
      { current: null, remoteVersion: 'Version_2' },
      'BEHIND',
      'Behind the central by 2 version(s): none here, Version_2 on the central.',
    ],
    [
      'at the central’s newest',
      { last: report('SUCCESS') },
      'UP_TO_DATE',
      'Up to date at Version_3.',
    ],
    [
      'nothing anywhere yet',
      { current: null, remoteVersion: null },
      'UP_TO_DATE',
      'No versions yet.',
    ],
  ];
  for (const [what, extra, state, message] of cases)
    it(`${what}: ${state}`, () => {
      const s = syncStatus(input(extra));
      assert.equal(s.state, state);
      assert.equal(s.message, message);
    });
});

describe('syncStatus: behindBy', () => {
  const cases: [string | null, string | null, number | null][] = [
    ['Version_3', 'Version_7', 4],
    ['Version_3', 'Version_3', 0],
    ['Version_5', 'Version_3', 0],
    [null, 'Version_4', 4],
    ['Version_3', null, null],
    [null, null, null],
    [null, 'Latest', null],
  ];
  for (const [here, there, behind] of cases)
    it(`${here ?? 'none'} here, ${there ?? 'unknown'} on the central: behind by ${behind}`, () => {
      const s = syncStatus(input({ current: here ? current(here) : null, remoteVersion: there }));
      assert.equal(s.behindBy, behind);
      assert.equal(s.state, behind ? 'BEHIND' : 'UP_TO_DATE');
    });
});

describe('syncStatus: what it shows besides the state', () => {
  it('the last attempt, the last success, the running report and both release strings', () => {
    const last = report('FAILED', { kind: 'REMOTE_AUTH', version: 'Version_3' });
    last.central = { version: '2.43.0', revision: null, metasync: false };
    const success = report('SUCCESS');
    success.endTime = '2026-01-02T10:00:00.000Z';
    const s = syncStatus(input({ last, lastSuccess: success }));
    assert.deepEqual(
      [s.lastAttempt, s.lastSuccess, s.runningReport, s.systemVersion, s.centralSystemVersion],
      [last.startTime, '2026-01-02T10:00:00.000Z', null, '2.41.0', '2.43.0'],
    );
  });

  it('the central’s release comes from the last success when the last run never read it', () => {
    const success = report('SUCCESS');
    success.central = { version: '2.42.1', revision: null, metasync: false };
    const s = syncStatus(input({ last: report('FAILED'), lastSuccess: success }));
    assert.equal(s.centralSystemVersion, '2.42.1');
    assert.equal(syncStatus(input()).centralSystemVersion, null);
  });

  for (const state of ['UP_TO_DATE', 'FAILED', 'NOT_CONFIGURED', 'BEHIND'] as const)
    it(`a current version made here is warned about (${state})`, () => {
      const s = syncStatus(
        input({
          current: current('Version_3', false),
          configured: state !== 'NOT_CONFIGURED',
          remoteVersion: state === 'BEHIND' ? 'Version_4' : 'Version_3',
          last:
            state === 'FAILED'
              ? report('FAILED', { kind: 'DIVERGED', version: 'Version_3' })
              : null,
        }),
      );
      assert.equal(s.state, state === 'FAILED' ? 'DIVERGED' : state);
      assert.equal(s.localVersionWarning, true);
      assert.match(
        s.message,
        / Warning: Version_3 was created on this instance; a local that creates versions cannot keep receiving versions from its central\.$/,
      );
    });

  it('a pulled version is not warned about', () => {
    const s = syncStatus(input());
    assert.equal(s.localVersionWarning, false);
    assert.doesNotMatch(s.message, /Warning/);
  });

  for (const [status, shown] of [
    ['WARNING', true],
    ['SUCCESS', false],
    ['FAILED', false],
    ['SKIPPED', false],
  ] as const)
    it(`a data push step ${status} in the last run ${shown ? 'is' : 'is not'} shown`, () => {
      const last = report('SUCCESS');
      setStep(last, 'dataPush', status, 'events not pushed: they stay queued');
      const s = syncStatus(input({ last }));
      assert.equal(s.dataPushWarning, shown ? 'events not pushed: they stay queued' : null);
      assert.equal(s.message.includes(' Data push: events not pushed'), shown);
    });
});

describe('syncStatus: a site that imports offline bundles (issue 20 §3)', () => {
  const bundleRun = (status: RunStatus, error?: Parameters<typeof report>[1]) => {
    const r = report(status, error);
    r.trigger = 'BUNDLE';
    return r;
  };

  it('is up to date after a bundle, though no remote is configured', () => {
    const s = syncStatus(
      input({ configured: false, last: bundleRun('SUCCESS'), lastSuccess: bundleRun('SUCCESS') }),
    );
    assert.equal(s.state, 'UP_TO_DATE');
    assert.equal(
      s.message,
      'Up to date at Version_3. No remote server is configured: versions arrive in offline bundles.',
    );
  });

  it('shows a failed bundle run as failed', () => {
    const s = syncStatus(
      input({
        configured: false,
        last: bundleRun('FAILED', { kind: 'DIVERGED', version: 'Version_3', step: 'history' }),
      }),
    );
    assert.equal(s.state, 'DIVERGED');
  });

  it('is not configured when it never imported a bundle', () => {
    const s = syncStatus(input({ configured: false, last: report('SUCCESS') }));
    assert.equal(s.state, 'NOT_CONFIGURED');
  });

  it('warns of drift without changing the state; no drift, or none checked, says nothing', () => {
    const drift = { changed: 2, created: 1, deleted: 0, checkedAt: '2026-12-07T10:00:00.000Z' };
    const s = syncStatus(input({ last: report('SUCCESS'), drift }));
    assert.equal(s.state, 'UP_TO_DATE');
    assert.deepEqual(s.drift, drift);
    assert.equal(
      s.message,
      'Up to date at Version_3. Drifted: 2 changed, 1 created, 0 deleted locally since the versions applied (checked 2026-12-07T10:00:00.000Z; see metasync drift).',
    );
    const none = { changed: 0, created: 0, deleted: 0, checkedAt: drift.checkedAt };
    assert.equal(
      syncStatus(input({ last: report('SUCCESS'), drift: none })).message,
      'Up to date at Version_3.',
    );
    assert.equal(syncStatus(input({ last: report('SUCCESS') })).drift, null);
  });
});
