/** The fleet reported upward (src/domain/versioning/fleet-report.ts, issue 21 §4). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FleetEntry } from '../../src/domain/ports.ts';
import {
  downstreamReport,
  reportedEntries,
  runState,
  type ReportedLocal,
} from '../../src/domain/versioning/fleet-report.ts';

const at = (ms: number) => new Date(Date.UTC(2026, 11, 1, 10, 0, 0, ms));
const entry = (over: Partial<FleetEntry>): FleetEntry => ({
  key: 'system:d1',
  systemId: 'd1',
  name: 'District 1',
  username: 'sync-d',
  address: '10.0.1.1',
  baseline: 'Version_2',
  lastSeen: at(0),
  state: 'SUCCESS',
  via: null,
  relay: null,
  ...over,
});
const local = (over: Partial<ReportedLocal>): ReportedLocal => ({
  systemId: 'd1',
  name: 'District 1',
  user: 'sync-d',
  address: '10.0.1.1',
  version: 'Version_2',
  lastSeen: at(0).toISOString(),
  state: 'SUCCESS',
  relay: 'r',
  ...over,
});

describe('runState', () => {
  it("is the last finished run's outcome: SUCCESS, DIVERGED, or FAILED for any other end", () => {
    assert.equal(runState(null), null);
    assert.equal(runState({ status: 'RUNNING', error: null }), null);
    assert.equal(runState({ status: 'SUCCESS', error: null }), 'SUCCESS');
    const failure = (kind: 'DIVERGED' | 'REMOTE_UNREACHABLE') => ({
      kind,
      message: 'x',
      version: null,
      step: 'history' as const,
    });
    assert.equal(runState({ status: 'FAILED', error: failure('DIVERGED') }), 'DIVERGED');
    assert.equal(runState({ status: 'FAILED', error: failure('REMOTE_UNREACHABLE') }), 'FAILED');
    assert.equal(runState({ status: 'INTERRUPTED', error: null }), 'FAILED');
  });
});

describe('downstreamReport', () => {
  it('names the relay itself for its direct locals and keeps the relay of reported ones', () => {
    const report = downstreamReport('r', [
      entry({}),
      entry({ key: 'via:q:system:d3', systemId: 'd3', via: 'q', relay: 'q', lastSeen: at(5) }),
    ]);
    assert.deepEqual(
      report.map((l) => [l.systemId, l.relay]),
      [
        ['d3', 'q'],
        ['d1', 'r'],
      ],
    );
    assert.deepEqual(report[1], local({}));
  });
});

describe('reportedEntries', () => {
  it('keys each entry by the reporting relay, so a relay only replaces its own', () => {
    const [e] = reportedEntries('n', 'r', [local({})]);
    assert.deepEqual(e, {
      ...entry({ key: 'via:r:system:d1', via: 'r', relay: 'r' }),
    });
    const [anon] = reportedEntries('n', 'r', [local({ systemId: null })]);
    assert.equal(anon!.key, 'via:r:user:sync-d@10.0.1.1');
  });

  it('keeps the newest of a local named twice, and drops loops (the receiver or the reporter)', () => {
    const kept = reportedEntries('n', 'r', [
      local({ lastSeen: at(1).toISOString(), version: 'Version_1' }),
      local({ lastSeen: at(9).toISOString(), version: 'Version_3' }),
      local({ lastSeen: at(5).toISOString(), version: 'Version_2' }),
      local({ systemId: 'n' }),
      local({ systemId: 'r' }),
    ]);
    assert.deepEqual(
      kept.map((e) => [e.systemId, e.baseline]),
      [['d1', 'Version_3']],
    );
  });
});
