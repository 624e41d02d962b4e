/**
 * A run's byte counts in the sync service (src/sync/sync-service.ts, run-transfer.ts, issue 19
 * §6) over in-memory fakes: the metadata client and the data push of a run count on one meter,
 * the process counters (`/metrics`) see each byte as it moves, and the report saved with the
 * run carries the totals.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ImportDeps } from '../../src/domain/metadata/import-metadata.ts';
import type { VersionStore } from '../../src/domain/ports.ts';
import type { SettingsService } from '../../src/domain/settings/settings-service.ts';
import type { CentralClient, TransferMeter } from '../../src/domain/sync/central-client.ts';
import { createSyncService } from '../../src/sync/sync-service.ts';
import { createMemorySyncStore } from '../support/fakes/memory-sync-store.ts';

describe('sync service: the run transfer', () => {
  it('both clients count on the run meter; counters see it live; the report keeps the totals', async () => {
    const values = new Map<string, unknown>([
      ['keyRemoteInstanceUrl', 'http://central.invalid'],
      ['keyRemoteInstanceUsername', 'admin'],
      ['keyRemoteInstancePassword', 'secret'],
    ]);
    const settings = {
      value: async (key: string) => values.get(key),
      get: async (key: string) => values.get(key) ?? '',
      update: async (entries: Record<string, unknown>) => {
        for (const [k, v] of Object.entries(entries)) values.set(k, v);
      },
    } as unknown as SettingsService;
    const store = createMemorySyncStore();
    const counted: string[] = [];
    let meterSeenByPush: TransferMeter | undefined;
    const metersGiven: (TransferMeter | undefined)[] = [];
    const sync = createSyncService({
      importDeps: {} as ImportDeps,
      versions: { latest: async () => null, byName: async () => null } as unknown as VersionStore,
      settings,
      store,
      clock: { now: () => new Date() },
      central: (_remote, run) => {
        metersGiven.push(run?.meter);
        const client: CentralClient = {
          ping: async () => run?.meter.received(4),
          systemInfo: async () => ({ version: '2.41.0', revision: null, metasync: true }),
          history: async () => {
            run?.meter.received(300);
            return [];
          },
          version: async () => null,
          snapshot: async () => assert.fail('nothing to download'),
        };
        return client;
      },
      localSystemVersion: '2.41.0',
      retries: 1,
      retryDelayMs: 1,
      dataPush: async (options) => {
        meterSeenByPush = options?.meter;
        options?.meter?.sent(1000);
        options?.meter?.received(50);
        options?.meter?.sent(234);
        return { status: 'SUCCESS', message: 'pushed' };
      },
      transferCounters: { bytes: (direction, n) => counted.push(`${direction} ${n}`) },
      log: () => undefined,
    });
    const { done } = await sync.start({ trigger: 'MANUAL', triggeredBy: 'admin', actorId: 'x' });
    const finished = await done;
    assert.equal(finished.status, 'SUCCESS', JSON.stringify(finished.error));
    assert.equal(metersGiven.length, 1, 'one client per run');
    assert.ok(metersGiven[0] && metersGiven[0] === meterSeenByPush, 'one meter for both');
    const pings = counted.filter((c) => c === 'received 4').length;
    assert.ok(pings >= 1, 'the ping was counted');
    assert.deepEqual(
      counted.filter((c) => c !== 'received 4'),
      ['sent 1000', 'received 50', 'sent 234', 'received 300'],
    );
    const expected = {
      bytesReceived: 4 * pings + 50 + 300,
      bytesSent: 1234,
      resumed: [],
      bytesPerSecond: null,
    };
    assert.deepEqual(finished.transfer, expected);
    assert.deepEqual((await store.get(finished.id))?.transfer, expected);
  });
});
