/**
 * The sync service's hold on a run (src/sync/sync-service.ts) over in-memory fakes, no server and
 * no database: a run whose lease is taken over stops at its next safe point and says why, and a
 * run that failed while its database was away reads FAILED with its cause at once in this process
 * and is stored so within a second of the database's return.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ImportDeps } from '../../src/domain/metadata/import-metadata.ts';
import type { VersionStore } from '../../src/domain/ports.ts';
import type { SettingsService } from '../../src/domain/settings/settings-service.ts';
import type { CentralClient } from '../../src/domain/sync/central-client.ts';
import { createSyncService } from '../../src/sync/sync-service.ts';
import { eventually } from '../support/eventually.ts';
import { createMemorySyncStore, type MemorySyncStore } from '../support/fakes/memory-sync-store.ts';

function setUp(store: MemorySyncStore, client: Partial<CentralClient>) {
  const values = new Map<string, unknown>([
    ['keyRemoteInstanceUrl', 'http://central.invalid'],
    ['keyRemoteInstanceUsername', 'admin'],
    ['keyRemoteInstancePassword', 'secret'],
  ]);
  // The settings live in the same database as the reports: away when it is.
  const settings = {
    value: async (key: string) => values.get(key),
    get: async (key: string) => values.get(key) ?? '',
    update: async (entries: Record<string, unknown>) => {
      if (store.failing) throw store.failing;
      for (const [k, v] of Object.entries(entries)) values.set(k, v);
    },
  } as unknown as SettingsService;
  const versions = {
    latest: async () => null,
    byName: async () => null,
  } as unknown as VersionStore;
  const central: CentralClient = {
    ping: async () => undefined,
    systemInfo: async () => ({ version: '2.41.0', revision: null, metasync: true }),
    history: async () => [],
    version: async () => null,
    snapshot: async () => {
      throw new Error('no snapshot in this test');
    },
    ...client,
  };
  return createSyncService({
    importDeps: {} as ImportDeps,
    versions,
    settings,
    store,
    clock: { now: () => new Date() },
    central: () => central,
    localSystemVersion: '2.41.0',
    retries: 1,
    retryDelayMs: 1,
    dataPush: async () => ({ status: 'SKIPPED', message: 'nothing to push' }),
    log: () => undefined,
  });
}

const input = { trigger: 'MANUAL' as const, triggeredBy: 'admin', actorId: 'M5zQapPyTZI' };

describe('sync service: the run and its lease', () => {
  it('a run whose lease was taken over stops at the next safe point, INTERRUPTED, saying why', async () => {
    const store = createMemorySyncStore();
    let stolen = '';
    const sync = setUp(store, {
      // While the run pings, its lease lapses and another process takes it over.
      systemInfo: async () => {
        const held = await store.read();
        await store.release(held!.reportId);
        await store.acquire('other-run', 'other-host:9', 60_000, () => null);
        stolen = held!.reportId;
        return { version: '2.41.0', revision: null, metasync: true };
      },
      history: async () => assert.fail('the run went on past its safe point'),
    });
    const { report, done } = await sync.start(input);
    const finished = await done;
    assert.equal(stolen, report.id);
    assert.equal(finished.status, 'INTERRUPTED');
    assert.equal(finished.error?.kind, 'INTERRUPTED');
    assert.equal(finished.error?.step, 'dataPush', 'stopped before the data push');
    assert.match(finished.error!.message, /lost the sync lease/);
    assert.deepEqual(
      finished.steps.map((s) => [s.name, s.status]),
      [
        ['setUp', 'SUCCESS'],
        ['ping', 'SUCCESS'],
        ['dataPush', 'FAILED'],
        ['history', 'NOT_EXECUTED'],
        ['versions', 'NOT_EXECUTED'],
      ],
    );
    assert.equal((await store.get(report.id))?.status, 'INTERRUPTED');
    assert.equal((await store.read())?.reportId, 'other-run', "the other run's lease stays");
    await store.release('other-run');
  });

  it('a run that failed while its database was away reads FAILED with its cause at once, and is stored so', async () => {
    const store = createMemorySyncStore();
    const down = new Error('connect ECONNREFUSED 127.0.0.1:5432');
    const sync = setUp(store, {
      ping: async () => {
        store.failing = down; // the database goes away mid-run
      },
    });
    const { report, done } = await sync.start(input);
    const finished = await done;
    assert.equal(finished.status, 'FAILED');
    assert.equal(finished.error?.kind, 'INTERNAL');
    assert.match(finished.error!.message, /ECONNREFUSED/);
    // Still away: this process answers with the finished report, not the stored RUNNING one.
    const read = await sync.report(report.id);
    assert.equal(read?.status, 'FAILED');
    assert.deepEqual(read?.error, finished.error);
    store.failing = null;
    const stored = await eventually(
      async () => {
        const r = await store.get(report.id);
        assert.equal(r?.status, 'FAILED', 'not yet stored');
        return r!;
      },
      2000,
      50,
    );
    assert.deepEqual(stored.error, finished.error);
    await eventually(async () => assert.equal(await store.read(), null, 'lease kept'), 2000, 50);
  });

  it('a run started the moment the database is back waits for the last run to be stored, not 409', async () => {
    const store = createMemorySyncStore();
    let calls = 0;
    const sync = setUp(store, {
      ping: async () => {
        calls += 1;
        if (calls === 1) store.failing = new Error('connect ECONNREFUSED 127.0.0.1:5432');
      },
    });
    const first = await sync.start(input);
    assert.equal((await first.done).status, 'FAILED');
    // Let the background save back off past its first try, so the lease is still held.
    await new Promise((r) => setTimeout(r, 350));
    store.failing = null;
    const second = await sync.start(input);
    assert.equal((await store.get(first.report.id))?.status, 'FAILED');
    assert.equal((await second.done).status, 'SUCCESS');
  });
});
