/** The central's fleet view (src/domain/versioning/fleet.ts): how far behind each local is. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fleetView } from '../../src/domain/versioning/fleet.ts';
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
    });
    assert.equal(b!.behindBy, 2);
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
