/** The central's fleet view (src/domain/versioning/fleet.ts): how far behind each local is. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { downstreamCounts, fleetView } from '../../src/domain/versioning/fleet.ts';
import type { FleetEntry } from '../../src/domain/ports.ts';
import type { MetadataVersion } from '../../src/domain/versioning/version.ts';

const version = (n: number) => ({ name: `Version_${n}`, number: n }) as MetadataVersion;
const VERSIONS = [1, 2, 3].map(version);
const entry = (over: Partial<FleetEntry>): FleetEntry => ({
  key: 'k1',
  systemId: 'sys-1',
  name: 'Province A',
  username: 'sync-a',
  address: '10.0.0.7',
  baseline: 'Version_3',
  lastSeen: new Date('2026-12-01T10:00:00.000Z'),
  state: null,
  via: null,
  relay: null,
  ...over,
});

describe('fleetView', () => {
  it('a local at the newest version is 0 behind, one at Version_1 is 2 behind', () => {
    const [a, b] = fleetView(VERSIONS, [entry({}), entry({ key: 'k2', baseline: 'Version_1' })]);
    assert.deepEqual(a, {
      id: 'k1',
      systemId: 'sys-1',
      name: 'Province A',
      user: 'sync-a',
      address: '10.0.0.7',
      version: 'Version_3',
      lastSeen: '2026-12-01T10:00:00.000Z',
      behindBy: 0,
      latest: 'Version_3',
      state: null,
      relay: null,
      lastOutcome: null,
    });
    assert.equal(b!.behindBy, 2);
  });

  it('each local polling this server shows its newest reported outcome (issue 22 §3)', () => {
    const versions = [1, 2, 3].map((n) => ({ ...version(n), id: `vid${n}` }));
    const at = (s: number) => new Date(Date.UTC(2026, 11, 1, 10, 0, s));
    const outcome = (versionId: string, status: 'SUCCESS' | 'FAILED', s: number) => ({
      versionId,
      systemId: 'sys-1',
      username: 'sync-a',
      status,
      failureKind: status === 'FAILED' ? 'IMPORT_FAILED' : null,
      message: status === 'FAILED' ? 'E5002' : null,
      at: at(s),
    });
    const [a, dhis2, below] = fleetView(
      versions,
      [
        entry({}),
        entry({ key: 'user:dhis2@10.0.0.9', systemId: null, username: 'dhis2' }),
        entry({ key: 'k3', systemId: 'sys-1', via: 'relay', relay: 'relay' }),
      ],
      'all',
      // A withdrawn version's outcome (an id no longer held) is not shown.
      [outcome('vid2', 'SUCCESS', 1), outcome('vid3', 'FAILED', 2), outcome('gone', 'SUCCESS', 3)],
    );
    assert.deepEqual(a!.lastOutcome, {
      version: 'Version_3',
      status: 'FAILED',
      failureKind: 'IMPORT_FAILED',
      message: 'E5002',
      at: at(2).toISOString(),
    });
    assert.equal(dhis2!.lastOutcome, null, 'a DHIS2 local reports none');
    assert.equal(below!.lastOutcome, null, 'a local below a relay reports to the relay');
  });

  it('a local with no version yet is behind by every version', () => {
    assert.equal(fleetView(VERSIONS, [entry({ baseline: null })])[0]!.behindBy, 3);
  });

  it('a version this central does not know is behind by unknown (null), not a number', () => {
    assert.equal(fleetView(VERSIONS, [entry({ baseline: 'Version_9' })])[0]!.behindBy, null);
  });

  it('a local without a system name is shown by its user; no versions means no latest', () => {
    const [a] = fleetView([], [entry({ name: null, baseline: null })]);
    assert.equal(a!.name, 'sync-a');
    assert.equal(a!.latest, null);
    assert.equal(a!.behindBy, 0);
  });
});

describe('fleetView as a tree (issue 21 §4)', () => {
  // N's view: relay R polls N; R reported D1 and relay Q below it, and Q's own local D3.
  const TREE = [
    entry({ key: 'system:r', systemId: 'r', name: 'Region', state: 'SUCCESS' }),
    entry({
      key: 'via:r:system:d1',
      systemId: 'd1',
      name: 'District 1',
      baseline: 'Version_1',
      state: 'FAILED',
      via: 'r',
      relay: 'r',
    }),
    entry({ key: 'via:r:system:q', systemId: 'q', name: 'Sub-region', via: 'r', relay: 'r' }),
    entry({
      key: 'via:r:system:d3',
      systemId: 'd3',
      name: 'District 3',
      baseline: 'Version_7',
      state: 'DIVERGED',
      via: 'r',
      relay: 'q',
    }),
  ];

  it('depth 1 (the default) lists only the locals that poll this server, as before', () => {
    assert.deepEqual(
      fleetView(VERSIONS, TREE).map((l) => l.id),
      ['system:r'],
    );
  });

  it('depth all lists every local with the server it hangs under, named from the tree', () => {
    const all = fleetView(VERSIONS, TREE, 'all');
    assert.deepEqual(
      all.map((l) => [l.name, l.relay, l.state, l.behindBy]),
      [
        ['Region', null, 'SUCCESS', 0],
        ['District 1', { systemId: 'r', name: 'Region' }, 'FAILED', 2],
        ['Sub-region', { systemId: 'r', name: 'Region' }, null, 0],
        ['District 3', { systemId: 'q', name: 'Sub-region' }, 'DIVERGED', null],
      ],
    );
  });

  it('a relay that is not in the tree has no name (null), not a made-up one', () => {
    const [d] = fleetView(VERSIONS, [entry({ via: 'x', relay: 'x' })], 'all');
    assert.deepEqual(d!.relay, { systemId: 'x', name: null });
  });

  it('downstream counts: behind, failing, and diverged (a DIVERGED run or an unknown version)', () => {
    const all = fleetView(VERSIONS, TREE, 'all');
    assert.deepEqual(downstreamCounts(all), { locals: 4, behind: 1, failing: 1, diverged: 1 });
    const unknown = fleetView(VERSIONS, [entry({ baseline: 'Version_9', state: 'SUCCESS' })]);
    assert.deepEqual(downstreamCounts(unknown), { locals: 1, behind: 0, failing: 0, diverged: 1 });
    assert.deepEqual(downstreamCounts([]), { locals: 0, behind: 0, failing: 0, diverged: 0 });
  });
});
