/**
 * One sync run at a time within one process too (invariant 12): two starts issued together in
 * the same process, many times over, never both hold the lease. The second start used to read
 * the lease in the instant between the first one's commit and its marking the run as this
 * process's, took the holder for dead and started a second run over it (seen in the scale-out
 * test as "two runs overlapped": a scheduled tick and a manual run on one process).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isAppError } from '../../src/domain/errors.ts';
import { backends } from '../support/databases.ts';
import { useServer } from '../support/server.ts';

for (const backend of await backends()) {
  describe(`sync lease within one process on ${backend}`, () => {
    const server = useServer(backend);

    it('two starts at once: never two runs at once, a refused start gets a 409', async () => {
      const sync = server.instance.services.sync;
      const input = { trigger: 'MANUAL' as const, triggeredBy: 'admin', actorId: 'M5zQapPyTZI' };
      for (let round = 0; round < 40; round++) {
        const outcomes = await Promise.allSettled([sync.start(input), sync.start(input)]);
        const started = outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
        for (const o of outcomes)
          if (o.status === 'rejected') assert.ok(isAppError(o.reason), String(o.reason));
        assert.ok(started.length >= 1, `round ${round}: neither start ran`);
        const finished = await Promise.all(started.map((s) => s.done));
        // Both may start when the first run ends (here it fails at once: no remote is set) and
        // releases the lease before the second start reads it; that is two runs one after the
        // other, not at once. The second run starts after taking the lease, the first ends
        // before releasing it, so runs in turn never overlap in their reports.
        const [a, b] = finished.sort((x, y) => x.startTime.localeCompare(y.startTime));
        if (b)
          assert.ok(
            a!.endTime !== null && a!.endTime <= b.startTime,
            `round ${round}: two runs overlapped: ${a!.startTime}–${a!.endTime} and ${b.startTime}`,
          );
      }
    });
  });
}
