/** The per-call link watch (src/central/link-watch.ts, issue 19 §3) over real timers. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LinkTimeoutError, LinkWatch, watched } from '../../src/central/link-watch.ts';

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('link watch: silence fails a call, slowness does not', () => {
  it('a call that keeps receiving outlives the inactivity limit', async () => {
    const watch = new LinkWatch({ inactivityMs: 60, overallMs: 5_000 });
    for (let i = 0; i < 6; i++) {
      await wait(30);
      watch.alive();
    }
    assert.equal(watch.signal.aborted, false);
    watch.done();
  });

  it('silence aborts with the reason', async () => {
    const watch = new LinkWatch({ inactivityMs: 40, overallMs: 5_000 });
    await wait(80);
    assert.equal(watch.signal.aborted, true);
    assert.ok(watch.signal.reason instanceof LinkTimeoutError);
    assert.match((watch.signal.reason as Error).message, /no byte received for 40 ms/);
  });

  it('the overall bound holds however steady the bytes', async () => {
    const watch = new LinkWatch({ inactivityMs: 50, overallMs: 120 });
    for (let i = 0; i < 8 && !watch.signal.aborted; i++) {
      await wait(25);
      watch.alive();
    }
    assert.equal(watch.signal.aborted, true);
    assert.match((watch.signal.reason as Error).message, /longer than 120 ms in all/);
  });

  it('a watched body keeps the call alive and ends the watch with it', async () => {
    const watch = new LinkWatch({ inactivityMs: 40, overallMs: 5_000 });
    async function* slow() {
      for (let i = 0; i < 4; i++) {
        await wait(25);
        yield new Uint8Array([i]);
      }
    }
    const got: number[] = [];
    for await (const c of watched(slow(), watch)) got.push(c[0]!);
    assert.deepEqual(got, [0, 1, 2, 3]);
    await wait(60);
    assert.equal(watch.signal.aborted, false, 'aborted after the body ended');
  });
});
