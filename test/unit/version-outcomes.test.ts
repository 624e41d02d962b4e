/** What a local reports to its central after a run (issue 22 §3, src/domain/sync/version-outcomes.ts). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newReport, type SyncReport } from '../../src/domain/sync/sync-report.ts';
import { versionOutcomes } from '../../src/domain/sync/version-outcomes.ts';

const report = (over: Partial<SyncReport>): SyncReport => ({
  ...newReport('r1', 'MANUAL', null, new Date('2026-12-01T10:00:00Z')),
  ...over,
});

const v = (name: string, status: 'SUCCESS' | 'WARNING' | 'FAILED' | 'NOT_EXECUTED') => ({
  name,
  type: 'ATOMIC',
  status,
  errors: [],
});

describe('version outcomes', () => {
  it('the newest imported version and the one the run stopped at; nothing for versions not tried', () => {
    const r = report({
      status: 'FAILED',
      versions: [
        v('Version_3', 'SUCCESS'),
        v('Version_4', 'WARNING'),
        v('Version_5', 'FAILED'),
        v('Version_6', 'NOT_EXECUTED'),
      ],
      error: { kind: 'IMPORT_FAILED', message: 'E5002', version: 'Version_5', step: 'versions' },
    });
    assert.deepEqual(versionOutcomes(r), [
      { version: 'Version_4', status: 'SUCCESS', failureKind: null, message: null },
      { version: 'Version_5', status: 'FAILED', failureKind: 'IMPORT_FAILED', message: 'E5002' },
    ]);
  });

  it('a run that failed on a version before it had a line (a hash mismatch) reports that version', () => {
    const r = report({
      status: 'FAILED',
      versions: [],
      error: {
        kind: 'HASH_MISMATCH',
        message: 'corrupted',
        version: 'Version_2',
        step: 'versions',
      },
    });
    assert.deepEqual(versionOutcomes(r), [
      {
        version: 'Version_2',
        status: 'FAILED',
        failureKind: 'HASH_MISMATCH',
        message: 'corrupted',
      },
    ]);
    // A failure before any version (the central unreachable) says nothing about versions.
    assert.deepEqual(
      versionOutcomes(
        report({
          status: 'FAILED',
          versions: [],
          error: { kind: 'REMOTE_UNREACHABLE', message: 'x', version: 'Version_1', step: 'ping' },
        }),
      ),
      [],
    );
  });
});
