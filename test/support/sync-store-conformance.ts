/**
 * The conformance suite of the sync ports (src/domain/sync/sync-ports.ts): reports, the run lease
 * and the audit log. test/integration/sync-store-conformance.test.ts runs it on PGlite and
 * PostgreSQL, test/unit/memory-sync-store.test.ts on the in-memory fake. The lease is one row
 * shared by every test of a database: each lease test frees it first and last.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { it, mock } from 'node:test';
import {
  createReportLifecycle,
  INTERRUPTED_BY_DEATH,
} from '../../src/domain/sync/report-lifecycle.ts';
import type { SyncStore } from '../../src/domain/sync/sync-ports.ts';
import { newReport, setStep, type SyncReport } from '../../src/domain/sync/sync-report.ts';

export interface SyncStoreSubject {
  store: () => SyncStore;
  /** Lets the database's clock move on by at least `ms` (a sleep, or the fake's clock). */
  advance: (ms: number) => Promise<void>;
  /**
   * False where the database's clock is this process's (PGlite runs in it, its `now()` is
   * `Date.now()`): the skewed host clock is then not observable, and not tested.
   */
  ownClock: boolean;
}

const trust = () => null;
let seq = 0;
/** A report started `n` ms after a fixed instant, so that list order is known. */
const report = (n = seq++): SyncReport =>
  newReport(randomUUID(), 'MANUAL', 'conformance', new Date(Date.UTC(2030, 0, 1) + n * 1000));

