/**
 * The report lifecycle (src/domain/sync/report-lifecycle.ts) over the in-memory sync store: a
 * run whose holder is gone reads INTERRUPTED at once, a live one is left alone, and a finished
 * report that its database would not take is saved within a second of the database's return.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  createReportLifecycle,
  INTERRUPTED_BY_DEATH,
  markCrashed,
  runIsLive,
} from '../../src/domain/sync/report-lifecycle.ts';
import { setStep } from '../../src/domain/sync/sync-report.ts';
import { createMemorySyncStore, type MemorySyncStore } from '../support/fakes/memory-sync-store.ts';

/** A lifecycle whose time is the fake database's clock; sleeping moves it on. */
function setUp(store: MemorySyncStore = createMemorySyncStore(), onSleep = () => {}) {
  const lifecycle = createReportLifecycle({
    reports: store,
    lease: store,
    now: () => store.clock.now,
    sleep: async (ms) => {
      store.advance(ms);
      onSleep();
    },
    finalSaveMs: 10 * 60_000,
    log: () => undefined,
  });
  return { store, lifecycle };
}

const trust = () => null;

describe('report lifecycle', () => {
  it('runIsLive: only the lease holder runs, alive where known, unexpired where not', () => {
    const lease = { reportId: 'a', holder: 'h:1', expired: false };
    assert.equal(runIsLive('a', lease, trust), true);
    assert.equal(runIsLive('b', lease, trust), false, 'another report holds the lease');
    assert.equal(runIsLive('a', null, trust), false, 'no lease at all');
    assert.equal(runIsLive('a', { ...lease, expired: true }, trust), false, 'lapsed');
    assert.equal(
      runIsLive('a', lease, () => false),
      false,
      'holder known dead',
    );
    assert.equal(
      runIsLive('a', { ...lease, expired: true }, () => true),
      true,
      'known alive',
    );
  });

  it('settle: a RUNNING report whose holder is dead reads INTERRUPTED at once, and frees the lease', async () => {
    const { store, lifecycle } = setUp();
    await store.acquire('dead', 'host:1', 60_000, trust);
    const dead = await lifecycle.open('dead', 'MANUAL', 'admin');
    setStep(dead, 'history', 'RUNNING');
    await lifecycle.save(dead);
    const isLive = (s: { holder: string }) => (s.holder === 'host:1' ? false : null);
    const [read] = await lifecycle.settle([dead], isLive);
    assert.equal(read?.status, 'INTERRUPTED');
    assert.deepEqual(read?.error, {
      kind: 'INTERRUPTED',
      message: INTERRUPTED_BY_DEATH,
      version: null,
      step: 'history',
    });
    assert.equal((await store.get('dead'))?.status, 'INTERRUPTED', 'saved, not only answered');
    assert.equal(await store.read(), null, 'the lease is free for the next run');
  });

  it('settle: a live run is left RUNNING; one that lost the lease is not', async () => {
    const { store, lifecycle } = setUp();
    await store.acquire('live', 'other-host:7', 60_000, trust);
    const live = await lifecycle.open('live', 'SCHEDULED', 'job:x');
    const orphan = await lifecycle.open('orphan', 'MANUAL', 'admin');
    const read = await lifecycle.settle([live, orphan], trust);
    assert.deepEqual(
      read.map((r) => [r.id, r.status]),
      [
        ['live', 'RUNNING'],
        ['orphan', 'INTERRUPTED'],
      ],
    );
    // Once its lease lapses by the database's clock, the live one is gone too.
    store.advance(60_001);
    assert.equal(await lifecycle.running(trust), null);
    assert.equal((await store.get('live'))?.status, 'INTERRUPTED');
  });

  it('settle: a report that finished meanwhile is not touched', async () => {
    const { store, lifecycle } = setUp();
    const r = await lifecycle.open('done', 'MANUAL', 'admin');
    const stale = structuredClone(r); // read while it ran
    r.status = 'SUCCESS';
    r.endTime = store.clock.now.toISOString();
    await lifecycle.save(r);
    const [read] = await lifecycle.settle([stale], trust);
    assert.equal(read?.status, 'SUCCESS');
    assert.equal((await store.get('done'))?.status, 'SUCCESS');
  });

  it('finish: a report its database would not take is saved within a second of its return', async () => {
    const store = createMemorySyncStore();
    // The database comes back 12 s on, on the clock the retries move.
    const backAt = store.clock.now.getTime() + 12_000;
    const { lifecycle } = setUp(store, () => {
      if (store.clock.now.getTime() >= backAt) store.failing = null;
    });
    const r = await lifecycle.open('away', 'MANUAL', 'admin');
    setStep(r, 'versions', 'RUNNING');
    markCrashed(r, new Error('Connection terminated unexpectedly'), store.clock.now);
    store.failing = new Error('connect ECONNREFUSED 127.0.0.1:5432');
    assert.equal(await lifecycle.finish(r), true);
    const savedAfter = store.clock.now.getTime() - backAt;
    assert.ok(savedAfter <= 1000, `saved ${savedAfter} ms after the database was back`);
    const stored = await store.get('away');
    assert.equal(stored?.status, 'FAILED');
    assert.deepEqual(stored?.error, {
      kind: 'INTERNAL',
      message: 'Connection terminated unexpectedly',
      version: null,
      step: 'versions',
    });
  });
});
