/**
 * The eager body reader (src/central/eager-body.ts, issue 19 §2): what arrived before a break
 * reaches a consumer that started late; the queue is bounded; leaving early gives the call up.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CentralCall } from '../../src/central/central-call.ts';
import { eager } from '../../src/central/eager-body.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A call whose body yields `chunks` (a microtask apart), then ends or fails with `error`. */
function fakeCall(chunks: Uint8Array[], error?: Error) {
  const state = { read: 0, cancelled: false };
  const call: CentralCall = {
    res: new Response(null),
    async *body() {
      for (const c of chunks) {
        if (state.cancelled) throw new Error('aborted');
        state.read++;
        await Promise.resolve();
        yield c;
      }
      if (error) throw error;
    },
    cancel: () => {
      state.cancelled = true;
      return Promise.resolve();
    },
    timedOut: () => false,
  };
  return { call, state };
}

async function drain(body: AsyncIterable<Uint8Array>) {
  const got: number[] = [];
  try {
    for await (const c of body) got.push(c.length);
    return { got, error: null };
  } catch (e) {
    return { got, error: e as Error };
  }
}

describe('eager body', () => {
  it('reads from the start: a consumer that comes late still gets every byte before the break', async () => {
    const { call, state } = fakeCall(
      [new Uint8Array(10), new Uint8Array(20), new Uint8Array(30)],
      new Error('ECONNRESET'),
    );
    const body = eager(call);
    await sleep(20); // the local writes its partial's head meanwhile
    assert.equal(state.read, 3, 'the pump read everything before the consumer asked');
    const { got, error } = await drain(body);
    assert.deepEqual(got, [10, 20, 30]);
    assert.equal(error?.message, 'ECONNRESET', 'the break comes after the bytes');
  });

  it('holds at most about `max` bytes ahead of its consumer', async () => {
    const { call, state } = fakeCall(Array.from({ length: 10 }, () => new Uint8Array(100)));
    const body = eager(call, 250);
    await sleep(20);
    assert.equal(state.read, 3, 'the pump paused once 300 ≥ 250 bytes were queued');
    const { got, error } = await drain(body);
    assert.equal(error, null);
    assert.equal(got.length, 10);
    assert.equal(state.read, 10);
  });

  it('a consumer that leaves early gives the call up', async () => {
    const { call, state } = fakeCall(
      Array.from({ length: 10 }, () => new Uint8Array(100)),
      undefined,
    );
    const body = eager(call, 250);
    for await (const _ of body) break;
    assert.equal(state.cancelled, true);
    assert.ok(state.read < 10, `read ${state.read}`);
  });
});