export function registerSyncStoreTests({ store, advance, ownClock }: SyncStoreSubject) {
  const free = async () => {
    const held = await store().read();
    if (held) await store().release(held.reportId);
  };

  it('reports: save, get, newest first, last success', async () => {
    const a = report();
    const b = report();
    await store().save(a);
    await store().save(b);
    assert.deepEqual(await store().get(a.id), a);
    assert.equal(await store().get(randomUUID()), null);
    const ids = (await store().list(1000)).map((r) => r.id);
    assert.ok(ids.indexOf(b.id) < ids.indexOf(a.id), 'the later start comes first');
    b.status = 'SUCCESS';
    b.endTime = new Date(Date.UTC(2030, 0, 2)).toISOString();
    await store().save(b);
    assert.equal((await store().lastSuccess())?.id, b.id);
  });

  it('reports: the transfer and each version download round-trip (issue 19 §6)', async () => {
    const r = report();
    r.versions.push({
      name: 'Version_7',
      type: 'BEST_EFFORT',
      status: 'SUCCESS',
      errors: [],
      download: { received: 2_000_000, size: 3_145_728, resumedFrom: 1_145_728, seconds: 31.25 },
    });
    r.transfer = {
      bytesReceived: 2_004_321,
      bytesSent: 4_567,
      resumed: [{ version: 'Version_7', from: 1_145_728 }],
      bytesPerSecond: 64_000,
      downloading: {
        version: 'Version_8',
        received: 10,
        total: null,
        resumedFrom: 0,
        bytesPerSecond: 5,
      },
    };
    await store().save(r);
    assert.deepEqual(await store().get(r.id), r);
    assert.deepEqual((await store().list(1000)).find((x) => x.id === r.id)?.transfer, r.transfer);
  });

  it('reports: a finished report is never reopened; the same status saves again', async () => {
    const r = report();
    await store().save(r);
    setStep(r, 'setUp', 'SUCCESS');
    await store().save(r);
    assert.equal((await store().get(r.id))?.steps[0]?.status, 'SUCCESS');
    const done = { ...structuredClone(r), status: 'INTERRUPTED' as const, endTime: r.startTime };
    await store().save(done);
    setStep(r, 'ping', 'SUCCESS');
    await store().save(r); // RUNNING progress after the interrupt: ignored
    assert.equal((await store().get(r.id))?.status, 'INTERRUPTED');
    assert.equal((await store().get(r.id))?.steps[1]?.status, 'NOT_EXECUTED');
    done.notifications = [];
    await store().save(done);
    assert.deepEqual((await store().get(r.id))?.notifications, []);
    await store().save({ ...done, status: 'SUCCESS' });
    assert.equal((await store().get(r.id))?.status, 'INTERRUPTED', 'no other final status either');
  });

  it('lease: one holder at a time; release frees it, only by its holder', async () => {
    await free();
    assert.equal(await store().read(), null);
    const [a, b] = [randomUUID(), randomUUID()];
    assert.deepEqual(await store().acquire(a, 'host-a:1', 60_000, trust), {
      ok: true,
      replaced: null,
    });
    assert.deepEqual(await store().read(), { reportId: a, holder: 'host-a:1', expired: false });
    assert.deepEqual(await store().acquire(b, 'host-b:2', 60_000, trust), {
      ok: false,
      holder: a,
    });
    await store().release(b);
    assert.equal((await store().read())?.reportId, a, 'a non-holder cannot release it');
    await store().release(a);
    assert.equal(await store().read(), null);
    assert.equal((await store().acquire(b, 'host-b:2', 60_000, trust)).ok, true);
    await free();
  });

  it('lease: at most one of many concurrent acquires succeeds', async () => {
    await free();
    const ids = Array.from({ length: 8 }, () => randomUUID());
    const results = await Promise.all(ids.map((id) => store().acquire(id, 'h:1', 60_000, trust)));
    assert.equal(results.filter((r) => r.ok).length, 1);
    await free();
  });

  it('lease: expiry is judged by the database clock, not the host clock', async () => {
    await free();
    const [a, b] = [randomUUID(), randomUUID()];
    assert.equal((await store().acquire(a, 'host-a:1', 60_000, trust)).ok, true);
    // This host's clock runs an hour ahead (or behind): the lease has 60 s left all the same.
    const hostNow = Date.now();
    for (const skew of ownClock ? [3_600_000, -3_600_000] : []) {
      mock.method(Date, 'now', () => hostNow + skew);
      try {
        assert.equal((await store().read())?.expired, false, `host clock ${skew} ms off`);
        assert.deepEqual(await store().acquire(b, 'host-b:2', 60_000, trust), {
          ok: false,
          holder: a,
        });
      } finally {
        mock.restoreAll();
      }
    }
    await free();
    // A short lease lapses on the database's clock, and can then be taken over.
    assert.equal((await store().acquire(a, 'host-a:1', 50, trust)).ok, true);
    await advance(200);
    assert.equal((await store().read())?.expired, true);
    assert.deepEqual(await store().acquire(b, 'host-b:2', 60_000, trust), {
      ok: true,
      replaced: a,
    });
    await free();
  });

  it("lease: the holder's liveness, where known, wins over the expiry", async () => {
    await free();
    const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()];
    assert.equal((await store().acquire(a, 'host-a:1', 60_000, trust)).ok, true);
    const dead = (s: { holder: string }) => (s.holder === 'host-a:1' ? false : null);
    assert.deepEqual(await store().acquire(b, 'host-b:2', 60_000, dead), {
      ok: true,
      replaced: a,
    });
    await store().release(b);
    assert.equal((await store().acquire(c, 'host-c:3', 50, trust)).ok, true);
    await advance(200);
    assert.deepEqual(await store().acquire(a, 'host-a:1', 60_000, () => true), {
      ok: false,
      holder: c,
    });
    await free();
  });

  it('lease: renewal by the holder extends it, even once lapsed; by a non-holder, after release or a takeover it fails', async () => {
    await free();
    const [a, b] = [randomUUID(), randomUUID()];
    assert.equal((await store().acquire(a, 'host-a:1', 300, trust)).ok, true);
    assert.equal(await store().renew(b, 60_000), false, 'a non-holder cannot renew');
    assert.equal((await store().read())?.reportId, a);
    assert.equal(await store().renew(a, 60_000), true);
    await advance(400);
    assert.equal((await store().read())?.expired, false, 'the renewal moved the expiry on');
    await store().release(a);
    assert.equal(await store().renew(a, 60_000), false, 'released');
    assert.equal(await store().read(), null, 'a failed renewal takes nothing');
    assert.equal((await store().acquire(a, 'host-a:1', 50, trust)).ok, true);
    await advance(200);
    assert.equal((await store().read())?.expired, true, 'lapsed before the renewal');
    assert.equal(await store().renew(a, 60_000), true, 'lapsed but not taken: renewed');
    assert.equal((await store().read())?.expired, false, 'the late renewal moved the expiry on');
    assert.equal((await store().acquire(b, 'host-b:2', 60_000, trust)).ok, false, 'held again');
    await advance(200);
    await store().release(a);
    assert.equal((await store().acquire(a, 'host-a:1', 50, trust)).ok, true);
    await advance(200);
    assert.equal((await store().acquire(b, 'host-b:2', 60_000, trust)).ok, true);
    assert.equal(await store().renew(a, 60_000), false, 'taken over');
    assert.equal((await store().read())?.reportId, b);
    await free();
  });

  it('interrupt: a RUNNING report becomes INTERRUPTED with its cause, and frees the lease', async () => {
    await free();
    const lifecycle = createReportLifecycle({
      reports: store(),
      lease: store(),
      now: () => new Date(Date.UTC(2030, 5, 1)),
      sleep: async () => undefined,
      finalSaveMs: 0,
      log: () => undefined,
    });
    const id = randomUUID();
    assert.equal((await store().acquire(id, 'host-a:1', 60_000, trust)).ok, true);
    const r = await lifecycle.open(id, 'SCHEDULED', 'job:x');
    setStep(r, 'setUp', 'SUCCESS');
    setStep(r, 'ping', 'RUNNING');
    await lifecycle.save(r);
    const closed = await lifecycle.interrupt(id, 'The server stopped while this job was running');
    assert.equal(closed?.status, 'INTERRUPTED');
    assert.equal(closed?.endTime, '2030-06-01T00:00:00.000Z');
    assert.deepEqual(closed?.error, {
      kind: 'INTERRUPTED',
      message: 'The server stopped while this job was running',
      version: null,
      step: 'ping',
    });
    assert.deepEqual(await store().get(id), closed);
    assert.equal(await store().read(), null);
    // A finished report stays as it is; interrupting again changes nothing.
    await lifecycle.interrupt(id, INTERRUPTED_BY_DEATH);
    assert.equal((await store().get(id))?.error?.message, closed?.error?.message);
  });

  it('audit: entries newest first, and the newest of an action', async () => {
    const action = `TEST_${randomUUID()}`;
    const entry = (n: number) => ({
      action,
      username: 'admin',
      at: new Date(Date.UTC(2030, 0, n)),
      reason: `reason ${n}`,
      details: { n, to: 'Version_2' },
    });
    assert.equal(await store().lastAudit(action), null);
    await store().audit(entry(1));
    await store().audit(entry(2));
    const mine = (await store().audits()).filter((a) => a.action === action);
    assert.deepEqual(
      mine.map(({ id: _id, ...rest }) => rest),
      [entry(2), entry(1)],
    );
    assert.ok(mine[0]!.id > mine[1]!.id, 'ids grow');
    assert.deepEqual(await store().lastAudit(action), mine[0]);
  });
}
