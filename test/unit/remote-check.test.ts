/**
 * The remote check outside a run (src/sync/remote-check.ts): the status's ?refresh=true reads the
 * central's newest version and when, and says why it could not; a run that moved the local on
 * tells the central with one more history call from the version it reached (its fleet view).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { VersionStore } from '../../src/domain/ports.ts';
import { RemoteError, type CentralClient } from '../../src/domain/sync/central-client.ts';
import { newReport } from '../../src/domain/sync/sync-report.ts';
import { createRemoteCheck } from '../../src/sync/remote-check.ts';

const remote = (name: string, minute: number) => ({
  name,
  type: 'ATOMIC',
  id: name,
  hashCode: 'h',
  created: new Date(Date.UTC(2030, 0, 1, 12, minute)),
  parentHashCode: null,
});

function setUp(history: CentralClient['history']) {
  const calls: (string | null)[] = [];
  const settings = new Map<string, unknown>();
  const central = {
    history: async (baseline: string | null) => {
      calls.push(baseline);
      return history(baseline);
    },
  } as CentralClient;
  const check = createRemoteCheck({
    client: async () => central,
    versions: {
      latest: async () => ({ name: 'Version_2' }),
    } as unknown as Pick<VersionStore, 'latest'>,
    settings: {
      value: async (k) => settings.get(k),
      update: async (e) => void Object.entries(e).forEach(([k, v]) => settings.set(k, v)),
    },
    now: () => new Date('2030-01-01T13:00:00Z'),
    log: () => undefined,
  });
  return { check, calls, settings, central };
}

describe('remote check', () => {
  it('refresh: the newest of the central’s newer versions, and when it was read', async () => {
    const { check, calls, settings } = setUp(async () => [
      remote('Version_4', 2),
      remote('Version_3', 1),
    ]);
    await check.refresh();
    assert.deepEqual(calls, ['Version_2'], 'asked from the current version');
    assert.equal(settings.get('keyRemoteMetadataVersion'), 'Version_4');
    assert.deepEqual(check.last(), { at: '2030-01-01T13:00:00.000Z', error: null });
  });

  it('refresh: nothing newer means the central is at our version', async () => {
    const { check, settings } = setUp(async () => []);
    await check.refresh();
    assert.equal(settings.get('keyRemoteMetadataVersion'), 'Version_2');
  });

  it('refresh: a central that cannot be asked is said so, and the last good read is kept', async () => {
    let fail = false;
    const { check } = setUp(async () => {
      if (fail) throw new RemoteError('UNREACHABLE', 'The central is unreachable');
      return [];
    });
    await check.refresh();
    fail = true;
    await check.refresh();
    assert.deepEqual(check.last(), {
      at: '2030-01-01T13:00:00.000Z',
      error: 'The central is unreachable',
    });
  });

  it('tellCentral: one history call from the version reached, only when the run moved on', async () => {
    const { check, calls, central } = setUp(async () => []);
    const report = newReport('r', 'MANUAL', 'admin', new Date());
    report.fromVersion = 'Version_2';
    report.toVersion = 'Version_2';
    await check.tellCentral(central, report);
    assert.deepEqual(calls, []);
    report.toVersion = 'Version_4';
    await check.tellCentral(central, report);
    assert.deepEqual(calls, ['Version_4']);
  });
});
